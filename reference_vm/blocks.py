"""Basic blocks of a raw code compiled to Python functions: the fast path of ``Machine.execute``.

Calling one handler per instruction costs a host call, three attribute loads
and a stack round trip even for ``LOAD_FAST``. Here each basic block (a run of
instructions entered only at its first) becomes one generated Python function
``block(machine, frame)``: the commonest opcodes are written out inline on the
frame's stack and locals, every other instruction calls its ``ops`` handler
exactly as the interpreter loop would. Semantics stay in ``ops``: an inline
form is only ever the handler's own common case, and it falls back to the
handler for anything else.

Contract with ``Machine.execute``: a block returns None after setting
``frame.ip`` to the next instruction to run, or RETURN/YIELD/CALL as a handler
does. Before any instruction that may raise, ``frame.ip`` is that
instruction's index + 1 (as the interpreter sets it), so ``frame.ip - 1`` names
the raising instruction for unwinding and the traceback line. Backward jumps
charge the step budget as the interpreter's do.

Block starts: instruction 0, every jump and handler target, the instruction
after one that leaves the block (a call: its return lands there; a yield: the
resume does), and YIELD_FROM itself (it resumes by running again). A
conditional jump does not end a block: the taken branch returns, the other
runs on inline. ``compiled_blocks`` compiles all blocks of a raw code in one
``compile`` call, once, and keeps the table on the raw code.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from reference_vm.arith import INT_FAST, INT_FAST_POS
from reference_vm.machine import CALL, RETURN, Frame, Ins, Machine
from reference_vm.mpyfile import RawCode
from reference_vm.objects import NULL, Function, Instance
from reference_vm.opcodes import Op
from reference_vm.ops_data import name_error, unbound_local
from reference_vm.runtime import iter_next, truth

Block = Callable[[Machine, Frame], Any]

_SYMBOLS = {operator.lt: "<", operator.gt: ">", operator.le: "<=", operator.ge: ">=", operator.eq: "==",
            operator.ne: "!=", operator.add: "+", operator.sub: "-", operator.mul: "*", operator.or_: "|",
            operator.xor: "^", operator.and_: "&", operator.floordiv: "//", operator.mod: "%",
            operator.lshift: "<<", operator.rshift: ">>"}

#: Opcodes after which control never simply falls through to the next instruction.
_LEAVES = frozenset({Op.JUMP, Op.RETURN_VALUE, Op.YIELD_VALUE, Op.YIELD_FROM, Op.CALL_FUNCTION, Op.CALL_METHOD,
                     Op.CALL_FUNCTION_VAR_KW, Op.CALL_METHOD_VAR_KW, Op.UNWIND_JUMP, Op.END_FINALLY,
                     Op.POP_EXCEPT_JUMP, Op.RAISE_LAST, Op.RAISE_OBJ, Op.RAISE_FROM})


def block_starts(prog: list[Ins]) -> list[int]:
    """Indexes where a block begins (see the module docstring), ascending."""
    starts = {0}
    for ins in prog:
        if ins.target >= 0:
            starts.add(ins.target)
        if ins.op in _LEAVES and ins.index + 1 < len(prog):
            starts.add(ins.index + 1)
        if ins.op is Op.YIELD_FROM:
            starts.add(ins.index)
    return sorted(starts)


class _Writer:
    """Source of one block function, indented, plus the objects its closure needs."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def emit(self, text: str, depth: int = 1) -> None:
        for line in text.strip("\n").splitlines():
            self.lines.append("    " * (depth + 1) + line)


def _charge(ins: Ins) -> str:
    """Step-budget charge for a backward jump (the interpreter's ``_charged`` wrapper, inline)."""
    if 0 <= ins.target <= ins.index:
        return "m.budget -= 1\nif m.budget <= 0:\n    m.check_limits()\n"
    return ""


