"""str <-> bytes conversion as MicroPython 1.29 does it (objstr.c, unicode.c): utf-8 and ascii only.

Why not the host codecs: MicroPython's UTF-8 check is structural only (a lead
byte and the right number of continuation bytes), so it accepts overlong forms
and encoded surrogates that CPython rejects; its 'ignore'/'replace' handlers
walk the bytes in their own way; any encoding but utf-8/utf8/ascii is a
LookupError. Guest strs hold lone surrogates as themselves (what
``surrogatepass`` writes back), so what is decoded here encodes back unchanged.
"""

from __future__ import annotations

from typing import Any

from reference_vm.exceptions import mp_error
from reference_vm.runtime import STATE, type_name


def _name(value: Any) -> str:
    """mp_obj_str_get_qstr: the argument must be a str."""
    if type(value) is not str:
        raise mp_error("TypeError", f"can't convert '{type_name(value)}' object to str implicitly"
                       if not STATE.terse else "can't convert to str implicitly")
    return value


def parse_encoding(encoding: Any) -> str:
    """'utf-8' or 'ascii' for the names MicroPython knows; LookupError for any other."""
    name = _name(encoding)
    if name in ("utf-8", "utf8"):
        return "utf-8"
    if name == "ascii":
        return "ascii"
    if STATE.terse:
        raise mp_error("LookupError")
    raise mp_error("LookupError", f"unknown encoding: {name}")


def _lead_needs(byte: int) -> int:
    """How many continuation bytes a lead byte 0xC0..0xF7 announces (unicode.c's formula)."""
    return (0xE5 >> ((byte >> 3) & 0x6)) & 3


def is_valid(data: bytes, encoding: str) -> bool:
    """unicode_encoding_check: ascii is bytes < 0x80; utf-8 is leads followed by continuations."""
    need = 0
    for byte in data:
        if need:
            if byte & 0xC0 != 0x80:
                return False
            need -= 1
        elif encoding == "utf-8" and byte >= 0xC0:
            if byte >= 0xF8:
                return False
            need = _lead_needs(byte)
        elif byte >= 0x80:
            return False
    return need == 0


def _char(code: int, raw: bytes) -> str:
    if code <= 0x10FFFF:
        return chr(code)
    return raw.decode("utf-8", "surrogateescape")   # beyond Unicode: kept as the raw bytes


def _decode_loose(data: bytes, encoding: str, replace: bool) -> str:
    """Decode sequence by sequence; a broken one is dropped, or U+FFFD when ``replace``."""
    out: list[str] = []
    i, n = 0, len(data)
    while i < n:
        byte = data[i]
        if byte < 0x80:
            out.append(chr(byte))
            i += 1
        elif encoding == "utf-8" and 0xC0 <= byte < 0xF8:
            need, start = _lead_needs(byte), i
            i += 1
            got = 0
            while got < need and i < n and data[i] & 0xC0 == 0x80:
                got += 1
                i += 1
            if got == need:
                code = byte & (0x7F >> need)
                for cont in data[start + 1:i]:
                    code = (code << 6) | (cont & 0x3F)
                out.append(_char(code, data[start:i]))
            elif replace:
                out.append("\ufffd")
        else:
            if replace:
                out.append("\ufffd")
            i += 1
    return "".join(out)


def decode(data: bytes, encoding: Any, errors: Any = None) -> str:
    """str(data, encoding[, errors]) and bytes.decode(): invalid input is UnicodeError unless
    errors is 'ignore' or 'replace'."""
    enc = parse_encoding(encoding)
    if is_valid(data, enc):
        return _decode_loose(data, enc, False)
    handler = "" if errors is None else _name(errors)
    if handler in ("ignore", "replace"):
        return _decode_loose(data, enc, handler == "replace")
    raise mp_error("UnicodeError")


def encode(text: str, encoding: Any) -> bytes:
    """bytes(text, encoding) and str.encode(): the UTF-8 bytes, checked to be ASCII for 'ascii'."""
    enc = parse_encoding(encoding)
    data = text.encode("utf-8", "surrogatepass")
    if enc == "ascii" and not is_valid(data, "ascii"):
        raise mp_error("UnicodeError")
    return data
