"""MicroPython's low-level printers (py/mpprint.c) and the value conversions the formatters use.

Both ``%`` formatting and ``str.format`` end in three C routines: pad a byte
string (``mp_print_strn``), print an int with sign/prefix/precision
(``mp_print_mp_int``), print a float (``mp_print_float``). Their quirks reach
the output ('%-05d' % 3 is '30000'; zero padding with ',' inserts commas into
the padding, even for floats; widths count UTF-8 bytes, not characters), so
they are ported as they are, working on bytes.

``Ctx`` carries the profile and the VM callbacks for values this module does
not know (instances, lists, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reference_vm.floatemu import FloatProfile
from reference_vm.floatfmt import MpError, float_repr, format_float, int_to_float

__all__ = ["ADD_PERCENT", "CENTER", "LEFT", "MAX_PAD", "OCTAL_LETTER", "PAD_AFTER_SIGN", "SEP_POS", "SHOW_PREFIX",
           "SHOW_SIGN", "SPACE_SIGN", "Ctx", "bytes_repr", "c_int", "print_char", "print_float", "print_mp_int",
           "print_strn", "str_repr"]

LEFT, SHOW_SIGN, SPACE_SIGN, SHOW_PREFIX = 0x001, 0x002, 0x004, 0x008
PAD_AFTER_SIGN, CENTER, ADD_PERCENT, OCTAL_LETTER = 0x010, 0x020, 0x040, 0x080
MAX_PAD = 1 << 24
SEP_POS = 9  # the grouping character (',' or '_') is stored in the flags from this bit up

_PAD_COMMON = b"0000000000000000_000,00"  # pad_common[] of mpprint.c: zeros, "0000_", "000,"


@dataclass
class Ctx:
    """One formatting call: the target profile and the VM's callbacks.

    ``int_fn``/``float_fn`` stand for MP_UNARY_OP_INT_MAYBE/FLOAT_MAYBE on
    values that are not int/bool/float (return None when unsupported).
    """

    profile: FloatProfile
    repr_fn: Callable[[Any], str]
    str_fn: Callable[[Any], str]
    type_name_fn: Callable[[Any], str] | None = None
    int_fn: Callable[[Any], int | None] | None = None
    float_fn: Callable[[Any], float | None] | None = None

    @property
    def terse(self) -> bool:
        return self.profile.error_level == "terse"

    @property
    def detailed(self) -> bool:
        return self.profile.error_level == "detailed"

    def type_name(self, v: Any) -> str:
        """``mp_obj_get_type_str``: the MicroPython type name used in messages."""
        for host, name in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str"), (bytes, "bytes"),
                           (bytearray, "bytearray"), (tuple, "tuple"), (list, "list"), (type(None), "NoneType"),
                           (complex, "complex"), (dict, "dict")):
            if type(v) is host:
                return name
        if self.type_name_fn is not None:
            return self.type_name_fn(v)
        mp_type = getattr(v, "mp_type", None)
        return str(getattr(mp_type, "name", type(v).__name__))

    def get_int(self, v: Any) -> int:
        """``mp_obj_get_int``: bool/int (must fit a machine word) or the VM's __int__-like conversion."""
        if isinstance(v, bool):
            return int(v)
        if not isinstance(v, int):
            got = self.int_fn(v) if self.int_fn is not None else None
            if got is None:
                raise MpError("TypeError", "can't convert to int" if self.terse
                              else f"can't convert {self.type_name(v)} to int")
            v = got
        if abs(v) >> (self.profile.word_bits - 1):  # symmetric, as mpz_as_int_checked (see subscr.machine_int)
            raise MpError("OverflowError", "overflow converting long int to machine word")
        return int(v)

    def get_float(self, v: Any) -> float:
        """``mp_obj_get_float``: bool, int (converted as the firmware does), float, or the VM's conversion."""
        if isinstance(v, bool):
            return float(v)
        if isinstance(v, int):
            return int_to_float(v, self.profile)
        if isinstance(v, float):
            return v
        got = self.float_fn(v) if self.float_fn is not None else None
        if got is None:
            raise MpError("TypeError", "can't convert to float" if self.terse
                          else f"can't convert {self.type_name(v)} to float")
        return got

    def text(self, v: Any, kind: str) -> bytes:
        """``mp_obj_print_helper`` into a buffer; kind is 'str', 'repr' or 'raw' (bytes undecorated)."""
        if isinstance(v, bool) or v is None:
            return str(v).encode()
        if isinstance(v, int):
            return str(v).encode()
        if isinstance(v, float):
            return float_repr(v, self.profile).encode()
        if isinstance(v, str):
            return _utf8(v) if kind != "repr" else _utf8(str_repr(v))
        if isinstance(v, bytes):
            return v if kind == "raw" else bytes_repr(v).encode()
        return _utf8(self.repr_fn(v) if kind == "repr" else self.str_fn(v))


