"""str() and repr() of every guest value, as MicroPython prints them.

Differences from CPython that show up in output: floats through the profile's
float formatter (float32 profiles print fewer digits), dicts and sets in slot
order, exceptions as ``KeyError('k',)`` and ``str(KeyError('k')) == 'k'``,
classes as ``<class 'B'>`` (no module prefix), instances as
``<B object at 0x...>`` with deterministic fake addresses, and strings escape
only control characters (non-ASCII letters print as themselves). Printing a
self-referencing list recurses until MicroPython's recursion error.
"""

from __future__ import annotations

from typing import Any

from reference_vm import mptypes as T
from reference_vm.containers import MPDict, MPSet
from reference_vm.exceptions import exc_args, is_exception, mp_error
from reference_vm.objects import (
    NULL,
    BoundMethod,
    Cell,
    ClassMethod,
    Function,
    Instance,
    Module,
    MPType,
    NativeFunction,
    NativeIterator,
    Property,
    StaticMethod,
    fake_address,
)
from reference_vm.runtime import STATE, call, native_of

_depth = [0]
MAX_REPR_DEPTH = 200


def float_repr(x: float) -> str:
    """A float as MicroPython prints it (``str == repr``)."""
    from reference_vm.floatfmt import float_repr as format_repr  # imported late: floatfmt imports this module's users
    return format_repr(x, STATE.profile)


_NAMED_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _named_escape(ch: str, quote: str) -> str | None:
    """The escape str and bytes reprs share for the quote, backslash, \\n, \\r and \\t."""
    return "\\" + ch if ch == quote else _NAMED_ESCAPES.get(ch)


def _has_raw_bytes(s: str) -> bool:
    """True when ``s`` carries bytes that are no valid UTF-8 (kept as surrogate escapes)."""
    return any("\udc80" <= ch <= "\udcff" for ch in s) if not s.isascii() else False


def _utf8_repr(data: bytes, quote: str) -> list[str]:
    """uni_print_quoted over UTF-8 data that may be invalid: each character decoded as utf8_get_char
    does (a lead byte's low bits, then any continuation bytes), escaped by that value, and printed
    as its own bytes when it is a printable non-ASCII character; continuation bytes after an ASCII
    character are stepped over unseen, as utf8_next_char does."""
    out = []
    i, n = 0, len(data)
    while i < n:
        start = i
        ch = data[i]
        i += 1
        if ch >= 0x80:
            ch &= 0x7F
            mask = 0x40
            while ch & mask:
                ch &= ~mask
                mask >>= 1
            while i < n and data[i] & 0xC0 == 0x80:
                ch = (ch << 6) | (data[i] & 0x3F)
                i += 1
        while i < n and data[i] & 0xC0 == 0x80:  # utf8_next_char: stray continuation bytes are skipped
            i += 1
        named = _named_escape(chr(ch), quote) if ch < 0x80 else None
        if named is not None:
            out.append(named)
        elif ch < 0x20 or ch == 0x7F:
            out.append(f"\\x{ch:02x}")
        elif ch < 0x80:
            out.append(chr(ch))
        elif ch < 0xD800 or 0xE000 <= ch < 0x110000:
            out.append(data[start:i].decode("utf-8", "surrogateescape"))
        else:
            out.append(f"\\u{ch:04x}" if ch < 0x10000 else f"\\U{ch:08x}")
    return out


def str_repr(s: str) -> str:
    quote = "'" if "'" not in s or '"' in s else '"'
    if _has_raw_bytes(s):
        return quote + "".join(_utf8_repr(s.encode("utf-8", "surrogateescape"), quote)) + quote
    out = [quote]
    for ch in s:
        o = ord(ch)
        named = _named_escape(ch, quote)
        if named is not None:
            out.append(named)
        elif o < 0x20 or o == 0x7f:
            out.append(f"\\x{o:02x}")
        else:
            out.append(ch)
    out.append(quote)
    return "".join(out)


def bytes_repr(b: bytes | bytearray) -> str:
    quote = "'" if b"'" not in b or b'"' in b else '"'
    out = ["b", quote]
    for o in b:
        ch = chr(o)
        named = _named_escape(ch, quote)
        if named is not None:
            out.append(named)
        elif o < 0x20 or o >= 0x7f:
            out.append(f"\\x{o:02x}")
        else:
            out.append(ch)
    out.append(quote)
    return "".join(out)


