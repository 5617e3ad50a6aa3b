"""str and bytes methods (only those MicroPython has: no ljust, title, isalnum...) and formatting.

``%`` formatting and ``str.format`` are done here on guest values: floats go
through ``floatfmt`` so digits follow MicroPython's formatter, everything else
through the guest's str()/repr(). Messages are MicroPython's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_vm import mptypes as T
from reference_vm.containers import MPDict
from reference_vm.exceptions import mp_error
from reference_vm.objects import NativeFunction
from reference_vm.runtime import STATE, getattr_, iterate, type_name
from reference_vm.subscr import byte_value, index_bounds, machine_int


def _str_arg(self: Any, value: Any) -> Any:
    if type(value) is not type(self) and not (isinstance(self, (bytes, bytearray))
                                              and isinstance(value, (bytes, bytearray))):
        name = type_name(value)   # bad_implicit_conversion names bytes for a str, str for anything else
        raise mp_error("TypeError", f"can't convert '{name}' object to {'bytes' if name == 'str' else 'str'} "
                       "implicitly" if not STATE.terse else "can't convert to str implicitly")
    return value


def s_join(self: Any, items: Any) -> Any:
    """str_join: every item must be of self's kind (bytes and bytearray count as one kind)."""
    parts = iterate(items)
    want = str if type(self) is str else bytes
    for p in parts:
        if (bytes if type(p) is bytearray else type(p)) is not want:
            raise mp_error("TypeError", "join expects a list of str/bytes objects consistent with self object")
    if want is str:
        return self.join(parts)
    return type(self)(bytes(self).join(parts))


_WS = " \t\n\r\x0b\x0c"


def _ws(self: Any) -> Any:
    return _WS.encode() if isinstance(self, (bytes, bytearray)) else _WS


def s_split(self: Any, sep: Any = None, maxsplit: Any = -1) -> list[Any]:
    if sep is not None:
        _str_arg(self, sep)
        if not sep:
            raise mp_error("ValueError", "empty separator")
        return self.split(sep, maxsplit)
    ws = _ws(self)
    out: list[Any] = []
    i, n = 0, len(self)
    while True:
        while i < n and self[i:i + 1] in ws and self[i:i + 1]:
            i += 1
        if i >= n:
            return out
        if maxsplit == 0:
            out.append(self[i:].rstrip(ws) if False else self[i:])
            return out
        j = i
        while j < n and self[j:j + 1] not in ws:
            j += 1
        out.append(self[i:j])
        maxsplit -= 1
        i = j


def s_rsplit(self: Any, sep: Any = None, maxsplit: Any = -1) -> list[Any]:
    if sep is not None:
        _str_arg(self, sep)
        if not sep:
            raise mp_error("ValueError", "empty separator")
        return self.rsplit(sep, maxsplit)
    if maxsplit != -1:
        raise mp_error("NotImplementedError", "rsplit(None,n)")
    return s_split(self)


def _finder(name: str, raise_missing: bool) -> Any:
    def find(self: Any, sub: Any, start: Any = None, end: Any = None) -> int:
        if type(self) is not str and type(sub) in (int, bool):  # {bytes,bytearray}.find(int): one byte
            if not 0 <= sub <= 255:
                raise mp_error("ValueError", "bytes value out of range")
            sub = bytes((sub,))
        _str_arg(self, sub)
        lo, hi = index_bounds(self, start, end)
        result = -1 if hi < lo else getattr(self[lo:hi], name)(sub)
        if result < 0:
            if raise_missing:
                raise mp_error("ValueError", "substring not found")
            return -1
        return result + lo
    return find


def s_startswith(self: Any, prefix: Any, start: Any = None, end: Any = None) -> bool:
    if type(prefix) is tuple:
        return any(s_startswith(self, p, start, end) for p in prefix)
    _str_arg(self, prefix)
    return self.startswith(prefix, start, end)


def s_endswith(self: Any, suffix: Any, start: Any = None, end: Any = None) -> bool:
    if type(suffix) is tuple:
        return any(s_endswith(self, p, start, end) for p in suffix)
    _str_arg(self, suffix)
    return self.endswith(suffix, start, end)


def _stripper(name: str) -> Any:
    def strip(self: Any, *chars: Any) -> Any:
        if chars:
            _str_arg(self, chars[0])
            return getattr(self, name)(chars[0])
        return getattr(self, name)(_ws(self))
    return strip


def _utf8(value: Any) -> bytes:
    return value.encode("utf-8", "surrogateescape") if type(value) is str else bytes(value)


