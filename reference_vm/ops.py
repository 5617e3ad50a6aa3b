"""One handler per opcode, named and ordered as in py/bc0.h (``opcodes.Op`` order).

Every handler takes (machine, frame, instruction) and returns None to go on,
or ``RETURN``/``YIELD`` to leave ``Machine.execute``. ``DISPATCH`` is built once:
a 256-entry list indexed by opcode byte. Semantics: reference-vm-notes §2-§3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_vm import mptypes as T
from reference_vm.arith import INT_FAST, INT_FAST_POS, binary_op, unary_op
from reference_vm.containers import MPDict, MPSet
from reference_vm.exceptions import GuestException, exc_value, mp_error, new_exception
from reference_vm.machine import CALL, RETURN, YIELD, Frame, Generator, Ins, Machine
from reference_vm.objects import NULL, Function, Instance, Marker
from reference_vm.opcodes import Op, call_counts, unpack_ex_counts
from reference_vm.runtime import (
    STATE,
    call,
    get_iter,
    getattr_,
    iter_next,
    iterate,
    load_method,
    make_exception,
    setattr_,
    truth,
)
from reference_vm.subscr import delete_subscr, load_subscr, store_subscr

Handler = Callable[[Machine, Frame, Ins], Any]
HANDLERS: dict[Op, Handler] = {}


def handler(op: Op) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[op] = fn
        return fn
    return register


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


# --- build and unpack ----------------------------------------------------------------

def _take(f: Frame, n: int) -> list[Any]:
    if n == 0:
        return []
    items = f.stack[-n:]
    del f.stack[-n:]
    return items


@handler(Op.BUILD_TUPLE)
def BUILD_TUPLE(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(tuple(_take(f, ins.arg)))


@handler(Op.BUILD_LIST)
def BUILD_LIST(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(_take(f, ins.arg))


@handler(Op.BUILD_MAP)
def BUILD_MAP(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(MPDict(ins.arg))


@handler(Op.STORE_MAP)
def STORE_MAP(m: Machine, f: Frame, ins: Ins) -> None:
    key = f.stack.pop()
    value = f.stack.pop()
    f.stack[-1][key] = value


@handler(Op.BUILD_SET)
def BUILD_SET(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(MPSet(_take(f, ins.arg), alloc=ins.arg))


@handler(Op.BUILD_SLICE)
def BUILD_SLICE(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(slice(*_take(f, ins.arg)))


@handler(Op.STORE_COMP)
def STORE_COMP(m: Machine, f: Frame, ins: Ins) -> None:
    s = f.stack
    kind = ins.arg & 3
    target = s[-1 - (ins.arg >> 2)]
    if kind == 0:
        target.append(s.pop())
    elif kind == 1:
        key = s.pop()
        target[key] = s.pop()
    else:
        target.add(s.pop())


def _unpack(seq: Any, n: int, at_least: bool) -> list[Any]:
    items = iterate(seq)
    if len(items) < n:
        raise mp_error("ValueError", f"need more than {len(items)} values to unpack" if STATE.detailed
                       else "wrong number of values to unpack")
    if not at_least and len(items) > n:
        raise mp_error("ValueError", f"too many values to unpack (expected {n})" if STATE.detailed
                       else "wrong number of values to unpack")
    return items


@handler(Op.UNPACK_SEQUENCE)
def UNPACK_SEQUENCE(m: Machine, f: Frame, ins: Ins) -> None:
    items = _unpack(f.stack.pop(), ins.arg, False)
    items.reverse()
    f.stack.extend(items)


@handler(Op.UNPACK_EX)
def UNPACK_EX(m: Machine, f: Frame, ins: Ins) -> None:
    left, right = unpack_ex_counts(ins.arg)
    items = _unpack(f.stack.pop(), left + right, True)
    tail = items[len(items) - right:] if right else []
    middle = items[left:len(items) - right]
    f.stack.extend(reversed(tail))
    f.stack.append(middle)
    f.stack.extend(reversed(items[:left]))


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


# --- make functions, call ------------------------------------------------------------

@handler(Op.MAKE_FUNCTION)
def MAKE_FUNCTION(m: Machine, f: Frame, ins: Ins) -> None:
    f.stack.append(Function(f.raw.children[ins.arg], f.context, f.globals))


@handler(Op.MAKE_FUNCTION_DEFARGS)
def MAKE_FUNCTION_DEFARGS(m: Machine, f: Frame, ins: Ins) -> None:
    kwdefaults = f.stack.pop()
    defaults = f.stack.pop()
    f.stack.append(Function(f.raw.children[ins.arg], f.context, f.globals,
                            () if defaults is NULL else tuple(defaults),
                            None if kwdefaults is NULL else kwdefaults))


@handler(Op.MAKE_CLOSURE)
def MAKE_CLOSURE(m: Machine, f: Frame, ins: Ins) -> None:
    cells = tuple(_take(f, ins.extra))
    f.stack.append(Function(f.raw.children[ins.arg], f.context, f.globals, closure=cells))


@handler(Op.MAKE_CLOSURE_DEFARGS)
def MAKE_CLOSURE_DEFARGS(m: Machine, f: Frame, ins: Ins) -> None:
    cells = tuple(_take(f, ins.extra))
    kwdefaults = f.stack.pop()
    defaults = f.stack.pop()
    f.stack.append(Function(f.raw.children[ins.arg], f.context, f.globals,
                            () if defaults is NULL else tuple(defaults),
                            None if kwdefaults is NULL else kwdefaults, cells))


class RepeatedKwargs(dict):
    """Keyword arguments in which a name came twice (``f(**a, **b)``, ``f(x=1, **{'x': 2})``).

    MicroPython passes the pairs on as they are: a native function keeps the
    last value, a bytecode function raises "multiple values" when it reaches the
    repeated name (``repeated``, checked by Machine._bind_keywords).
    """

    repeated: str = ""


def _keywords(pairs: list[Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    repeated = ""
    for i in range(0, len(pairs), 2):
        key, value = pairs[i], pairs[i + 1]
        for name, item in _splat_mapping(value) if key is NULL else ((key, value),):
            if not repeated and name in kwargs:
                repeated = name
            kwargs[name] = item
    if repeated:
        kwargs = RepeatedKwargs(kwargs)
        kwargs.repeated = repeated
    return kwargs


def _splat_mapping(mapping: Any) -> list[tuple[str, Any]]:
    if isinstance(mapping, MPDict):
        items = mapping.items()
    else:
        from reference_vm.subscr import load_subscr as get
        items = [(k, get(mapping, k)) for k in iterate(call(getattr_(mapping, "keys"), []))]
    for key, _ in items:
        if type(key) is not str:
            raise mp_error("TypeError", "keywords must be strings")
    return items


def _star_args(args: list[Any], bitmap: int) -> list[Any]:
    out: list[Any] = []
    for i, arg in enumerate(args):
        if bitmap >> i & 1:
            out.extend(iterate(arg))
        else:
            out.append(arg)
    return out


def _call(f: Frame, arg: int, method: bool, star: bool) -> None:
    n_pos, n_kw = call_counts(arg)
    bitmap = f.stack.pop() if star else 0
    pairs = _take(f, 2 * n_kw)
    args = _take(f, n_pos)
    if method:
        self_obj = f.stack.pop()
        if self_obj is not NULL:
            bitmap <<= 1
            args.insert(0, self_obj)
    fn = f.stack[-1]
    if star:
        args = _star_args(args, bitmap)
    kwargs = _keywords(pairs) if pairs else None
    f.stack[-1] = call(fn, args, kwargs)


@handler(Op.CALL_FUNCTION)
def CALL_FUNCTION(m: Machine, f: Frame, ins: Ins) -> Any:
    n = ins.arg
    if n > 0xff:
        _call(f, n, False, False)
        return
    # Positional arguments only (what _call does for this case, without its general steps).
    stack = f.stack
    if n:
        args = stack[-n:]
        del stack[-n:]
    else:
        args = []
    fn = stack[-1]
    if type(fn) is Function and not fn.raw.is_generator:
        m.callee = m.new_frame(fn, args, None)
        return CALL  # Machine.execute enters the frame; its return value replaces fn on the stack
    stack[-1] = call(fn, args, None)
    return None


@handler(Op.CALL_FUNCTION_VAR_KW)
def CALL_FUNCTION_VAR_KW(m: Machine, f: Frame, ins: Ins) -> None:
    _call(f, ins.arg, False, True)


@handler(Op.CALL_METHOD)
def CALL_METHOD(m: Machine, f: Frame, ins: Ins) -> Any:
    n = ins.arg
    if n > 0xff:
        _call(f, n, True, False)
        return
    # Positional arguments only; stack: [fn, self or NULL, args...].
    stack = f.stack
    first = len(stack) - n - 1  # the self slot
    args = stack[first + 1:] if stack[first] is NULL else stack[first:]
    del stack[first:]
    fn = stack[-1]
    if type(fn) is Function and not fn.raw.is_generator:
        m.callee = m.new_frame(fn, args, None)
        return CALL  # Machine.execute enters the frame; its return value replaces fn on the stack
    stack[-1] = call(fn, args, None)
    return None


@handler(Op.CALL_METHOD_VAR_KW)
def CALL_METHOD_VAR_KW(m: Machine, f: Frame, ins: Ins) -> None:
    _call(f, ins.arg, True, True)


# --- import --------------------------------------------------------------------------

_MISSING = object()


@handler(Op.IMPORT_NAME)
def IMPORT_NAME(m: Machine, f: Frame, ins: Ins) -> None:
    from reference_vm.modules import import_module
    fromlist = f.stack.pop()
    level = f.stack[-1]
    f.stack[-1] = import_module(m, ins.name, fromlist, level)


@handler(Op.IMPORT_FROM)
def IMPORT_FROM(m: Machine, f: Frame, ins: Ins) -> None:
    name = ins.name
    value = getattr_(f.stack[-1], name, _MISSING)
    if value is _MISSING:
        raise mp_error("ImportError", f"can't import name {name}")
    f.stack.append(value)


@handler(Op.IMPORT_STAR)
def IMPORT_STAR(m: Machine, f: Frame, ins: Ins) -> None:
    module = f.stack.pop()
    for key, value in module.globals.items():
        if type(key) is str and not key.startswith("_"):
            f.locals_dict[key] = value


def _bad_opcode(m: Machine, f: Frame, ins: Ins) -> None:
    raise GuestException(new_exception(T.EXCEPTIONS["NotImplementedError"], ("opcode",)))


def _build_dispatch() -> list[Handler]:
    table: list[Handler] = [_bad_opcode] * 256
    for op, fn in HANDLERS.items():
        for number in range(op, op + op.count):
            table[number] = fn
    return table


DISPATCH: list[Handler] = _build_dispatch()
