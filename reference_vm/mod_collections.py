"""The collections module as MicroPython's: namedtuple, OrderedDict and a fixed-size deque.

* namedtuple(name, fields): a tuple subclass whose instances read fields as
  attributes (storing one is ``AttributeError("can't set attribute")``) and
  have no ``_fields``/``_replace``/``count``/``index``; a field string is split
  on whitespace only (``'a, b'`` gives the fields ``a,`` and ``b``).
* OrderedDict: a dict subclass whose table keeps insertion order (a linear
  array compared by equality, as MicroPython's ordered map); it is never equal
  to a plain dict, and equal to another OrderedDict only in the same order.
* deque(iterable, maxlen[, flags]): append/appendleft/pop/popleft/extend,
  len/bool/in/indexing; a full deque drops from the other end (or raises
  ``IndexError('full')`` with flags=1); repr ``<deque>``; hashed by nothing.

Instances are ``Instance`` objects of built-in (non-user) types carrying a
native payload, so the VM's existing delegation handles tuple/dict behaviour.
"""

from __future__ import annotations

from typing import Any

from reference_vm import mptypes as T
from reference_vm.containers import MPDict, _equal
from reference_vm.exceptions import GuestException, mp_error, new_exception
from reference_vm.objects import NULL, BoundMethod, Instance, Module, MPType, NativeFunction, NativeIterator, Property


def _new_type(name: str, base: MPType) -> MPType:
    cls = MPType(name, (base,))
    cls.mp_type = T.TYPE
    return cls


def _guest_method(name: str, impl: Any, n: int) -> BoundMethod:
    """A member the VM calls like a guest method (natives are skipped for __repr__/__eq__ hooks)."""
    return BoundMethod(NativeFunction(name, lambda _owner, *a: impl(*a), n + 1, n + 1), None)


# --- namedtuple ---------------------------------------------------------------------

FIELD_T = _new_type("field", T.OBJECT)


def _field_get(desc: Instance, obj: Any, cls: Any) -> Any:
    if not isinstance(obj, Instance):
        return desc
    return obj.native[desc.native]


def _field_set(desc: Instance, obj: Any, value: Any = None) -> None:
    raise mp_error("AttributeError", "can't set attribute")


FIELD_T.locals.update({"__get__": NativeFunction("__get__", _field_get, 3, 3),
                       "__set__": NativeFunction("__set__", _field_set, 3, 3),
                       "__delete__": NativeFunction("__delete__", _field_set, 2, 2)})
_HIDDEN_TUPLE_ATTRS = ("count", "index")
_ORDER_OPS = {"__add__": "ADD", "__lt__": "LESS", "__le__": "LESS_EQUAL", "__gt__": "MORE", "__ge__": "MORE_EQUAL"}


def _tuple_compare(op_name: str) -> Any:
    """An ordering operator of a namedtuple: the tuple's own comparison of the payloads."""
    def compare(a: Any, b: Any) -> Any:
        from reference_vm.arith import binary_op
        from reference_vm.opcodes import BinaryOp
        from reference_vm.runtime import native_of
        return binary_op(getattr(BinaryOp, op_name), native_of(a), native_of(b))
    return compare


def namedtuple(name: Any, fields: Any) -> MPType:
    from reference_vm.reprs import repr_
    from reference_vm.runtime import STATE, type_name
    if not isinstance(name, str):
        raise mp_error("TypeError", f"can't convert '{type_name(name)}' object to str implicitly")
    if isinstance(fields, str):
        names = fields.split()
    elif isinstance(fields, (list, tuple)):
        names = []
        for f in fields:
            if not isinstance(f, str):
                raise mp_error("TypeError", f"can't convert '{type_name(f)}' object to str implicitly")
            names.append(f)
    else:
        raise mp_error("TypeError", f"object '{type_name(fields)}' isn't a tuple or list")
    cls = _new_type(name, T.TUPLE_T)
    n = len(names)

    def make_new(kind: MPType, args: list[Any], kwargs: dict[str, Any]) -> Instance:
        if len(args) + len(kwargs) != n:
            given = len(args) + len(kwargs)
            if STATE.profile.error_level == "terse":
                raise mp_error("TypeError", "argument num/types mismatch")
            if STATE.fully_detailed:
                raise mp_error("TypeError", f"{cls.name}() takes {n} positional arguments but {given} were given")
            raise mp_error("TypeError", f"function takes {n} positional arguments but {given} were given")
        items: list[Any] = [*args] + [NULL] * (n - len(args))
        for key, value in kwargs.items():
            if key not in names:
                raise mp_error("TypeError", f"unexpected keyword argument '{key}'")
            index = names.index(key)
            if items[index] is not NULL:
                raise mp_error("TypeError", f"function got multiple values for argument '{key}'")
            items[index] = value
        return Instance(cls, MPDict(), tuple(items))
    cls.make_new = make_new

    def repr_impl(obj: Instance) -> str:
        body = ", ".join(f"{f}={repr_(v)}" for f, v in zip(names, obj.native, strict=True))
        return f"{cls.name}({body})"
    cls.locals["__repr__"] = _guest_method("__repr__", repr_impl, 1)
    for attr, op in _ORDER_OPS.items():
        cls.locals[attr] = NativeFunction(attr, _tuple_compare(op), 2, 2)
    for attr in _HIDDEN_TUPLE_ATTRS:
        cls.locals[attr] = Property()
    for index in reversed(range(n)):  # the first of duplicate names wins
        cls.locals[names[index]] = Instance(FIELD_T, MPDict(), index)
    return cls


