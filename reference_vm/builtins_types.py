"""Constructors of the built-in types (int(), str(), list(), type(), ...) and class creation.

Each built-in ``MPType`` gets a ``make_new(cls, args, kwargs)``; user classes
are made by ``type_new`` (also used by ``__build_class__``), whose metaclass is
the type of the first base, as in MicroPython. Conversion errors use
MicroPython's texts ("invalid syntax for integer with base 10: 'xyz'",
"can't convert NoneType to int").
"""

from __future__ import annotations

import math
from typing import Any

from reference_vm import mptypes as T
from reference_vm.containers import MPDict, MPSet
from reference_vm.exceptions import mp_error, new_exception
from reference_vm.objects import (
    NULL,
    ClassMethod,
    Instance,
    MPType,
    NativeFunction,
    Property,
    StaticMethod,
    Super,
)
from reference_vm.runtime import STATE, call, iterate, truth, type_name


def _args(args: list[Any], lo: int, hi: int) -> None:
    n = len(args)
    if n < lo or n > hi:
        if lo == hi:
            raise mp_error("TypeError", f"function takes {lo} positional arguments but {n} were given")
        if n < lo:
            raise mp_error("TypeError", f"function missing {lo - n} required positional arguments")
        raise mp_error("TypeError", f"function expected at most {hi} arguments, got {n}")


def _no_kw(kwargs: dict[str, Any]) -> None:
    if kwargs:
        raise mp_error("TypeError", "function doesn't take keyword arguments")


_SPACES = b" \t\n\r\x0b\x0c"


def int_from_str(text: Any, base: int = 10) -> int:
    """mp_parse_num_integer on the UTF-8 bytes: spaces, a sign, a base prefix, digits where
    ``_`` may stand anywhere, spaces. An error quotes the text from the first digit on."""
    data = text.encode("utf-8", "surrogateescape") if type(text) is str else bytes(text)
    if base != 0 and not 2 <= base <= 36:
        raise mp_error("ValueError", "int() arg 2 must be >= 2 and <= 36")
    i, n = 0, len(data)
    while i < n and data[i] in _SPACES:
        i += 1
    neg = i < n and data[i] == 0x2D
    if i < n and data[i] in b"+-":
        i += 1
    i, base = _base_prefix(data, i, base)
    start, value = i, 0
    while i < n:
        ch = data[i]
        if ch == 0x5F:
            i += 1
            continue
        digit = ch - 0x30 if 0x30 <= ch <= 0x39 else (ch | 0x20) - 0x57 if 0x61 <= (ch | 0x20) <= 0x7A else 99
        if digit >= base:
            break
        value = value * base + digit
        i += 1
    end = i
    while i < n and data[i] in _SPACES:
        i += 1
    if end == start or i != n:
        raise _int_syntax_error(data[start:], 0 if base == 1 else base)
    return -value if neg else value


def _base_prefix(data: bytes, i: int, base: int) -> tuple[int, int]:
    """mp_parse_num_base: skip 0x/0o/0b when the base allows it; base 0 without one is 10, or 1
    (only zeros parse) when the text starts with 0."""
    if len(data) - i > 1 and data[i] == 0x30:
        prefix = {0x78: 16, 0x6F: 8, 0x62: 2}.get(data[i + 1] | 0x20)
        if prefix is not None and base in (0, prefix):
            return i + 2, prefix
        return i, 1 if base == 0 else base
    return i, 10 if base == 0 else base


def _int_syntax_error(rest: bytes, base: int) -> Exception:
    if STATE.terse:
        return mp_error("ValueError", "invalid syntax for integer")
    if not STATE.fully_detailed:
        return mp_error("ValueError", f"invalid syntax for integer with base {base}")
    from reference_vm.reprs import repr_
    return mp_error("ValueError", f"invalid syntax for integer with base {base}: {repr_(rest)[1:]}")


def to_int(value: Any) -> int:
    kind = type(value)
    if kind is int:
        return value
    if kind is bool:
        return int(value)
    if kind is float:
        if math.isnan(value):
            raise mp_error("ValueError", "can't convert NaN to int")
        if math.isinf(value):
            raise mp_error("OverflowError", "can't convert inf to int")
        return int(value)
    if kind in (str, bytes, bytearray):
        return int_from_str(value)
    if kind is Instance:
        method = value.mp_type.lookup("__int__")
        if method is not NULL:
            return call(method, [value])
        if value.mp_type.native_base is T.INT_T:
            from reference_vm.runtime import native_of
            return native_of(value)
    raise mp_error("TypeError", f"can't convert {type_name(value)} to int" if STATE.detailed
                   else "can't convert to int")


