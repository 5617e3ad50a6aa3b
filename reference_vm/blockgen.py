"""Python source for one basic block: the code generator behind ``blocks``.

Each instruction with an inline form is written out as the common case of its
handler; every other instruction calls its handler (closure cells ``h<i>`` and
``i<i>``). Values that only move between inline forms never touch the frame's
stack: the generator keeps a compile-time stack of Python expressions (fresh
temporaries ``t<n>`` and literals) and writes them to ``f.stack`` ("flushes")
only where real code needs the real stack: before a handler call, a jump, a
call or the block's end. A temporary holds a value already computed, so
deferring its push changes nothing observable, and an exception raised with
values still pending is unaffected too, because unwinding drops everything
above the handler's depth, which was recorded with the stack flushed (every
SETUP opcode goes through its handler).

Before anything that may raise, ``f.ip`` is set to the instruction's index + 1
(the interpreter's convention), so ``f.ip - 1`` names the raising instruction.
"""

from __future__ import annotations

import operator
from typing import Any

from reference_vm.arith import INT_FAST, INT_FAST_POS
from reference_vm.machine import Ins
from reference_vm.opcodes import Op

_SYMBOLS = {operator.lt: "<", operator.gt: ">", operator.le: "<=", operator.ge: ">=", operator.eq: "==",
            operator.ne: "!=", operator.add: "+", operator.sub: "-", operator.mul: "*", operator.or_: "|",
            operator.xor: "^", operator.and_: "&", operator.floordiv: "//", operator.mod: "%",
            operator.lshift: "<<", operator.rshift: ">>"}

#: Opcodes after which control never simply falls through to the next instruction.
LEAVES = frozenset({Op.JUMP, Op.RETURN_VALUE, Op.YIELD_VALUE, Op.YIELD_FROM, Op.CALL_FUNCTION, Op.CALL_METHOD,
                    Op.CALL_FUNCTION_VAR_KW, Op.CALL_METHOD_VAR_KW, Op.UNWIND_JUMP, Op.END_FINALLY,
                    Op.POP_EXCEPT_JUMP, Op.RAISE_LAST, Op.RAISE_OBJ, Op.RAISE_FROM})

#: Handlers that may jump: after their call the block goes on only if they did not.
_MAY_JUMP = frozenset({Op.FOR_ITER, Op.POP_JUMP_IF_TRUE, Op.POP_JUMP_IF_FALSE, Op.JUMP_IF_TRUE_OR_POP,
                       Op.JUMP_IF_FALSE_OR_POP})

_CONSTANTS = {Op.LOAD_CONST_NONE: "None", Op.LOAD_CONST_TRUE: "True", Op.LOAD_CONST_FALSE: "False"}


