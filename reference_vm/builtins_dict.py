"""dict and set methods, dict views, and the set algebra shared with the | & - ^ operators.

Results keep MicroPython's slot order because every new set or dict is built
by inserting into an MPDict/MPSet the way objset.c/objdict.c do (a copy of the
left operand, then the right operand's elements in its slot order).
"""

from __future__ import annotations

from typing import Any

from reference_vm import mptypes as T
from reference_vm.containers import MPDict, MPSet
from reference_vm.exceptions import mp_error
from reference_vm.objects import NULL, MPType, NativeFunction, NativeIterator
from reference_vm.opcodes import BinaryOp as B
from reference_vm.runtime import call, getattr_, iterate
from reference_vm.subscr import key_error, load_subscr

DICT_VIEW_T = MPType("dict_view", (T.OBJECT,))
DICT_VIEW_T.mp_type = T.TYPE


class DictView:
    """``d.keys()``/``values()``/``items()``: a live view printed as ``dict_keys([...])``."""

    __slots__ = ("addr", "d", "kind")
    mp_type = DICT_VIEW_T

    def __init__(self, d: MPDict, kind: str) -> None:
        self.d = d
        self.kind = kind
        self.addr = 0

    def items(self) -> list[Any]:
        if self.kind == "keys":
            return self.d.keys()
        if self.kind == "values":
            return self.d.values()
        return [tuple(kv) for kv in self.d.items()]

    def repr_text(self) -> str:
        from reference_vm.reprs import repr_
        return f"dict_{self.kind}({repr_(self.items())})"


T.register_host_type(DictView, DICT_VIEW_T)
DICT_VIEW_T.locals["__iter__"] = NativeFunction("__iter__", lambda v: NativeIterator(iter(v.items())), 1, 1)
DICT_VIEW_T.locals["__len__"] = NativeFunction("__len__", lambda v: len(v.d), 1, 1)


def dict_update(d: MPDict, *args: Any, **kwargs: Any) -> None:
    d.table.update(d.table)   # a no-op that a read-only dict refuses, before anything else
    if len(args) > 1:
        raise mp_error("TypeError", "function expected at most 2 arguments, got 3")
    if args:
        other = args[0]
        if isinstance(other, MPDict):
            for k, v in other.items():
                d[k] = v
        elif getattr_(other, "keys", None) is not None and not isinstance(other, (list, tuple)):
            for k in iterate(call(getattr_(other, "keys"), [])):
                d[k] = load_subscr(other, k)
        else:
            for item in iterate(other):
                pair = iterate(item)
                if len(pair) != 2:
                    raise mp_error("ValueError", "dict update sequence has wrong length")
                d[pair[0]] = pair[1]
    for k, v in kwargs.items():
        d[k] = v


def dict_get(d: MPDict, key: Any, default: Any = None) -> Any:
    return d.get(key, default)


def dict_pop(d: MPDict, key: Any, default: Any = NULL) -> Any:
    value = d.remove(key)
    if value is NULL:
        if default is NULL:
            raise key_error(key)
        return default
    return value


def dict_popitem(d: MPDict) -> tuple[Any, Any]:
    try:
        return d.table.popitem()
    except KeyError:
        raise mp_error("KeyError", "popitem(): dictionary is empty") from None


def dict_setdefault(d: MPDict, key: Any, default: Any = None) -> Any:
    return d.table.setdefault(key, default)


def dict_fromkeys(cls: Any, keys: Any, value: Any = None) -> MPDict:
    items = iterate(keys)
    d = MPDict(len(items) if isinstance(keys, (list, tuple, str, MPDict, MPSet)) else 0)
    for k in items:
        d[k] = value
    return d


# --- sets ----------------------------------------------------------------------------

def _as_set(value: Any) -> MPSet:
    return value if isinstance(value, MPSet) else MPSet(iterate(value))