def _generic(w: _Writer, ins: Ins, leaves: bool) -> None:
    """Run the instruction's own handler (``h<i>``/``i<i>`` are closure cells)."""
    i = ins.index
    w.emit(f"f.ip = {i + 1}")
    if leaves:
        w.emit(f"return h{i}(m, f, i{i})")
    elif ins.op in (Op.FOR_ITER, Op.POP_JUMP_IF_TRUE, Op.POP_JUMP_IF_FALSE, Op.JUMP_IF_TRUE_OR_POP,
                    Op.JUMP_IF_FALSE_OR_POP):
        w.emit(f"h{i}(m, f, i{i})\nif f.ip != {i + 1}:\n    return None")
    else:
        w.emit(f"h{i}(m, f, i{i})")


def _inline(w: _Writer, ins: Ins, consts: list[Any]) -> bool:
    """Write ``ins`` inline if it has an inline form; False to call its handler instead."""
    op, i, arg = ins.op, ins.index, ins.arg
    if op is Op.LOAD_FAST_MULTI or op is Op.LOAD_FAST_N:
        w.emit(f"v = fast[{arg}]\nif v is NULL:\n    f.ip = {i + 1}\n    raise unbound_local()\ns.append(v)")
    elif op is Op.STORE_FAST_MULTI or op is Op.STORE_FAST_N:
        w.emit(f"fast[{arg}] = s.pop()")
    elif op is Op.LOAD_CONST_SMALL_INT_MULTI or op is Op.LOAD_CONST_SMALL_INT:
        w.emit(f"s.append({int(arg)!r})")
    elif op in (Op.LOAD_CONST_NONE, Op.LOAD_CONST_TRUE, Op.LOAD_CONST_FALSE):
        w.emit(f"s.append({ {Op.LOAD_CONST_NONE: None, Op.LOAD_CONST_TRUE: True, Op.LOAD_CONST_FALSE: False}[op]})")
    elif op is Op.LOAD_CONST_STRING:
        consts.append(ins.name)
        w.emit(f"s.append(k[{len(consts) - 1}])")
    elif op is Op.POP_TOP:
        w.emit("s.pop()")
    elif op is Op.DUP_TOP:
        w.emit("s.append(s[-1])")
    elif op is Op.LOAD_GLOBAL:  # with an inline cache: (globals, its version, value, builtins version, builtins)
        consts.append(ins.name)
        w.emit(f"t = f.globals.table\nc = g{i}\nif c[0] is t and c[1] == t.version and c[3] == c[4].version:\n"
               f"    s.append(c[2])\nelse:\n    f.ip = {i + 1}\n"
               f"    s.append(load_global(m, t, k[{len(consts) - 1}], c))")
    elif op is Op.BINARY_OP_MULTI and (INT_FAST[arg] is not None or INT_FAST_POS[arg] is not None):
        symbol = _SYMBOLS[INT_FAST[arg] or INT_FAST_POS[arg]]
        positive = " and r > 0" if INT_FAST[arg] is None else ""
        w.emit(f"r = s[-1]\nl = s[-2]\nif type(l) is int and type(r) is int{positive}:\n    del s[-1]\n"
               f"    s[-1] = l {symbol} r\nelse:\n    f.ip = {i + 1}\n    h{i}(m, f, i{i})")
    elif op is Op.POP_JUMP_IF_FALSE or op is Op.POP_JUMP_IF_TRUE:
        jump = f"{_charge(ins)}f.ip = {ins.target}\nreturn None"
        if op is Op.POP_JUMP_IF_TRUE:
            w.emit("v = s.pop()\nif v is True:")
            w.emit(jump, 2)
            w.emit(f"elif v is not False and v is not None:\n    f.ip = {i + 1}\n    if truth(v):")
        else:
            w.emit("v = s.pop()\nif v is False or v is None:")
            w.emit(jump, 2)
            w.emit(f"elif v is not True:\n    f.ip = {i + 1}\n    if not truth(v):")
        w.emit(jump, 3)
    elif op is Op.JUMP:
        w.emit(f"{_charge(ins)}f.ip = {ins.target}\nreturn None")
    elif op is Op.FOR_ITER:
        w.emit(f"f.ip = {i + 1}\nv = iter_next(s[-3])\nif v is NULL:\n    del s[-4:]\n    f.ip = {ins.target}\n"
               f"    return None\ns.append(v)")
    elif op is Op.LOAD_NAME:  # the locals first, as the handler looks
        consts.append(ins.name)
        w.emit(f"v = f.locals_dict.table.get(k[{len(consts) - 1}], NULL)\nif v is NULL:\n"
               f"    f.ip = {i + 1}\n    h{i}(m, f, i{i})\nelse:\n    s.append(v)")
    elif op is Op.LOAD_ATTR:  # an instance's own attributes first, as the handler looks
        consts.append(ins.name)
        w.emit(f"o = s[-1]\nv = o.attrs.table.get(k[{len(consts) - 1}], NULL) if type(o) is Instance else NULL\n"
               f"if v is NULL:\n    f.ip = {i + 1}\n    h{i}(m, f, i{i})\nelse:\n    s[-1] = v")
    elif op is Op.STORE_NAME:
        consts.append(ins.name)
        w.emit(f"f.locals_dict.table.store(k[{len(consts) - 1}], s.pop())")
    elif (op is Op.CALL_FUNCTION or op is Op.CALL_METHOD) and arg <= 0xff:
        _call(w, ins)
    elif op is Op.RETURN_VALUE:
        w.emit(f"if not f.blocks:\n    f.retval = s.pop()\n    s.clear()\n    return RETURN\n"
               f"f.ip = {i + 1}\nreturn h{i}(m, f, i{i})")
    else:
        return False
    return True