def s_replace(self: Any, old: Any, new: Any, count: Any = -1) -> Any:
    """str_replace on the UTF-8 data: an empty ``old`` puts ``new`` before every *byte* (so a
    multi-byte character is split, as MicroPython does), then after the last one."""
    max_rep = machine_int(count)
    if max_rep == 0:
        return self
    _str_arg(self, old)
    _str_arg(self, new)
    data, target, insert = _utf8(self), _utf8(old), _utf8(new)
    if len(target) > len(data):
        return self
    out = bytearray(insert if not target else b"")
    done, pos = (1 if not target else 0), 0
    while done != max_rep and pos < len(data):
        found = data.find(target, pos)
        if found < 0:
            break
        found += 0 if target else 1
        out += data[pos:found] + insert
        pos = found + len(target)
        done += 1
    out += data[pos:]
    return out.decode("utf-8", "surrogateescape") if type(self) is str else type(self)(out)


def s_count(self: Any, sub: Any, start: Any = None, end: Any = None) -> int:
    _str_arg(self, sub)
    lo, hi = index_bounds(self, start, end)
    return self[lo:hi].count(sub)


def s_partition(self: Any, sep: Any) -> tuple[Any, ...]:
    _str_arg(self, sep)
    if not sep:
        raise mp_error("ValueError", "empty separator")
    return self.partition(sep)


def s_rpartition(self: Any, sep: Any) -> tuple[Any, ...]:
    _str_arg(self, sep)
    if not sep:
        raise mp_error("ValueError", "empty separator")
    return self.rpartition(sep)