def _utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def str_repr(s: str) -> str:
    """repr of a str as MicroPython prints it: only ASCII controls and DEL are escaped, U+0080.. kept."""
    quote = '"' if "'" in s and '"' not in s else "'"
    out = [quote]
    for ch in s:
        c = ord(ch)
        if ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif 32 <= c <= 126 or (c > 127 and not 0xD800 <= c < 0xE000):
            out.append(ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif c <= 127:
            out.append(f"\\x{c:02x}")
        else:
            out.append(f"\\u{c:04x}")
    return "".join(out) + quote


def bytes_repr(b: bytes) -> str:
    """repr of bytes as MicroPython prints it (same quoting rule as str, every byte >= 0x7f escaped)."""
    quote = 34 if 39 in b and 34 not in b else 39
    out = ["b", chr(quote)]
    for c in b:
        if c == quote or c == 92:
            out.append("\\" + chr(c))
        elif 32 <= c < 127:
            out.append(chr(c))
        else:
            out.append({10: "\\n", 13: "\\r", 9: "\\t"}.get(c, f"\\x{c:02x}"))
    return "".join(out) + chr(quote)


def c_int(n: int) -> int:
    """``(int)n``: widths and precisions are C ints, so larger values wrap (2**32 + 5 is 5)."""
    return ((n + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def print_strn(out: bytearray, data: bytes, flags: int, fill: int, width: int) -> None:
    """``mp_print_strn``: pad data to width (in bytes) with fill; ',' / '_' grouping leaks into zero padding.

    A pad beyond MAX_PAD raises MemoryError, as the firmware's heap would (its
    exact limit and message cannot be reproduced).
    """
    pad = width - len(data)
    if pad > MAX_PAD:
        raise MpError("MemoryError", "memory allocation failed")
    grouping = flags >> SEP_POS
    if not fill or fill == 0x20:
        pad_chars = b" " * 16
    elif fill == 0x30 and not grouping:
        pad_chars = _PAD_COMMON[:16]
    elif fill == 0x30:
        start, size = (12, 5) if grouping == 0x5F else (17, 4)
        if width % size == 0:
            pad += 1
            width += 1
        start += size - 1 - width % size
        pad_chars = _PAD_COMMON[start:start + size]
    else:
        pad_chars = bytes([fill])
    if flags & CENTER:
        left = int(pad / 2)
        right = pad - left
    elif flags & LEFT:
        left, right = 0, pad
    else:
        left, right = pad, 0
    size = len(pad_chars)
    while left > 0:
        out += pad_chars[:min(left, size)]
        left -= size
    out += data
    while right > 0:
        out += pad_chars[:min(right, size)]
        right -= size


def _int_formatted(x: int, base: int, prefix: bytes, base_char: int, comma: int) -> bytes:
    """``mp_obj_int_formatted``: sign, prefix, digits grouped by 3 (base 10) or 4 (other bases)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    m, out = abs(x), []
    while True:
        c = m % base
        out.append(ord(digits[c]) if c < 10 else c - 10 + base_char)
        m //= base
        if not m:
            break
    if comma:
        group, grouped = (3 if base == 10 else 4), []
        for i, c in enumerate(out):
            if i and i % group == 0:
                grouped.append(comma)
            grouped.append(c)
        out = grouped
    return (b"-" if x < 0 else b"") + prefix + bytes(reversed(out))


def print_mp_int(ctx: Ctx, out: bytearray, x: Any, base: int, base_char: int, flags: int, fill: int, width: int,
                 prec: int) -> None:
    """``mp_print_mp_int``: an int with sign, '0x'-style prefix, zero precision and padding."""
    if isinstance(x, bool) or not isinstance(x, int):
        x = ctx.get_int(x)
    if not flags & (LEFT | CENTER) and fill == 0x30:
        width = max(width, prec)
        prec = 0
    prefix = b""
    if x >= 0:
        prefix = b"+" if flags & SHOW_SIGN else b" " if flags & SPACE_SIGN else b""
    if flags & SHOW_PREFIX:
        if base == 2:
            prefix += bytes([0x30, base_char + 1])
        elif base == 8:
            prefix += bytes([0x30, base_char + 14]) if flags & OCTAL_LETTER else b"0"
        elif base == 16:
            prefix += bytes([0x30, base_char + 23])
    comma = flags >> SEP_POS
    if prec > 1:
        flags |= PAD_AFTER_SIGN
    sign = b""
    if flags & PAD_AFTER_SIGN:
        s = _int_formatted(x, base, b"", base_char, comma)
        if s[:1] == b"-":
            sign, s = b"-", s[1:]
    else:
        s = _int_formatted(x, base, prefix, base_char, comma)
    before = after = 0
    if prec > 1:
        prec_width = max(len(s), prec) + len(sign) + len(prefix)
        if prec_width < width:
            if flags & LEFT:
                after = width - prec_width
            else:
                before = width - prec_width
        fill = 0x30
        flags &= ~LEFT
    out += b" " * max(before, 0)
    if flags & PAD_AFTER_SIGN:
        out += sign + prefix
        width -= len(sign) + len(prefix)
    if prec > 1:
        width = prec
    print_strn(out, s, flags, fill, width)
    out += b" " * max(after, 0)


def print_float(ctx: Ctx, out: bytearray, f: float, fmt: str, flags: int, fill: int, width: int, prec: int) -> None:
    """``mp_print_float``: format_float, then '%' suffix and padding (sign kept in front for '=' / '0')."""
    sign = "+" if flags & SHOW_SIGN else " " if flags & SPACE_SIGN else ""
    s = format_float(f, fmt, prec, ctx.profile, sign).encode()
    if flags & ADD_PERCENT:
        s += b"%"
    if flags & PAD_AFTER_SIGN and s[0] < 0x30:
        out += s[:1]
        width -= 1
        s = s[1:]
    print_strn(out, s, flags, fill, width)


def print_char(ctx: Ctx, out: bytearray, arg: Any, flags: int, fill: int, width: int) -> None:
    """``mp_print_char``: the UTF-8 encoding of a code point < 0x110000, padded.

    Builds below the core feature level (MICROPY_FULL_CHECKS off, e.g. the unix
    minimal variant; a profile says so with ``full_checks = False``) print the
    low byte of the int instead, unchecked.
    """
    if not getattr(ctx.profile, "full_checks", True):
        return print_strn(out, bytes([ctx.get_int(arg) & 0xFF]), flags, fill, width)
    c = ctx.get_int(arg) & ((1 << ctx.profile.word_bits) - 1)
    if c >= 0x110000:
        raise MpError("OverflowError", "char not in range(0x110000)")
    print_strn(out, chr(c).encode("utf-8", "surrogatepass"), flags, fill, width)