class BlockWriter:
    """Writes the function for the block ``prog[start:end]``; ``consts`` collects what ``k[j]`` names."""

    def __init__(self, consts: list[Any]) -> None:
        self.consts = consts
        self.lines: list[str] = []
        self.pending: list[tuple[str, bool]] = []  # (expression, known to be an exact int)
        self.temps = 0

    # --- output ------------------------------------------------------------------------
    def emit(self, text: str, depth: int = 0) -> None:
        for line in text.strip("\n").splitlines():
            self.lines.append("    " * (depth + 2) + line)

    def const(self, value: Any) -> str:
        self.consts.append(value)
        return f"k[{len(self.consts) - 1}]"

    def temp(self) -> str:
        self.temps += 1
        return f"t{self.temps}"

    # --- the compile-time stack ----------------------------------------------------------
    def push(self, expr: str, is_int: bool = False) -> None:
        self.pending.append((expr, is_int))

    def pop(self) -> tuple[str, bool]:
        """The top value as an expression: a pending one, or one popped off the real stack now."""
        if self.pending:
            return self.pending.pop()
        name = self.temp()
        self.emit(f"{name} = s.pop()")
        return name, False

    def flush(self) -> None:
        """Write every pending value to the real stack, bottom first."""
        if len(self.pending) == 1:
            self.emit(f"s.append({self.pending[0][0]})")
        elif self.pending:
            self.emit(f"s += ({', '.join(expr for expr, _ in self.pending)},)")
        self.pending.clear()

    # --- instructions ----------------------------------------------------------------------
    def handler_call(self, ins: Ins) -> None:
        """The instruction's own handler, on the flushed real stack."""
        i = ins.index
        self.flush()
        self.emit(f"f.ip = {i + 1}")
        if ins.op in LEAVES:
            self.emit(f"return h{i}(m, f, i{i})")
        elif ins.op in _MAY_JUMP:
            self.emit(f"h{i}(m, f, i{i})\nif f.ip != {i + 1}:\n    return None")
        else:
            self.emit(f"h{i}(m, f, i{i})")

    def jump(self, ins: Ins, depth: int) -> None:
        """Leave for ``ins.target``, charging the step budget when the jump goes backward."""
        if 0 <= ins.target <= ins.index:
            self.emit("m.budget -= 1\nif m.budget <= 0:\n    m.check_limits()", depth)
        self.emit(f"f.ip = {ins.target}\nreturn None", depth)

    def instruction(self, ins: Ins) -> None:
        op, i, arg = ins.op, ins.index, ins.arg
        if op is Op.LOAD_FAST_MULTI or op is Op.LOAD_FAST_N:
            name = self.temp()
            self.emit(f"{name} = fast[{arg}]\nif {name} is NULL:\n    f.ip = {i + 1}\n    raise unbound_local()")
            self.push(name)
        elif op is Op.STORE_FAST_MULTI or op is Op.STORE_FAST_N:
            self.emit(f"fast[{arg}] = {self.pop()[0]}")
        elif op is Op.LOAD_CONST_SMALL_INT_MULTI or op is Op.LOAD_CONST_SMALL_INT:
            self.push(f"({int(arg)!r})", True)  # parenthesised: (5).attrs parses, 5.attrs does not
        elif op in _CONSTANTS:
            self.push(_CONSTANTS[op])
        elif op is Op.LOAD_CONST_STRING:
            self.push(self.const(ins.name))
        elif op is Op.POP_TOP:
            if self.pending:
                self.pending.pop()  # a computed value nobody reads
            else:
                self.emit("s.pop()")
        elif op is Op.DUP_TOP:
            top = self.pop()
            self.pending += [top, top]
        elif op is Op.LOAD_GLOBAL:
            self.load_global(ins)
        elif op is Op.BINARY_OP_MULTI and (INT_FAST[arg] is not None or INT_FAST_POS[arg] is not None):
            self.binary_op(ins)
        elif op is Op.POP_JUMP_IF_FALSE or op is Op.POP_JUMP_IF_TRUE:
            self.pop_jump(ins)
        elif op is Op.JUMP:
            self.flush()
            self.jump(ins, 0)
        elif op is Op.FOR_ITER:
            self.flush()
            name = self.temp()
            self.emit(f"f.ip = {i + 1}\n{name} = iter_next(s[-3])\nif {name} is NULL:\n    del s[-4:]")
            self.jump(ins, 1)
            self.push(name)
        elif op is Op.LOAD_NAME:  # the locals first, as the handler looks
            name = self.temp()
            self.emit(f"{name} = f.locals_dict.table.get({self.const(ins.name)}, NULL)\nif {name} is NULL:\n"
                      f"    f.ip = {i + 1}\n    h{i}(m, f, i{i})\n    {name} = s.pop()")
            self.push(name)
        elif op is Op.LOAD_ATTR:  # an instance's own attributes first, as the handler looks
            obj = self.pop()[0]
            name = self.temp()
            self.emit(f"{name} = {obj}.attrs.table.get({self.const(ins.name)}, NULL) if type({obj}) is Instance "
                      f"else NULL\nif {name} is NULL:\n    s.append({obj})\n    f.ip = {i + 1}\n"
                      f"    h{i}(m, f, i{i})\n    {name} = s.pop()")
            self.push(name)
        elif op is Op.STORE_NAME:
            self.emit(f"f.locals_dict.table.store({self.const(ins.name)}, {self.pop()[0]})")
        elif (op is Op.CALL_FUNCTION or op is Op.CALL_METHOD) and arg <= 0xff:
            self.flush()
            self.call(ins)
        elif op is Op.RETURN_VALUE:
            value = self.pop()[0]
            self.emit(f"if not f.blocks:\n    f.retval = {value}\n    s.clear()\n    return RETURN")
            self.push(value)
            self.handler_call(ins)
        else:
            self.handler_call(ins)

    def load_global(self, ins: Ins) -> None:
        """With an inline cache ``g<i>``: (globals, its version, value, builtins version, builtins)."""
        i = ins.index
        name = self.temp()
        self.emit(f"t = f.globals.table\nc = g{i}\nif c[0] is t and c[1] == t.version and c[3] == c[4].version:\n"
                  f"    {name} = c[2]\nelse:\n    f.ip = {i + 1}\n    {name} = load_global(m, t, "
                  f"{self.const(ins.name)}, c)")
        self.push(name)

    def binary_op(self, ins: Ins) -> None:
        """Two exact ints through the host operator (``arith.INT_FAST``); anything else, the handler."""
        i, arg = ins.index, ins.arg
        rhs, rhs_int = self.pop()
        lhs, lhs_int = self.pop()
        tests = [f"type({e}) is int" for e, known in ((lhs, lhs_int), (rhs, rhs_int)) if not known]
        if INT_FAST[arg] is None:
            tests.append(f"{rhs} > 0")
        symbol = _SYMBOLS[INT_FAST[arg] or INT_FAST_POS[arg]]
        name = self.temp()
        slow = f"s.append({lhs})\ns.append({rhs})\nf.ip = {i + 1}\nh{i}(m, f, i{i})\n{name} = s.pop()"
        if tests:
            self.emit(f"if {' and '.join(tests)}:\n    {name} = {lhs} {symbol} {rhs}\nelse:")
            self.emit(slow, 1)
        else:
            self.emit(slow)  # two int literals: mpy-cross folds these, so this is not expected
        self.push(name)

    def pop_jump(self, ins: Ins) -> None:
        value = self.pop()[0]
        self.flush()
        if ins.op is Op.POP_JUMP_IF_TRUE:
            self.emit(f"if {value} is True:")
            self.jump(ins, 1)
            self.emit(f"elif {value} is not False and {value} is not None:\n    f.ip = {ins.index + 1}\n"
                      f"    if truth({value}):")
        else:
            self.emit(f"if {value} is False or {value} is None:")
            self.jump(ins, 1)
            self.emit(f"elif {value} is not True:\n    f.ip = {ins.index + 1}\n    if not truth({value}):")
        self.jump(ins, 2)

    def call(self, ins: Ins) -> None:
        """A positional call of a function on the fast path (``Function.simple_arity``) builds its frame here
        and leaves the block with CALL; any other callee goes through the handler."""
        n, i = ins.arg, ins.index
        if ins.op is Op.CALL_FUNCTION:
            self.emit(f"v = s[-{n + 1}]\nif type(v) is Function and v.simple_arity == {n}:")
            taken = n
        else:  # CALL_METHOD with a self: [method, self, args...]
            self.emit(f"v = s[-{n + 2}]\nif type(v) is Function and v.simple_arity == {n + 1} "
                      f"and s[-{n + 1}] is not NULL:")
            taken = n + 1
        if taken:
            self.emit(f"a = s[-{taken}:]\ndel s[-{taken}:]\na.extend([NULL] * (v.raw.n_state - {taken}))", 1)
        else:
            self.emit("a = [NULL] * v.raw.n_state", 1)
        self.emit(f"m.callee = Frame(v, None, a)\nf.ip = {i + 1}\nreturn CALL", 1)
        self.emit(f"f.ip = {i + 1}\nreturn h{i}(m, f, i{i})")


def block_source(prog: list[Ins], start: int, end: int, consts: list[Any]) -> str:
    """``def b<start>(m, f): ...`` for the block ``prog[start:end]``, nested one level (inside ``make``)."""
    w = BlockWriter(consts)
    for ins in prog[start:end]:
        w.instruction(ins)
        if ins.op in LEAVES:
            break
    else:
        w.flush()
        w.emit(f"f.ip = {end}\nreturn None")
    head = f"    def b{start}(m, f):\n        s = f.stack\n        fast = f.fast\n"
    return head + "\n".join(w.lines) + "\n"