# --- OrderedDict --------------------------------------------------------------------

class OrderedMap:
    """An insertion-ordered table with MPMap's interface (MicroPython's is_ordered map)."""

    def __init__(self, pairs: list[list[Any]] | None = None) -> None:
        self.pairs: list[list[Any]] = pairs or []

    def _index(self, key: Any) -> int:
        for i, pair in enumerate(self.pairs):
            if pair[0] is key or _equal(pair[0], key):
                return i
        return -1

    def __len__(self) -> int:
        return len(self.pairs)

    def lookup(self, key: Any) -> tuple[bool, Any]:
        i = self._index(key)
        return (True, self.pairs[i][1]) if i >= 0 else (False, None)

    def get(self, key: Any, default: Any) -> Any:
        i = self._index(key)
        return self.pairs[i][1] if i >= 0 else default

    def __contains__(self, key: Any) -> bool:
        return self._index(key) >= 0

    def store(self, key: Any, value: Any) -> None:
        i = self._index(key)
        if i >= 0:
            self.pairs[i][1] = value
        else:
            self.pairs.append([key, value])

    def setdefault(self, key: Any, default: Any = None) -> Any:
        i = self._index(key)
        if i >= 0:
            return self.pairs[i][1]
        self.pairs.append([key, default])
        return default

    def pop(self, key: Any, default: Any = KeyError) -> Any:
        i = self._index(key)
        if i < 0:
            if default is KeyError:
                raise KeyError(key)
            return default
        return self.pairs.pop(i)[1]

    def popitem(self) -> tuple[Any, Any]:
        if not self.pairs:
            raise KeyError("popitem(): dictionary is empty")
        key, value = self.pairs.pop()
        return key, value

    def __iter__(self) -> Any:
        return iter(self.keys())

    def keys(self) -> list[Any]:
        return [p[0] for p in self.pairs]

    def values(self) -> list[Any]:
        return [p[1] for p in self.pairs]

    def items(self) -> list[tuple[Any, Any]]:
        return [(p[0], p[1]) for p in self.pairs]

    def update(self, other: Any) -> None:
        if other is not self:
            for key, value in other.items():
                self.store(key, value)

    def copy(self) -> OrderedMap:
        return OrderedMap([list(p) for p in self.pairs])

    def clear(self) -> None:
        self.pairs = []


def _ordered_native(obj: Any) -> Any:
    return obj.native if isinstance(obj, Instance) and obj.mp_type.is_subclass(ODICT_T) else None


def odict_new(kind: MPType, args: list[Any], kwargs: dict[str, Any]) -> Instance:
    from reference_vm.builtins_types import _args  # type: ignore[attr-defined]
    _args(args, 0, 1)
    d = MPDict()
    d.table = OrderedMap()  # type: ignore[assignment]
    if args:
        source = args[0]
        from reference_vm.runtime import iterate, native_of
        src = native_of(source)
        if type(src) is MPDict:
            for key, value in src.items():
                d[key] = value
        else:
            for pair in iterate(source):
                items = iterate(pair)
                if len(items) != 2:
                    raise mp_error("ValueError", "dict update sequence has wrong length")
                d[items[0]] = items[1]
    for key, value in kwargs.items():
        d[key] = value
    return Instance(kind, MPDict(), d)


def _odict_repr(obj: Instance) -> str:
    from reference_vm.reprs import repr_
    return f"OrderedDict({repr_(obj.native)})"


def _odict_eq(a: Instance, b: Any) -> bool:
    other = _ordered_native(b)
    if other is None:
        return False
    mine = a.native.items()
    theirs = other.items()
    return len(mine) == len(theirs) and all(
        _equal(k1, k2) and _equal(v1, v2) for (k1, v1), (k2, v2) in zip(mine, theirs, strict=True))


def _odict_copy(d: MPDict) -> Instance:
    new = MPDict()
    new.table = d.table.copy()
    return Instance(ODICT_T, MPDict(), new)


