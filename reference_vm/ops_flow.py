"""Opcode handlers for control flow: jumps, exception and finally blocks, iteration, return, raise, yield.

Unwinding follows reference-vm-notes §3.5; registered with ``opreg.handler``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_vm import mptypes as T
from reference_vm.exceptions import GuestException, exc_value, mp_error
from reference_vm.machine import RETURN, YIELD, Frame, Generator, Ins, Machine
from reference_vm.objects import NULL, Instance, Marker
from reference_vm.opcodes import Op
from reference_vm.opreg import handler
from reference_vm.runtime import (
    call,
    get_iter,
    getattr_,
    iter_next,
    load_method,
    make_exception,
    truth,
)

# --- jumps, exception blocks, iteration ----------------------------------------------

def _cancel_active_finally(f: Frame, depth: int) -> None:
    """Drop the pending None/exception (or jump/return data + marker) of an active finally block."""
    s = f.stack
    if len(s) > depth + 1 and isinstance(s[depth + 1], Marker):
        del s[depth:depth + 2]
    elif len(s) > depth:
        del s[depth]


def unwind_jump(m: Machine, f: Frame, unum: int, here: int) -> None:
    """Leave ``unum & 0x7f`` blocks, running not-yet-active finally handlers on the way (stack: [.., dest]).

    ``here`` is the offset of the instruction leaving (finally handlers after it are not yet active).
    """
    while unum & 0x7f:
        unum -= 1
        block = f.blocks[-1]
        if block.is_finally:
            if block.handler_offset > here:
                f.stack.append(Marker(unum))
                f.ip = block.handler
                return
            _cancel_active_finally(f, block.depth)
        f.blocks.pop()
    f.ip = f.stack.pop()
    if unum:
        del f.stack[-4:]


@handler(Op.UNWIND_JUMP)
def UNWIND_JUMP(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(ins.target)
    unwind_jump(m, f, ins.extra, ins.offset)


@handler(Op.JUMP)
def JUMP(m: Machine, f: Frame, ins: Ins) -> None:
    f.ip = ins.target


@handler(Op.POP_JUMP_IF_TRUE)
def POP_JUMP_IF_TRUE(m: Machine, f: Frame, ins: Ins) -> None:
    value = f.stack.pop()
    if value is True or (value is not False and truth(value)):
        f.ip = ins.target


@handler(Op.POP_JUMP_IF_FALSE)
def POP_JUMP_IF_FALSE(m: Machine, f: Frame, ins: Ins) -> None:
    value = f.stack.pop()
    if value is False or (value is not True and not truth(value)):
        f.ip = ins.target


@handler(Op.JUMP_IF_TRUE_OR_POP)
def JUMP_IF_TRUE_OR_POP(m: Machine, f: Frame, ins: Ins) -> None:
    if truth(f.stack[-1]):
        f.ip = ins.target
    else:
        f.stack.pop()


@handler(Op.JUMP_IF_FALSE_OR_POP)
def JUMP_IF_FALSE_OR_POP(m: Machine, f: Frame, ins: Ins) -> None:
    if not truth(f.stack[-1]):
        f.ip = ins.target
    else:
        f.stack.pop()


def _push_block(f: Frame, ins: Ins, is_finally: bool) -> None:
    from reference_vm.machine import Block
    f.blocks.append(Block(ins.target, f.prog[ins.target].offset, len(f.stack), is_finally))


@handler(Op.SETUP_WITH)
def SETUP_WITH(m: Machine, f: Frame, ins: Ins) -> None:
    mgr = f.stack.pop()
    exit_meth, exit_self = load_method(mgr, "__exit__")
    enter_meth, enter_self = load_method(mgr, "__enter__")
    f.stack.append(exit_meth)
    f.stack.append(exit_self)
    _push_block(f, ins, True)
    f.stack.append(call(enter_meth, [] if enter_self is NULL else [enter_self]))


@handler(Op.SETUP_EXCEPT)
def SETUP_EXCEPT(m: Machine, f: Frame, ins: Ins) -> None:
    _push_block(f, ins, False)


@handler(Op.SETUP_FINALLY)
def SETUP_FINALLY(m: Machine, f: Frame, ins: Ins) -> None:
    _push_block(f, ins, True)


@handler(Op.POP_EXCEPT_JUMP)
def POP_EXCEPT_JUMP(m: Machine, f: Frame, ins: Ins) -> None:
    f.blocks.pop()
    f.ip = ins.target


@handler(Op.FOR_ITER)
def FOR_ITER(m: Machine, f: Frame, ins: Ins) -> None:
    item = iter_next(f.stack[-3])
    if item is NULL:
        del f.stack[-4:]
        f.ip = ins.target
    else:
        f.stack.append(item)


def _call_exit(f: Frame, exit_meth: Any, exit_self: Any, args: list[Any]) -> Any:
    return call(exit_meth, args if exit_self is NULL else [exit_self, *args])


@handler(Op.WITH_CLEANUP)
def WITH_CLEANUP(m: Machine, f: Frame, ins: Ins) -> None:
    s = f.stack
    top = s[-1]
    if top is None:
        exit_meth, exit_self = s[-3], s[-2]
        del s[-3:]
        _call_exit(f, exit_meth, exit_self, [None, None, None])
        s.append(None)
    elif isinstance(top, Marker):
        exit_meth, exit_self, data = s[-4], s[-3], s[-2]
        del s[-4:]
        _call_exit(f, exit_meth, exit_self, [None, None, None])
        s.append(data)
        s.append(top)
    else:
        exit_meth, exit_self = s[-3], s[-2]
        del s[-3:]
        result = _call_exit(f, exit_meth, exit_self, [top.mp_type, top, None])
        s.append(None if truth(result) else top)


@handler(Op.END_FINALLY)
def END_FINALLY(m: Machine, f: Frame, ins: Ins) -> Any:
    f.blocks.pop()
    top = f.stack.pop()
    if top is None:
        return None
    if isinstance(top, Marker):
        if top.count < 0:
            return unwind_return(m, f, ins.offset)
        unwind_jump(m, f, top.count, ins.offset)
        return None
    raise GuestException(top)


@handler(Op.GET_ITER)
def GET_ITER(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack[-1] = get_iter(f.stack[-1])


@handler(Op.GET_ITER_STACK)
def GET_ITER_STACK(m: Machine, f: Frame, ins: Ins) -> None:
    it = get_iter(f.stack[-1])
    f.stack[-1] = NULL
    f.stack.extend((it, NULL, NULL))


# --- return, raise, yield ------------------------------------------------------------

def unwind_return(m: Machine, f: Frame, here: int) -> Any:
    """RETURN_VALUE at offset ``here``: run pending finally handlers, then leave the frame with TOS."""
    while f.blocks:
        block = f.blocks[-1]
        if block.is_finally:
            if block.handler_offset > here:
                value = f.stack[-1]
                del f.stack[block.depth:]
                f.stack.append(value)
                f.stack.append(Marker(-1))
                f.ip = block.handler
                return None
            value = f.stack.pop()
            _cancel_active_finally(f, block.depth)
            f.stack.append(value)
        f.blocks.pop()
    f.retval = f.stack.pop()
    f.stack.clear()
    return RETURN


@handler(Op.RETURN_VALUE)
def RETURN_VALUE(m: Machine, f: Frame, ins: Ins) -> Any:
    if f.blocks:
        return unwind_return(m, f, ins.offset)
    f.retval = f.stack.pop()
    f.stack.clear()
    return RETURN


@handler(Op.RAISE_LAST)
def RAISE_LAST(m: Machine, f: Frame, ins: Ins) -> None:
    for block in reversed(f.blocks):
        if block.exc is not None:
            raise GuestException(block.exc)
    raise mp_error("RuntimeError", "no active exception to reraise")


@handler(Op.RAISE_OBJ)
def RAISE_OBJ(m: Machine, f: Frame, ins: Ins) -> None:
    raise GuestException(make_exception(f.stack.pop()))


@handler(Op.RAISE_FROM)
def RAISE_FROM(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.pop()   # the cause: MicroPython warns on stderr and drops it (no chaining)
    raise GuestException(make_exception(f.stack.pop()))


@handler(Op.YIELD_VALUE)
def YIELD_VALUE(m: Machine, f: Frame, ins: Ins) -> int:
    return YIELD


@handler(Op.YIELD_FROM)
def YIELD_FROM(m: Machine, f: Frame, ins: Ins) -> Any:
    send = f.stack.pop()
    delegate = f.stack[-1]
    inject, f.inject = f.inject, NULL
    kind, value = _delegate_step(m, delegate, send, inject)
    if kind == YIELD:
        f.stack.append(value)
        f.ip = ins.index
        return YIELD
    f.stack[-1] = value
    if inject is not NULL and inject.mp_type.is_subclass(T.EXCEPTIONS["GeneratorExit"]):
        raise GuestException(inject)
    return None


def _delegate_step(m: Machine, delegate: Any, send: Any, inject: Any) -> tuple[int, Any]:
    """Resume a ``yield from`` delegate; (YIELD, v) or (RETURN, result)."""
    if isinstance(delegate, Generator):
        return m.resume(delegate, send, inject)
    if inject is not NULL:
        if inject.mp_type.is_subclass(T.EXCEPTIONS["GeneratorExit"]):
            close = getattr_(delegate, "close", None)
            if close is not None:
                call(close, [])
            raise GuestException(inject)
        throw = getattr_(delegate, "throw", None)
        if throw is None:
            raise GuestException(inject)
        return _catch_stop(lambda: call(throw, [inject]))
    if send is None:
        if type(delegate) is Instance and delegate.mp_type.lookup("__next__") is not NULL:
            # the Python iterator protocol: its StopIteration's value is the result (mp_resume)
            return _catch_stop(lambda: call(delegate.mp_type.lookup("__next__"), [delegate]))
        try:
            item = iter_next(delegate)
        except GuestException as exc:
            if exc.instance.mp_type.is_subclass(T.EXCEPTIONS["StopIteration"]):
                return RETURN, exc_value(exc.instance)
            raise
        return (RETURN, None) if item is NULL else (YIELD, item)
    return _catch_stop(lambda: call(getattr_(delegate, "send"), [send]))


def _catch_stop(step: Callable[[], Any]) -> tuple[int, Any]:
    try:
        return YIELD, step()
    except GuestException as exc:
        if exc.instance.mp_type.is_subclass(T.EXCEPTIONS["StopIteration"]):
            return RETURN, exc_value(exc.instance)
        raise