class _Unversioned:
    """Stands for "no builtins lookup involved" in a LOAD_GLOBAL cache entry."""

    version = 0


_NO_BUILTINS = _Unversioned()


def load_global(m: Machine, table: Any, name: str, cache: list[Any]) -> Any:
    """LOAD_GLOBAL's lookup (globals, then builtins, else NameError) filling the instruction's cache.

    A value found in the globals stays right while the globals table is unchanged; one found in the
    builtins, while neither table changes.
    """
    value = table.get(name, NULL)
    if value is not NULL:
        cache[:] = [table, table.version, value, 0, _NO_BUILTINS]
        return value
    builtins = m.builtins.table
    value = builtins.get(name, NULL)
    if value is NULL:
        raise name_error(name)
    cache[:] = [table, table.version, value, builtins.version, builtins]
    return value


def _call(w: _Writer, ins: Ins) -> None:
    """A positional call of a function on the fast path (``Function.simple_arity``) builds its frame here
    and leaves the block with CALL; any other callee goes through the handler."""
    n, i = ins.arg, ins.index
    if ins.op is Op.CALL_FUNCTION:
        w.emit(f"v = s[-{n + 1}]\nif type(v) is Function and v.simple_arity == {n}:")
        taken = n
    else:  # CALL_METHOD with a self: [method, self, args...]
        w.emit(f"v = s[-{n + 2}]\nif type(v) is Function and v.simple_arity == {n + 1} and s[-{n + 1}] is not NULL:")
        taken = n + 1
    if taken:
        w.emit(f"a = s[-{taken}:]\ndel s[-{taken}:]\na.extend([NULL] * (v.raw.n_state - {taken}))", 2)
    else:
        w.emit("a = [NULL] * v.raw.n_state", 2)
    w.emit(f"m.callee = Frame(v, None, a)\nf.ip = {i + 1}\nreturn CALL", 2)
    w.emit(f"f.ip = {i + 1}\nreturn h{i}(m, f, i{i})")


def _block_source(prog: list[Ins], start: int, end: int, consts: list[Any]) -> str:
    w = _Writer()
    for ins in prog[start:end]:
        if not _inline(w, ins, consts):
            _generic(w, ins, ins.op in _LEAVES)
        if ins.op in _LEAVES:
            break
    else:
        w.emit(f"f.ip = {end}\nreturn None")
    head = f"    def b{start}(m, f):\n        s = f.stack\n        fast = f.fast\n"
    return head + "\n".join(w.lines) + "\n"