def complex_repr(c: complex) -> str:
    def part(x: float) -> str:
        text = float_repr(x)
        return text[:-2] if text.endswith(".0") else text
    if c.real == 0 and str(c.real)[0] != "-":
        return part(c.imag) + "j"
    imag = part(c.imag)
    sign = "" if imag.startswith("-") or (imag == "nan" and False) else "+"
    if imag in ("nan", "-nan"):
        sign = "+"
    return f"({part(c.real)}{sign}{imag}j)"


def repr_(value: Any) -> str:
    return _to_text(value, True)


def str_(value: Any) -> str:
    if type(value) is str:
        return value
    return _to_text(value, False)


def _to_text(value: Any, as_repr: bool) -> str:
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return str_repr(value) if as_repr else value
    if kind is float:
        return float_repr(value)
    _depth[0] += 1
    try:
        if _depth[0] > MAX_REPR_DEPTH:
            raise mp_error("RuntimeError", "maximum recursion depth exceeded")
        return _container_text(value, kind, as_repr)
    finally:
        _depth[0] -= 1


def _container_text(value: Any, kind: type, as_repr: bool) -> str:
    if kind is list:
        return "[" + ", ".join(repr_(x) for x in value) + "]"
    if kind is tuple:
        if len(value) == 1:
            return "(" + repr_(value[0]) + ",)"
        return "(" + ", ".join(repr_(x) for x in value) + ")"
    if kind is MPDict:
        return "{" + ", ".join(repr_(k) + ": " + repr_(v) for k, v in value.items()) + "}"
    if kind is MPSet:
        items = value.items()
        name = "frozenset" if value.frozen else "set"
        if not items:
            return name + "()"
        body = "{" + ", ".join(repr_(x) for x in items) + "}"
        return f"frozenset({body})" if value.frozen else body
    if kind is bytes:
        return bytes_repr(value)
    if kind is bytearray:
        return f"bytearray({bytes_repr(value)})"
    if kind is complex:
        return complex_repr(value)
    if kind is range:
        step = f", {value.step}" if value.step != 1 else ""
        return f"range({value.start}, {value.stop}{step})"
    if kind is slice:
        return f"slice({repr_(value.start)}, {repr_(value.stop)}, {repr_(value.step)})"
    if kind is Instance:
        return _instance_text(value, as_repr)
    if kind is MPType:
        return f"<class '{value.name}'>"
    if kind is Function:
        word = "closure" if value.closure else "function"
        return f"<{word} {value.name} at 0x{fake_address(value):x}>"
    if kind is NativeFunction:
        return f"<function {value.name}>" if False else "<function>"
    if kind is BoundMethod:
        return f"<bound_method {fake_address(value):x} {repr_(value.self_obj)}.{_func_name(value.func)}>"
    if kind is Module:
        return f"<module '{value.name}'>"
    if value is ...:
        return "Ellipsis"
    if value is NotImplemented:
        return "NotImplemented"
    if kind is Cell:
        return f"<cell {fake_address(value):x}>"
    if kind in (StaticMethod, ClassMethod, Property):
        return f"<{T.type_of(value).name}>"
    if kind is NativeIterator:   # a type without a print slot prints as "<name>" (mp_obj_print_helper)
        return f"<{T.type_of(value).name}>"
    printer = getattr(value, "repr_text", None)
    if printer is not None:
        return str(printer())
    if value is NULL:
        return "<NULL>"
    return f"<{T.type_of(value).name} object at 0x{fake_address(value):x}>"


def _func_name(fn: Any) -> str:
    return getattr(fn, "name", "?")


def _instance_text(value: Instance, as_repr: bool) -> str:
    cls = value.mp_type
    method = cls.lookup("__str__") if not as_repr else NULL
    if method is NULL:
        method = cls.lookup("__repr__")
    if method is not NULL and not isinstance(method, NativeFunction):
        result = call(method, [value])
        return result if type(result) is str else str_(result)
    if is_exception(value):
        args = exc_args(value)
        if as_repr:
            return cls.name + _tuple_args(args)
        if not args:
            return ""
        if len(args) == 1:
            return str_(args[0])
        return repr_(args)
    if value.native is not None and cls.native_base is not None:
        return _to_text(native_of(value), as_repr)
    return f"<{cls.name} object at 0x{fake_address(value):x}>"


def _tuple_args(args: tuple[Any, ...]) -> str:
    if len(args) == 1:
        return "(" + repr_(args[0]) + ",)"
    return "(" + ", ".join(repr_(x) for x in args) + ")"