ODICT_T = _new_type("OrderedDict", T.DICT_T)
ODICT_T.make_new = odict_new
ODICT_T.locals.update({"__repr__": _guest_method("__repr__", _odict_repr, 1),
                       "__eq__": NativeFunction("__eq__", _odict_eq, 2, 2),
                       "copy": NativeFunction("copy", _odict_copy, 1, 1)})


# --- deque --------------------------------------------------------------------------

class Deque:
    def __init__(self, maxlen: int, flags: int) -> None:
        self.items: list[Any] = []
        self.maxlen = maxlen
        self.flags = flags
        self.addr = 0
        self.mp_type = DEQUE_T

    def repr_text(self) -> str:
        return "<deque>"

    def push(self, value: Any, left: bool) -> None:
        if len(self.items) >= self.maxlen:
            if self.flags & 1:
                raise mp_error("IndexError", "full")
            if not self.maxlen:
                return
            if left:
                self.items.pop()
            else:
                self.items.pop(0)
        if left:
            self.items.insert(0, value)
        else:
            self.items.append(value)


def _dq(obj: Any) -> Deque:
    return obj.native if isinstance(obj, Instance) else obj


def deque_new(kind: MPType, args: list[Any], kwargs: dict[str, Any]) -> Instance:
    from reference_vm.builtins_types import to_int_strict as to_int
    from reference_vm.runtime import iterate
    if kwargs:
        raise mp_error("TypeError", "function doesn't take keyword arguments")
    if not 2 <= len(args) <= 3:
        if len(args) < 2:
            raise mp_error("TypeError", f"function missing {2 - len(args)} required positional arguments")
        raise mp_error("TypeError", f"function expected at most 3 arguments, got {len(args)}")
    maxlen = to_int(args[1])
    if maxlen < 0:
        raise mp_error("ValueError")
    dq = Deque(maxlen, to_int(args[2]) if len(args) > 2 else 0)
    for item in iterate(args[0]):
        dq.push(item, False)
    return Instance(kind, MPDict(), dq)


def _dq_pop(obj: Any, left: bool) -> Any:
    dq = _dq(obj)
    if not dq.items:
        raise mp_error("IndexError", "empty")
    return dq.items.pop(0 if left else -1)


def _dq_index(dq: Deque, index: Any) -> int:
    from reference_vm.runtime import type_name
    if type(index) not in (int, bool):
        raise mp_error("TypeError", f"deque indices must be integers, not {type_name(index)}")
    i = int(index)
    if i < 0:
        i += len(dq.items)
    if not 0 <= i < len(dq.items):
        raise GuestException(new_exception(T.EXCEPTIONS["IndexError"], ("deque index out of range",)))
    return i


def _dq_getitem(obj: Any, index: Any) -> Any:
    dq = _dq(obj)
    return dq.items[_dq_index(dq, index)]


def _dq_setitem(obj: Any, index: Any, value: Any) -> None:
    dq = _dq(obj)
    dq.items[_dq_index(dq, index)] = value


def _dq_extend(obj: Any, iterable: Any) -> None:
    from reference_vm.runtime import iterate
    dq = _dq(obj)
    for item in iterate(iterable):
        dq.push(item, False)


def _dq_contains(obj: Any, value: Any) -> bool:
    return any(x is value or _equal(x, value) for x in _dq(obj).items)


DEQUE_T = _new_type("deque", T.OBJECT)
DEQUE_T.make_new = deque_new
DEQUE_T.locals.update({
    "append": NativeFunction("append", lambda q, v: _dq(q).push(v, False), 2, 2),
    "appendleft": NativeFunction("appendleft", lambda q, v: _dq(q).push(v, True), 2, 2),
    "pop": NativeFunction("pop", lambda q: _dq_pop(q, False), 1, 1),
    "popleft": NativeFunction("popleft", lambda q: _dq_pop(q, True), 1, 1),
    "extend": NativeFunction("extend", _dq_extend, 2, 2),
    "__len__": NativeFunction("__len__", lambda q: len(_dq(q).items), 1, 1),
    "__bool__": NativeFunction("__bool__", lambda q: bool(_dq(q).items), 1, 1),
    "__iter__": NativeFunction("__iter__", lambda q: NativeIterator(iter(list(_dq(q).items))), 1, 1),
    "__getitem__": NativeFunction("__getitem__", _dq_getitem, 2, 2),
    "__setitem__": NativeFunction("__setitem__", _dq_setitem, 3, 3),
    "__contains__": NativeFunction("__contains__", _dq_contains, 2, 2),
    "__hash__": None,
})


def make_collections() -> Module:
    from reference_vm.modules import fn, new_module
    return new_module("collections", {"namedtuple": fn("namedtuple", namedtuple, 2, 2),
                                      "OrderedDict": ODICT_T, "deque": DEQUE_T})