def _compile(prog: list[Ins], ranges: list[tuple[int, int]], name: str) -> dict[int, Block]:
    """Functions for the blocks ``[start, end)`` of ``prog``, from one generated module."""
    consts: list[Any] = []
    bodies = "".join(_block_source(prog, start, end, consts) for start, end in ranges)
    used = sorted({ins.index for start, end in ranges for ins in prog[start:end]})
    cells = "".join(f"    h{n} = I[{n}].handler\n    i{n} = I[{n}]\n" for n in used)
    cells += "".join(f"    g{n} = [None, -1, None, 0, NO_BUILTINS]\n" for n in used if prog[n].op is Op.LOAD_GLOBAL)
    table = ", ".join(f"{start}: b{start}" for start, _ in ranges)
    source = f"def make(I, k):\n{cells}{bodies}    return {{{table}}}\n"
    namespace: dict[str, Any] = {"NULL": NULL, "truth": truth, "iter_next": iter_next, "Frame": Frame,
                                 "Function": Function, "Instance": Instance, "unbound_local": unbound_local,
                                 "RETURN": RETURN, "CALL": CALL, "load_global": load_global,
                                 "NO_BUILTINS": _NO_BUILTINS}
    exec(compile(source, f"<blocks of {name}>", "exec"), namespace)  # our own generated code
    made: dict[int, Block] = namespace["make"](prog, tuple(consts))
    return made


def _ranges(starts: list[int], length: int) -> list[tuple[int, int]]:
    return list(zip(starts, [*starts[1:], length], strict=True))


#: Block entries a raw code runs interpreted before its blocks are compiled: most case code
#: (a module body, a function called once) runs too little to repay ``compile`` (about 1 ms).
HOT_AFTER = 24


class _State:
    """Per raw code: the shared block table (None where not compiled), block starts, heat."""

    __slots__ = ("compiled", "heat", "is_start", "table")

    def __init__(self, prog: list[Ins]) -> None:
        self.table: list[Block | None] = [None] * len(prog)
        self.is_start = [False] * (len(prog) + 1)
        for n in block_starts(prog):
            self.is_start[n] = True
        self.heat = 0
        self.compiled = False


def _state(raw: RawCode, prog: list[Ins]) -> _State:
    state: _State | None = raw.__dict__.get("block_state")
    if state is None:
        state = _State(prog)
        object.__setattr__(raw, "block_state", state)
    return state


def block_table(raw: RawCode, prog: list[Ins]) -> list[Block | None]:
    """The block table of ``raw`` (decoded as ``prog``): one list, shared by its frames, filled in
    place once the raw code is hot (None entries run through ``run_cold``)."""
    return _state(raw, prog).table


def run_cold(m: Machine, f: Frame) -> Any:
    """Run the block at ``f.ip`` without a compiled function: one handler per instruction.

    Counts towards the raw code's heat; once hot, all its blocks are compiled into the
    shared table. A start the analysis did not foresee (none is known) gets a block of
    its own rather than a failure.
    """
    prog = f.prog
    state = _state(f.raw, prog)
    if not state.compiled:
        state.heat += 1
        if state.heat > HOT_AFTER:
            made = _compile(prog, _ranges(block_starts(prog), len(prog)), f.raw.simple_name)
            state.table[:] = [made.get(n) for n in range(len(prog))]
            state.compiled = True
    if state.compiled:
        block = state.table[f.ip]
        if block is None:
            following = [n for n in block_starts(prog) if n > f.ip]
            block = _compile(prog, [(f.ip, following[0] if following else len(prog))], f.raw.simple_name)[f.ip]
            state.table[f.ip] = block
        return block(m, f)
    is_start = state.is_start
    while True:
        ip = f.ip
        ins = prog[ip]
        f.ip = ip + 1
        result = ins.handler(m, f, ins)
        if result is not None or f.ip != ip + 1 or is_start[ip + 1]:
            return result