def int_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _no_kw(kwargs)
    _args(args, 0, 2)
    if not args:
        return 0
    if len(args) == 2:
        if type(args[0]) not in (str, bytes, bytearray):
            raise mp_error("TypeError", f"can't convert '{type_name(args[0])}' object to str implicitly")
        return int_from_str(args[0], to_int(args[1]))
    return to_int(args[0])


def to_float(value: Any) -> float:
    from reference_vm.arith import to_float as rounded
    kind = type(value)
    if kind is float:
        return value
    if kind is int or kind is bool:
        from reference_vm.arith import _int_to_float
        return rounded(_int_to_float(int(value)))
    if kind in (str, bytes, bytearray):
        from reference_vm.floatfmt import MpError, parse_float
        try:
            return parse_float(value, STATE.profile)
        except MpError as exc:
            raise mp_error(exc.exc_type, exc.message) from None
    if kind is Instance:
        method = value.mp_type.lookup("__float__")
        if method is not NULL:
            return call(method, [value])
    raise mp_error("TypeError", f"can't convert {type_name(value)} to float" if STATE.detailed
                   else "can't convert to float")


def float_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _no_kw(kwargs)
    _args(args, 0, 1)
    return to_float(args[0]) if args else 0.0


def complex_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _args(args, 0, 2)
    if not args:
        return 0j
    if type(args[0]) is str:
        try:
            return complex(args[0])
        except ValueError:
            raise mp_error("ValueError", "invalid syntax for number") from None
    real = args[0] if type(args[0]) is complex else complex(to_float(args[0]))
    imag = args[1] if len(args) > 1 else 0
    imag = imag if type(imag) is complex else complex(to_float(imag))
    return real + imag * 1j


def str_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    from reference_vm.reprs import str_
    _args(args, 0, 3)
    if not args:
        return ""
    if len(args) > 1:
        from reference_vm.builtins_str import read_buffer
        from reference_vm.unicode_codec import decode
        return decode(read_buffer(args[0]), args[1], args[2] if len(args) > 2 else None)
    return str_(args[0])


def bytes_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _args(args, 0, 3)
    host = bytearray if cls is T.BYTEARRAY_T else bytes
    if not args:
        return host()
    value = args[0]
    if type(value) is str:
        if len(args) < 2:
            raise mp_error("TypeError", "string argument without an encoding")
        from reference_vm.unicode_codec import encode
        return host(encode(value, args[1]))
    if type(value) is int and STATE.profile.is_small_int(value):
        if value < 0 and host is bytes:
            raise mp_error("ValueError")
        if value < 0:   # bytearray allocates (size_t)n bytes, which cannot succeed
            raise mp_error("MemoryError", "memory allocation failed, allocating "
                           f"{STATE.profile.unsigned_word(value)} bytes")
        return host(value)
    if type(value) in (bytes, bytearray) or T.type_of(value) is T.MEMORYVIEW_T:
        from reference_vm.builtins_str import read_buffer
        return host(read_buffer(value))
    if host is bytearray:   # objarray.c: each item truncated to a byte, as a store would be
        from reference_vm.subscr import byte_value
        return bytearray(byte_value(item) for item in iterate(value))
    out = bytearray()
    for item in iterate(value):
        byte = to_int_strict(item)
        if not 0 <= byte < 256:
            raise mp_error("ValueError", "bytes value out of range")
        out.append(byte)
    return bytes(out)