def set_combine(op: int, lhs: MPSet, rhs: Any, inplace: bool) -> MPSet:
    """| & - ^ (and their _update methods); returns the result set (``lhs`` itself when in place)."""
    other = _as_set(rhs)
    if op == B.OR:
        result = lhs if inplace else lhs.copy()
        for x in other.items():
            result.add(x)
        return result
    if op == B.AND:
        result = MPSet()
        for x in other.items() if len(other) < len(lhs) and False else lhs.items():
            if x in other:
                result.add(x)
        if inplace:
            lhs.table.adopt(result.table)
            return lhs
        return result
    if op == B.SUBTRACT:
        result = lhs if inplace else lhs.copy()
        for x in other.items():
            result.discard(x)
        return result
    result = lhs if inplace else lhs.copy()
    for x in other.items():
        result.table.toggle(x)
    return result


def _set_method(op: int, inplace: bool) -> Any:
    def method(self: MPSet, *others: Any) -> Any:
        result = self
        for other in others:
            result = set_combine(op, result if inplace or result is not self else self, other, inplace)
        if not others and not inplace:
            result = self.copy()
        return None if inplace else result
    return method


def set_remove(s: MPSet, x: Any) -> None:
    if not s.discard(x):
        raise key_error(x)


def set_pop(s: MPSet) -> Any:
    try:
        return s.table.pop()
    except KeyError:
        raise mp_error("KeyError", "pop from an empty set") from None


def install() -> None:
    def nf(name: str, fn: Any, lo: int, hi: int, kw: bool = False) -> NativeFunction:
        return NativeFunction(name, fn, lo, hi, kw)

    from reference_vm.objects import ClassMethod
    T.DICT_T.locals.update({
        "keys": nf("keys", lambda d: DictView(d, "keys"), 1, 1),
        "values": nf("values", lambda d: DictView(d, "values"), 1, 1),
        "items": nf("items", lambda d: DictView(d, "items"), 1, 1),
        "get": nf("get", dict_get, 2, 3), "pop": nf("pop", dict_pop, 2, 3),
        "popitem": nf("popitem", dict_popitem, 1, 1),
        "setdefault": nf("setdefault", dict_setdefault, 2, 3), "update": nf("update", dict_update, 1, -1, True),
        "copy": nf("copy", lambda d: d.copy(), 1, 1), "clear": nf("clear", lambda d: d.clear(), 1, 1),
        "fromkeys": ClassMethod(nf("fromkeys", dict_fromkeys, 2, 3)),
    })
    common = {
        "copy": nf("copy", lambda s: s.copy(), 1, 1),
        "union": nf("union", _set_method(B.OR, False), 2, 2),
        "intersection": nf("intersection", _set_method(B.AND, False), 2, 2),
        "difference": nf("difference", _set_method(B.SUBTRACT, False), 1, -1),
        "symmetric_difference": nf("symmetric_difference", _set_method(B.XOR, False), 2, 2),
        "issubset": nf("issubset", lambda s, o: all(x in _as_set(o) for x in s.items()), 2, 2),
        "issuperset": nf("issuperset", lambda s, o: all(x in s for x in _as_set(o).items()), 2, 2),
        "isdisjoint": nf("isdisjoint", lambda s, o: not any(x in s for x in iterate(o)), 2, 2),
    }
    T.FROZENSET_T.locals.update(common)
    T.SET_T.locals.update(common)
    T.SET_T.locals.update({
        "add": nf("add", lambda s, x: s.add(x), 2, 2), "remove": nf("remove", set_remove, 2, 2),
        "discard": nf("discard", lambda s, x: (s.discard(x), None)[1], 2, 2), "pop": nf("pop", set_pop, 1, 1),
        "clear": nf("clear", lambda s: s.clear(), 1, 1),
        "update": nf("update", _set_method(B.OR, True), 1, -1),
        "intersection_update": nf("intersection_update", _set_method(B.AND, True), 1, -1),
        "difference_update": nf("difference_update", _set_method(B.SUBTRACT, True), 1, -1),
        "symmetric_difference_update": nf("symmetric_difference_update", _set_method(B.XOR, True), 2, 2),
    })
