"""MicroPython's float parsing and float-to-text conversion, reproduced digit for digit.

Why not Python's own ``float()``/``repr``: MicroPython's algorithms
(py/parsenum.c, py/formatfloat.c) differ in ways cases can observe. On double
builds repr is usually CPython's shortest string, but not always (9.8 prints
as 9.800000000000001, subnormals are not normalised); exact binary ties round
away from zero ('%.0f' % 0.5 is '1'); at most 19 significant digits are
produced, then zeros; a 33-byte buffer cuts very long results. On float32
builds repr searches 6 to 9 digits with float32 arithmetic and does not always
round-trip. All of this follows from the C code, so it is ported step by step
here on top of ``reference_vm.floatemu``.

Errors are raised as ``MpError`` (exception type name + args), for the VM to
turn into guest exceptions.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from reference_vm.floatemu import Backend, FloatProfile, backend_for, round_binary, to_single

__all__ = ["REPR_PREC", "MpError", "float_repr", "float_to_int", "format_float", "int_to_float", "parse_decimal",
           "parse_float", "to_single"]

REPR_PREC = 99  # MP_FLOAT_REPR_PREC: the magic precision repr passes
_INT_MAX = 2**31 - 1
_SPACE = b" \t\n\v\f\r"


class MpError(Exception):
    """A MicroPython exception to raise in the guest: ``exc_type`` names the class, ``exc_args`` its args."""

    def __init__(self, exc_type: str, *exc_args: Any) -> None:
        super().__init__(exc_type, *exc_args)
        self.exc_type = exc_type
        self.exc_args = exc_args

    @property
    def message(self) -> str:
        return str(self.exc_args[0]) if self.exc_args else ""


def _as_bytes(text: str | bytes | bytearray) -> bytes:
    return text.encode("utf-8", "surrogateescape") if isinstance(text, str) else bytes(text)


def parse_decimal(buf: bytes, pos: int, be: Backend) -> tuple[float, int] | None:
    """``mp_parse_float_internal``: read an unsigned decimal at buf[pos:]; (value, end) or None.

    Quirks kept on purpose: '_' is skipped anywhere, a lone '.' or a bare
    exponent ('e5') reads as 0.0, digits beyond the mantissa's capacity only
    scale the exponent, and an 'e' with no digits after it is an error (None).
    """
    top = len(buf)
    in_part = 0  # 0 integer part, 1 fraction, 2 exponent
    exp_neg = False
    mantissa = exp_val = exp_extra = 0
    tz_int = tz_frac = 0
    mmax = be.mantissa_max
    while pos < top:
        c = buf[pos]
        pos += 1
        if 48 <= c <= 57:
            dig = c - 48
            if in_part == 2:
                if exp_val < (_INT_MAX // 2 - 9) // 10:
                    exp_val = 10 * exp_val + dig
            elif dig == 0 or mantissa >= mmax:
                if in_part == 0:
                    tz_int += 1
                else:
                    tz_frac += 1
            else:
                for part, count in ((0, tz_int), (1, tz_frac)):
                    for _ in range(count):
                        mantissa, exp_extra = _accept(mantissa, 0, exp_extra, part, mmax)
                tz_int = tz_frac = 0
                mantissa, exp_extra = _accept(mantissa, dig, exp_extra, in_part, mmax)
        elif in_part == 0 and c == 0x2E:
            in_part = 1
        elif in_part != 2 and c | 0x20 == 0x65:
            in_part = 2
            if pos < top and buf[pos] in b"+-":
                exp_neg = buf[pos] == 0x2D
                pos += 1
            if pos == top:
                return None
        elif c == 0x5F:
            continue
        else:
            pos -= 1
            break
    exp_val = (-exp_val if exp_neg else exp_val) + exp_extra + tz_int
    return be.large_to_f(be.decimal_exp(be.large_from_uint(mantissa), exp_val)), pos


def _accept(mantissa: int, dig: int, exp_extra: int, part: int, mmax: int) -> tuple[int, int]:
    if mantissa < mmax:
        return 10 * mantissa + dig, exp_extra - (part == 1)
    return mantissa, exp_extra + (part == 0)


def parse_float(text: str | bytes | bytearray, profile: FloatProfile) -> float:
    """``float(text)`` as MicroPython does it (mp_parse_num_float without imaginary part).

    Accepts surrounding ASCII whitespace, a sign, inf/infinity/nan in any case.
    Raises MpError('ValueError', 'invalid syntax for number').
    """
    be = backend_for(profile)
    buf = _as_bytes(text)
    top, pos = len(buf), 0
    while pos < top and buf[pos] in _SPACE:
        pos += 1
    neg = False
    if pos < top and buf[pos] in b"+-":
        neg = buf[pos] == 0x2D
        pos += 1
    start = pos
    low = buf[pos:pos + 8].lower()
    if pos + 2 < top and low.startswith(b"inf"):
        pos += 3
        val = math.inf
        if pos + 4 < top and low[3:8] == b"inity":
            pos += 5
    elif pos + 2 < top and low.startswith(b"nan"):
        pos += 3
        val = math.nan
    else:
        got = parse_decimal(buf, pos, be)
        if got is None:
            raise MpError("ValueError", "invalid syntax for number")
        val, pos = got
    if neg:
        val = -val
    if pos == start:
        raise MpError("ValueError", "invalid syntax for number")
    while pos < top and buf[pos] in _SPACE:
        pos += 1
    if pos != top:
        raise MpError("ValueError", "invalid syntax for number")
    return be.round_f(val)


def float_repr(x: float, profile: FloatProfile) -> str:
    """``repr(x)`` (== ``str(x)``): 'g' at repr precision, with '.0' added when there is no '.', 'e' or 'n'.

    Cached by bit pattern (so 0.0 and -0.0 stay apart): programs print the same values again and again.
    """
    return _repr_cached(struct.unpack("<Q", struct.pack("<d", x))[0], backend_for(profile))


@lru_cache(maxsize=4096)
def _repr_cached(bits: int, be: Backend) -> str:
    from reference_vm.floatdigits import format_digits

    s = format_digits(struct.unpack("<d", struct.pack("<Q", bits))[0], "g", REPR_PREC, "", be, 33)
    if "." not in s and "e" not in s and "n" not in s:
        s += ".0"
    return s


def format_float(x: float, fmt_char: str, precision: int, profile: FloatProfile, sign: str = "") -> str:
    """``mp_format_float`` with MicroPython's 33-byte buffer: the text of x for 'e','f','g' (any case).

    ``precision`` < 0 means 6; REPR_PREC selects repr's search. ``sign`` is ''
    or the '+'/' ' shown for non-negative values. No padding (strformat does that).
    """
    from reference_vm.floatdigits import format_digits  # the core, kept in its own module

    return format_digits(x, fmt_char, precision, sign, backend_for(profile), 33)


def mul_100(x: float, profile: FloatProfile) -> float:
    """``x * 100`` in the target precision, as the '%' format type computes it."""
    return to_single(x * 100.0) if profile.float_precision == "single" else x * 100.0


def int_to_float(n: int, profile: FloatProfile) -> float:
    """``mp_obj_get_float`` of an int: a C cast for small ints, mpz_as_float's digit loop for big ones.

    The big-int loop (val = val * 2**DIG + digit, rounding each step in the
    target precision) is not correctly rounded, which is visible for ints
    above 2**53 (double) or 2**24 (float32).
    """
    single = profile.float_precision == "single"
    bits = getattr(profile, "small_int_bits", profile.word_bits - 1)
    if -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
        if not single:
            return float(n)
        if n == 0:
            return 0.0
        r = round_binary(abs(n), 1, 24, -126, 127)
        v = math.inf if r is None else math.ldexp(r[0], r[1])
        return -v if n < 0 else v
    dig = 16  # MPZ_DIG_SIZE: 16 on every modelled port (the unix Makefile forces it even on 64-bit hosts)
    rnd: Callable[[float], float] = to_single if single else float
    m, val = abs(n), 0.0
    digits = []
    while m:
        digits.append(m & ((1 << dig) - 1))
        m >>= dig
    for d in reversed(digits):
        val = rnd(rnd(val * float(1 << dig)) + rnd(float(d)))
    return -val if n < 0 else val


def float_to_int(f: float) -> int:
    """``mp_obj_new_int_from_float``: truncate, with MicroPython's errors for inf and nan."""
    if math.isinf(f):
        raise MpError("OverflowError", "can't convert inf to int")
    if math.isnan(f):
        raise MpError("ValueError", "can't convert NaN to int")
    return int(f)