def _collection(build: Any) -> Any:
    def make(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
        _no_kw(kwargs)
        _args(args, 0, 1)
        return build(iterate(args[0]) if args else [])
    return make


def dict_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    from reference_vm.builtins_dict import dict_update
    _args(args, 0, 1)
    d = MPDict()
    dict_update(d, *args, **kwargs)
    return d


def bool_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _args(args, 0, 1)
    return truth(args[0]) if args else False


def range_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _no_kw(kwargs)
    _args(args, 1, 3)
    ints = [to_int_strict(a) for a in args]
    if len(ints) == 3 and ints[2] == 0:
        raise mp_error("ValueError", "zero step")
    return range(*ints)


def to_int_strict(value: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is bool:
        return int(value)
    raise mp_error("TypeError", f"can't convert {type_name(value)} to int" if STATE.detailed
                   else "can't convert to int")


def slice_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _args(args, 1, 3)
    return slice(*args)


def object_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _args(args, 0, 0)
    return Instance(T.OBJECT, MPDict())


def type_new(meta: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _no_kw(kwargs)
    _args(args, 1, 3)
    if len(args) == 1:
        return T.type_of(args[0])
    if len(args) == 2:
        raise mp_error("TypeError", "type takes 1 or 3 arguments")
    name, bases, namespace = args
    if type(bases) is not tuple or not all(isinstance(b, MPType) for b in bases):
        raise mp_error("TypeError", "type is not an acceptable base type")
    locals_ = namespace if isinstance(namespace, MPDict) else MPDict()
    cls = MPType(name, bases or (T.OBJECT,), locals_, is_user=True)
    cls.mp_type = meta
    if _native_base_count(cls) > 1:
        raise mp_error("TypeError", "multiple bases have instance lay-out conflict")
    return cls


def _native_base_count(cls: MPType) -> int:
    """How many built-in bases (counted through every user base) a class's instances would need.

    A built-in type ends its branch (its own bases do not count), so
    ``class E(MyError, ValueError)`` with ``MyError(Exception)`` has two and is
    rejected, as instance_count_native_bases in objtype.c finds.
    """
    if cls is T.OBJECT:
        return 0
    if not cls.is_user:
        return 1
    return sum(_native_base_count(base) for base in cls.bases)


def exception_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _no_kw(kwargs)
    return new_exception(cls, tuple(args))


def property_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _args(args, 0, 4)
    values = list(args) + [None] * (3 - min(len(args), 3))
    fget, fset, fdel = values[:3]
    fget = kwargs.get("fget", fget)
    fset = kwargs.get("fset", fset)
    fdel = kwargs.get("fdel", fdel)
    return Property(fget, fset, fdel)


def super_new(cls: MPType, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 2:
        raise mp_error("TypeError", f"function takes 2 positional arguments but {len(args)} were given")
    return Super(args[0], args[1])


def install() -> None:
    T.INT_T.make_new = int_new
    T.FLOAT_T.make_new = float_new
    T.COMPLEX_T.make_new = complex_new
    T.STR_T.make_new = str_new
    T.BYTES_T.make_new = bytes_new
    T.BYTEARRAY_T.make_new = bytes_new
    T.LIST_T.make_new = _collection(list)
    T.TUPLE_T.make_new = _collection(tuple)
    T.SET_T.make_new = _collection(MPSet)
    T.FROZENSET_T.make_new = _collection(lambda items: MPSet(items, frozen=True))
    T.DICT_T.make_new = dict_new
    T.BOOL_T.make_new = bool_new
    T.RANGE_T.make_new = range_new
    T.SLICE_T.make_new = slice_new
    T.OBJECT.make_new = object_new
    T.TYPE.make_new = type_new
    T.PROPERTY_T.make_new = property_new
    T.SUPER_T.make_new = super_new
    T.CLASSMETHOD_T.make_new = lambda cls, args, kw: ClassMethod(args[0])
    T.STATICMETHOD_T.make_new = lambda cls, args, kw: StaticMethod(args[0])
    for exc in T.EXCEPTIONS.values():
        exc.make_new = exception_new
    T.OBJECT.locals["__new__"] = StaticMethod(NativeFunction(
        "__new__", lambda cls, *a: Instance(cls, MPDict(), NULL if cls.native_base is not None else None), 1, -1))
    T.TYPE.locals["__new__"] = StaticMethod(NativeFunction(
        "__new__", lambda meta, *a: type_new(meta, list(a), {}), 2, 4))
    T.PROPERTY_T.locals.update({
        "getter": NativeFunction("getter", lambda p, f: Property(f, p.fset, p.fdel), 2, 2),
        "setter": NativeFunction("setter", lambda p, f: Property(p.fget, f, p.fdel), 2, 2),
        "deleter": NativeFunction("deleter", lambda p, f: Property(p.fget, p.fset, f), 2, 2),
    })
    T.RANGE_T.locals.update({
        "start": Property(NativeFunction("start", lambda r: r.start, 1, 1)),
        "stop": Property(NativeFunction("stop", lambda r: r.stop, 1, 1)),
        "step": Property(NativeFunction("step", lambda r: r.step, 1, 1)),
    })
    T.SLICE_T.locals.update({
        "start": Property(NativeFunction("start", lambda r: r.start, 1, 1)),
        "stop": Property(NativeFunction("stop", lambda r: r.stop, 1, 1)),
        "step": Property(NativeFunction("step", lambda r: r.step, 1, 1)),
    })
    T.COMPLEX_T.locals.update({
        "real": Property(NativeFunction("real", lambda c: c.real, 1, 1)),
        "imag": Property(NativeFunction("imag", lambda c: c.imag, 1, 1)),
    })
