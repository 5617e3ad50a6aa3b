"""Opcode handlers that build objects and call: tuples/lists/maps/sets, unpacking, functions and
closures, calls with keywords and star arguments, imports.

Registered with ``opreg.handler``.
"""

from __future__ import annotations

from typing import Any

from reference_vm.containers import MPDict, MPSet
from reference_vm.exceptions import mp_error
from reference_vm.machine import CALL, Frame, Ins, Machine
from reference_vm.objects import NULL, Function
from reference_vm.opcodes import Op, call_counts, unpack_ex_counts
from reference_vm.opreg import handler
from reference_vm.runtime import (
    STATE,
    call,
    getattr_,
    iterate,
)

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
    return _call_positional(m, stack, args)


def _call_positional(m: Machine, stack: list[Any], args: list[Any]) -> Any:
    """Call the callable on top of ``stack`` with ``args``; a bytecode function is entered inline."""
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
    return _call_positional(m, stack, args)


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