def s_center(self: Any, width: Any) -> Any:
    """str_center: the width counts UTF-8 characters (for bytes too); the extra space goes right."""
    from reference_vm.builtins_types import to_int_strict
    width = to_int_strict(width)
    data = self.encode("utf-8", "surrogatepass") if type(self) is str else bytes(self)
    pad = width - sum(1 for b in data if b & 0xC0 != 0x80)
    if pad <= 0:
        return self
    text = b" " * (pad // 2) + data + b" " * (pad - pad // 2)
    return text.decode("utf-8", "surrogatepass") if type(self) is str else type(self)(text)


def s_splitlines(self: Any, keepends: Any = False) -> list[Any]:
    out = []
    start = i = 0
    n = len(self)
    nl, cr = ("\n", "\r") if isinstance(self, str) else (b"\n", b"\r")
    while i < n:
        ch = self[i:i + 1]
        if ch == nl or ch == cr:
            end = i + (2 if ch == cr and self[i + 1:i + 2] == nl else 1)
            out.append(self[start:end if keepends else i])
            start = i = end
        else:
            i += 1
    if start < n:
        out.append(self[start:])
    return out


def s_encode(self: str, encoding: Any = "utf-8", errors: Any = None) -> bytes:
    from reference_vm.unicode_codec import encode
    return encode(self, encoding)


def b_decode(self: Any, encoding: Any = "utf-8", errors: Any = None) -> str:
    from reference_vm.unicode_codec import decode
    return decode(bytes(self), encoding, errors)


def b_hex(self: Any, sep: Any = None) -> str:
    return bytes(self).hex() if sep is None else bytes(self).hex(sep)


def read_buffer(obj: Any) -> bytes:
    """mp_get_buffer_raise for reading: the bytes of a str, bytes, bytearray or memoryview."""
    from reference_vm.memview import buffer_of
    data = buffer_of(obj)
    if data is None:
        raise mp_error("TypeError", "object with buffer protocol required")
    return data


def b_fromhex(cls: Any, text: Any) -> bytes:
    """mp_obj_bytes_fromhex: any buffer; whitespace is skipped only before a pair of hex digits."""
    data = read_buffer(text)
    out = bytearray()
    i = 0
    while i < len(data):
        ch = data[i]
        i += 1
        if chr(ch) in _WS:
            continue
        if i >= len(data) or not _is_hex(ch) or not _is_hex(data[i]):
            raise mp_error("ValueError", "non-hex digit")
        out.append(int(bytes([ch, data[i]]), 16))
        i += 1
    return bytes(out)


def _is_hex(byte: int) -> bool:
    return chr(byte) in "0123456789abcdefABCDEF"


def _is_alpha(b: int) -> bool:
    return 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A


#: unicode.c's attribute table, as tests on one byte: ASCII only (no byte >= 0x80 has any attribute).
_BYTE_TESTS: dict[str, Callable[[int], bool]] = {
    "isspace": lambda b: b in (9, 10, 11, 12, 13, 32), "isalpha": _is_alpha, "isdigit": lambda b: 0x30 <= b <= 0x39,
    "isupper": lambda b: 0x41 <= b <= 0x5A, "islower": lambda b: 0x61 <= b <= 0x7A,
}


def _pred(name: str) -> Any:
    """str_uni_istype: the test on every byte of the UTF-8 data (False when empty); isupper/islower
    look only at letters and need at least one."""
    test = _BYTE_TESTS[name]

    def pred(self: Any) -> bool:
        data = self.encode("utf-8", "surrogateescape") if type(self) is str else bytes(self)
        if name in ("isupper", "islower"):
            letters = [b for b in data if _is_alpha(b)]
            return bool(letters) and all(test(b) for b in letters)
        return bool(data) and all(test(b) for b in data)
    return pred


def _ascii_case(upper: bool) -> Any:
    def convert(self: Any) -> Any:
        if isinstance(self, str):
            return "".join((c.upper() if upper else c.lower()) if c.isascii() else c for c in self)
        return self.upper() if upper else self.lower()
    return convert


# --- formatting (reference_vm.strformat does the work; here: guest callbacks and errors) --------

def _guest_errors(fn: Any) -> Any:
    """Turn strformat's MpError into the guest exception it names."""
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from reference_vm.exceptions import GuestException, new_exception
        from reference_vm.floatfmt import MpError
        try:
            return fn(*args, **kwargs)
        except MpError as exc:
            raise GuestException(new_exception(T.EXCEPTIONS[exc.exc_type], tuple(exc.exc_args))) from None
    return wrapped


def _hooks() -> dict[str, Any]:
    from reference_vm.reprs import repr_, str_
    return {"repr_fn": repr_, "str_fn": str_, "type_name_fn": type_name}


@_guest_errors
def percent_format(fmt: Any, values: Any) -> Any:
    """``fmt % values`` for str and bytes."""
    from reference_vm.strformat import percent_format as fmt_percent
    return fmt_percent(fmt, values, STATE.profile, is_dict=isinstance(values, MPDict), **_hooks())


@_guest_errors
def str_format(fmt: Any, *args: Any, **kwargs: Any) -> Any:
    """``fmt.format(*args, **kwargs)``."""
    from reference_vm.strformat import str_format as fmt_format
    return fmt_format(fmt, args, kwargs, STATE.profile, getattr_fn=getattr_, **_hooks())


@_guest_errors
def format_spec(value: Any, spec: str) -> str:
    """``format(value, spec)`` and f-string fields."""
    from reference_vm.strformat import format_spec as fmt_spec
    return fmt_spec(value, spec, STATE.profile, **_hooks())


def install() -> None:
    def nf(name: str, fn: Any, lo: int, hi: int, kw: bool = False) -> NativeFunction:
        return NativeFunction(name, fn, lo, hi, kw)

    common = {
        "find": nf("find", _finder("find", False), 2, 4), "rfind": nf("rfind", _finder("rfind", False), 2, 4),
        "index": nf("index", _finder("find", True), 2, 4), "rindex": nf("rindex", _finder("rfind", True), 2, 4),
        "join": nf("join", s_join, 2, 2), "split": nf("split", s_split, 1, 3),
        "splitlines": nf("splitlines", s_splitlines, 1, 2, True), "rsplit": nf("rsplit", s_rsplit, 1, 3),
        "startswith": nf("startswith", s_startswith, 2, 4), "endswith": nf("endswith", s_endswith, 2, 4),
        "strip": nf("strip", _stripper("strip"), 1, 2), "lstrip": nf("lstrip", _stripper("lstrip"), 1, 2),
        "rstrip": nf("rstrip", _stripper("rstrip"), 1, 2), "replace": nf("replace", s_replace, 3, 4),
        "count": nf("count", s_count, 2, 4), "partition": nf("partition", s_partition, 2, 2),
        "rpartition": nf("rpartition", s_rpartition, 2, 2), "center": nf("center", s_center, 2, 2),
        "lower": nf("lower", _ascii_case(False), 1, 1), "upper": nf("upper", _ascii_case(True), 1, 1),
        "isspace": nf("isspace", _pred("isspace"), 1, 1), "isalpha": nf("isalpha", _pred("isalpha"), 1, 1),
        "isdigit": nf("isdigit", _pred("isdigit"), 1, 1), "isupper": nf("isupper", _pred("isupper"), 1, 1),
        "islower": nf("islower", _pred("islower"), 1, 1),
    }
    T.STR_T.locals.update(common)
    T.STR_T.locals.update({"format": nf("format", str_format, 1, -1, True), "encode": nf("encode", s_encode, 1, 3)})
    from reference_vm.objects import ClassMethod
    for t in (T.BYTES_T, T.BYTEARRAY_T):
        t.locals.update(common)
        t.locals.update({"decode": nf("decode", b_decode, 1, 3), "hex": nf("hex", b_hex, 1, 2),
                         "format": nf("format", str_format, 1, -1, True),
                         "fromhex": ClassMethod(nf("fromhex", b_fromhex, 2, 2))})
    T.BYTEARRAY_T.locals.update({"append": nf("append", _bytearray_append, 2, 2),
                                 "extend": nf("extend", _bytearray_extend, 2, 2)})


def _bytearray_append(self: bytearray, value: Any) -> None:

    self.append(byte_value(value))


def _bytearray_extend(self: bytearray, source: Any) -> None:
    """array_extend: a buffer (str included) is copied as bytes; anything else is iterated, each item wrapped."""

    if type(source) in (bytes, bytearray, str):
        self.extend(source.encode() if type(source) is str else source)
    else:
        self.extend(byte_value(item) for item in iterate(source))
