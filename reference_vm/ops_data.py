"""Opcode handlers that move values: constants, loads, stores, deletes and stack shuffles.

Registered with ``opreg.handler``; ``ops`` builds the dispatch table. Semantics: reference-vm-notes §2-§3.
"""

from __future__ import annotations

from typing import Any

from reference_vm import mptypes as T
from reference_vm.arith import INT_FAST, INT_FAST_POS, binary_op, unary_op
from reference_vm.exceptions import GuestException, mp_error, new_exception
from reference_vm.machine import Frame, Ins, Machine
from reference_vm.objects import NULL
from reference_vm.opcodes import Op
from reference_vm.opreg import handler
from reference_vm.runtime import (
    STATE,
    getattr_,
    load_method,
    setattr_,
)
from reference_vm.subscr import delete_subscr, load_subscr, store_subscr


def name_error(name: str) -> GuestException:
    return mp_error("NameError", f"name '{name}' isn't defined" if STATE.detailed else "name not defined")


def unbound_local() -> GuestException:
    return mp_error("NameError", "local variable referenced before assignment")


# --- multi-opcode ranges ---------------------------------------------------------------

@handler(Op.LOAD_CONST_SMALL_INT_MULTI)
def LOAD_CONST_SMALL_INT_MULTI(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(ins.arg)


@handler(Op.LOAD_FAST_MULTI)
def LOAD_FAST_MULTI(m: Machine, f: Frame, ins: Ins) -> None:
    value = f.fast[ins.arg]
    if value is NULL:
        raise unbound_local()
    f.stack.append(value)


@handler(Op.STORE_FAST_MULTI)
def STORE_FAST_MULTI(m: Machine, f: Frame, ins: Ins) -> None:
    f.fast[ins.arg] = f.stack.pop()


@handler(Op.UNARY_OP_MULTI)
def UNARY_OP_MULTI(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack[-1] = unary_op(ins.arg, f.stack[-1])


@handler(Op.BINARY_OP_MULTI)
def BINARY_OP_MULTI(m: Machine, f: Frame, ins: Ins) -> None:
    stack = f.stack
    rhs = stack.pop()
    lhs = stack[-1]
    if type(lhs) is int and type(rhs) is int:  # the common case, without binary_op's dispatch
        fn = (INT_FAST_POS if rhs > 0 else INT_FAST)[ins.arg]
        if fn is not None:
            stack[-1] = fn(lhs, rhs)
            return
    stack[-1] = binary_op(ins.arg, lhs, rhs)


# --- load constants ------------------------------------------------------------------

@handler(Op.LOAD_CONST_FALSE)
def LOAD_CONST_FALSE(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(False)


@handler(Op.LOAD_CONST_NONE)
def LOAD_CONST_NONE(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(None)


@handler(Op.LOAD_CONST_TRUE)
def LOAD_CONST_TRUE(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(True)


@handler(Op.LOAD_CONST_SMALL_INT)
def LOAD_CONST_SMALL_INT(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(ins.arg)


@handler(Op.LOAD_CONST_STRING)
def LOAD_CONST_STRING(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(ins.name)


@handler(Op.LOAD_CONST_OBJ)
def LOAD_CONST_OBJ(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(f.context.objects[ins.arg])


@handler(Op.LOAD_NULL)
def LOAD_NULL(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(NULL)


# --- load ----------------------------------------------------------------------------

@handler(Op.LOAD_FAST_N)
def LOAD_FAST_N(m: Machine, f: Frame, ins: Ins) -> None:
    LOAD_FAST_MULTI(m, f, ins)


@handler(Op.LOAD_DEREF)
def LOAD_DEREF(m: Machine, f: Frame, ins: Ins) -> None:
    value = f.fast[ins.arg].value
    if value is NULL:
        raise unbound_local()
    f.stack.append(value)


def _global_or_builtin(m: Machine, f: Frame, name: str) -> Any:
    """A name from the globals, else the builtins, else NameError (tables read directly: a hot path)."""
    value = f.globals.table.get(name, NULL)
    if value is NULL:
        value = m.builtins.table.get(name, NULL)
        if value is NULL:
            raise name_error(name)
    return value


@handler(Op.LOAD_NAME)
def LOAD_NAME(m: Machine, f: Frame, ins: Ins) -> None:
    name = ins.name
    value = f.locals_dict.get(name)
    f.stack.append(_global_or_builtin(m, f, name) if value is NULL else value)


@handler(Op.LOAD_GLOBAL)
def LOAD_GLOBAL(m: Machine, f: Frame, ins: Ins) -> None:
    value = f.globals.table.get(ins.name, NULL)  # _global_or_builtin, with its common case inlined
    f.stack.append(_global_or_builtin(m, f, ins.name) if value is NULL else value)


@handler(Op.LOAD_ATTR)
def LOAD_ATTR(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack[-1] = getattr_(f.stack[-1], ins.name)


@handler(Op.LOAD_METHOD)
def LOAD_METHOD(m: Machine, f: Frame, ins: Ins) -> None:
    meth, self_obj = load_method(f.stack[-1], ins.name)
    f.stack[-1] = meth
    f.stack.append(self_obj)


@handler(Op.LOAD_SUPER_METHOD)
def LOAD_SUPER_METHOD(m: Machine, f: Frame, ins: Ins) -> None:
    from reference_vm.objects import Super
    self_obj = f.stack.pop()
    cls = f.stack.pop()
    f.stack[-1] = getattr_(Super(cls, self_obj), ins.name)
    f.stack.append(NULL)


@handler(Op.LOAD_BUILD_CLASS)
def LOAD_BUILD_CLASS(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(m.builtins.get("__build_class__"))


@handler(Op.LOAD_SUBSCR)
def LOAD_SUBSCR(m: Machine, f: Frame, ins: Ins) -> None:
    index = f.stack.pop()
    f.stack[-1] = load_subscr(f.stack[-1], index)


# --- store ---------------------------------------------------------------------------

@handler(Op.STORE_FAST_N)
def STORE_FAST_N(m: Machine, f: Frame, ins: Ins) -> None:
    f.fast[ins.arg] = f.stack.pop()


@handler(Op.STORE_DEREF)
def STORE_DEREF(m: Machine, f: Frame, ins: Ins) -> None:
    f.fast[ins.arg].value = f.stack.pop()


@handler(Op.STORE_NAME)
def STORE_NAME(m: Machine, f: Frame, ins: Ins) -> None:
    f.locals_dict[ins.name] = f.stack.pop()


@handler(Op.STORE_GLOBAL)
def STORE_GLOBAL(m: Machine, f: Frame, ins: Ins) -> None:
    f.globals[ins.name] = f.stack.pop()


@handler(Op.STORE_ATTR)
def STORE_ATTR(m: Machine, f: Frame, ins: Ins) -> None:
    obj = f.stack.pop()
    setattr_(obj, ins.name, f.stack.pop())


@handler(Op.STORE_SUBSCR)
def STORE_SUBSCR(m: Machine, f: Frame, ins: Ins) -> None:
    index = f.stack.pop()
    obj = f.stack.pop()
    value = f.stack.pop()
    if value is NULL:
        delete_subscr(obj, index)
    else:
        store_subscr(obj, index, value)


# --- delete --------------------------------------------------------------------------

@handler(Op.DELETE_FAST)
def DELETE_FAST(m: Machine, f: Frame, ins: Ins) -> None:
    if f.fast[ins.arg] is NULL:
        raise unbound_local()
    f.fast[ins.arg] = NULL


@handler(Op.DELETE_DEREF)
def DELETE_DEREF(m: Machine, f: Frame, ins: Ins) -> None:
    cell = f.fast[ins.arg]
    if cell.value is NULL:
        raise unbound_local()
    cell.value = NULL


@handler(Op.DELETE_NAME)
def DELETE_NAME(m: Machine, f: Frame, ins: Ins) -> None:
    name = ins.name
    if f.locals_dict.remove(name) is NULL:
        raise GuestException(new_exception(T.EXCEPTIONS["KeyError"], (name,)))


@handler(Op.DELETE_GLOBAL)
def DELETE_GLOBAL(m: Machine, f: Frame, ins: Ins) -> None:
    name = ins.name
    if f.globals.remove(name) is NULL:
        raise GuestException(new_exception(T.EXCEPTIONS["KeyError"], (name,)))


# --- stack ---------------------------------------------------------------------------

@handler(Op.DUP_TOP)
def DUP_TOP(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(f.stack[-1])


@handler(Op.DUP_TOP_TWO)
def DUP_TOP_TWO(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.extend(f.stack[-2:])


@handler(Op.POP_TOP)
def POP_TOP(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.pop()


@handler(Op.ROT_TWO)
def ROT_TWO(m: Machine, f: Frame, ins: Ins) -> None:
    s = f.stack
    s[-1], s[-2] = s[-2], s[-1]


@handler(Op.ROT_THREE)
def ROT_THREE(m: Machine, f: Frame, ins: Ins) -> None:
    s = f.stack
    s[-3], s[-2], s[-1] = s[-1], s[-3], s[-2]
