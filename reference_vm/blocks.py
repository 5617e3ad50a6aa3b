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
runs on inline. A raw code runs interpreted (``run_cold``) until it is hot;
then ``run_cold`` compiles all its blocks in one ``compile`` call, into the
table kept on the raw code and shared by its frames.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_vm.blockgen import LEAVES, block_source
from reference_vm.machine import CALL, RETURN, Frame, Ins, Machine
from reference_vm.mpyfile import RawCode
from reference_vm.objects import NULL, Function, Instance
from reference_vm.opcodes import Op
from reference_vm.ops_data import name_error, unbound_local
from reference_vm.runtime import iter_next, truth

Block = Callable[[Machine, Frame], Any]

def block_starts(prog: list[Ins]) -> list[int]:
    """Indexes where a block begins (see the module docstring), ascending."""
    starts = {0}
    for ins in prog:
        if ins.target >= 0:
            starts.add(ins.target)
        if ins.op in LEAVES and ins.index + 1 < len(prog):
            starts.add(ins.index + 1)
        if ins.op is Op.YIELD_FROM:
            starts.add(ins.index)
    return sorted(starts)


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


def _compile(prog: list[Ins], ranges: list[tuple[int, int]], name: str) -> dict[int, Block]:
    """Functions for the blocks ``[start, end)`` of ``prog``, from one generated module."""
    consts: list[Any] = []
    bodies = "".join(block_source(prog, start, end, consts) for start, end in ranges)
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
            end = next((n for n in range(f.ip + 1, len(prog)) if state.is_start[n]), len(prog))
            block = _compile(prog, [(f.ip, end)], f.raw.simple_name)[f.ip]
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
