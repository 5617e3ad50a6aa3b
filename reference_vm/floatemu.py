"""Bit-exact emulation of the C float arithmetic behind MicroPython's float text conversions.

MicroPython's float parser and formatter (py/parsenum.c, py/formatfloat.c) are
not correctly rounded: their output depends on every intermediate rounding of
the C types they compute in. To print what the firmware prints, the reference
VM repeats those roundings. Two configurations exist (py/mpconfig.h):

* double builds on hosts with a wider ``long double`` use the EXACT variant,
  computing powers of ten in ``long double``: the x87 80-bit format (64-bit
  significand) on x86 unix builds, IEEE quad (113 bits) on wasm32.
* float32 builds (rp2, P32) use the APPROX variant, computing in ``float``
  itself, with ``powf(5, n)`` and direct edits of the exponent bit field.

Only non-negative values occur (the sign is handled before), so an emulated
``long double`` is a pair ``(m, q)`` meaning ``m * 2**q``, or ``None`` for +inf.
"""

from __future__ import annotations

import math
import struct
from functools import lru_cache
from typing import Any, Protocol

__all__ = ["Backend", "ExactBackend", "FloatProfile", "SingleBackend", "backend_for", "single_bits", "to_single"]

LD = tuple[int, int] | None  # an emulated long double: (m, q) = m * 2**q, None = +inf

LOG10_2 = 0.3010299956639812  # MICROPY_FLOAT_CONST(0.3010299956639812) in formatfloat.c


class FloatProfile(Protocol):
    """What these modules need of a target profile (reference_vm.profile.Profile has it; read-only is enough)."""

    @property
    def float_precision(self) -> str: ...

    @property
    def word_bits(self) -> int: ...

    @property
    def error_level(self) -> str: ...


def to_single(x: float) -> float:
    """``(float)x`` in C: round a double to IEEE single precision (nearest-even, overflow to inf)."""
    try:
        return float(struct.unpack("<f", struct.pack("<f", x))[0])
    except OverflowError:  # finite but rounds past FLT_MAX: the C cast gives inf
        return math.copysign(math.inf, x)


def single_bits(x: float) -> int:
    """The 32-bit pattern of a float32 value (what ``mp_float_union_t.i`` holds)."""
    return int(struct.unpack("<I", struct.pack("<f", x))[0])


def _single_from_bits(bits: int) -> float:
    return float(struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0])


def round_binary(num: int, den: int, prec: int, emin: int, emax: int) -> LD:
    """Round the positive rational num/den to a binary format, nearest-even, with subnormals.

    ``prec`` is the significand width, ``emin``/``emax`` the exponent range of
    normal numbers (value 1.x * 2**E). Returns (m, q) or None for overflow.
    """
    e = num.bit_length() - den.bit_length()
    if (num << -e if e < 0 else num) < (den << e if e > 0 else den):
        e -= 1
    q = max(e, emin) - prec + 1
    n2, d2 = (num, den << q) if q >= 0 else (num << -q, den)
    m, r = divmod(n2, d2)
    if 2 * r > d2 or (2 * r == d2 and m & 1):
        m += 1
    if m == 0:
        return (0, 0)
    if m.bit_length() + q > emax + 1:
        return None
    return (m, q)


class Backend:
    """The arithmetic of one build configuration, as formatfloat.c and parsenum.c use it.

    ``f`` values (mp_float_t) are host floats already rounded to the target
    precision; "large" values (mp_large_float_t) are backend specific.
    """

    exact: bool  # MICROPY_FLOAT_FORMAT_IMPL_EXACT (else APPROX)
    large_is_float: bool  # sizeof(mp_large_float_t) == sizeof(mp_float_t)
    max_digits: int  # MAX_MANTISSA_DIGITS
    safe_digits: int  # SAFE_MANTISSA_DIGITS
    fpmin_buf: int  # FPMIN_BUF_SIZE
    mantissa_max: int  # MANTISSA_MAX of the parser
    uint_mask: int  # width of mp_large_float_uint_t
    exp_offset: int  # MP_FLOAT_EXP_OFFSET

    def round_f(self, x: float) -> float:
        raise NotImplementedError

    def expval(self, f: float) -> int:
        raise NotImplementedError

    def log10_estimate(self, expval: int) -> int:
        raise NotImplementedError

    def is_less1(self, f: float) -> bool:
        raise NotImplementedError

    def is_zero(self, f: float) -> bool:
        raise NotImplementedError

    def large_from_uint(self, n: int) -> Any:
        raise NotImplementedError

    def large_from_f(self, f: float) -> Any:
        raise NotImplementedError

    def decimal_exp(self, num: Any, dec_exp: int) -> Any:
        raise NotImplementedError

    def large_to_f(self, x: Any) -> float:
        raise NotImplementedError

    def add_half_to_uint(self, x: Any) -> int:
        """``(mp_large_float_uint_t)(x + 0.5)``."""
        raise NotImplementedError

    def fsub(self, a: float, b: float) -> float:
        return self.round_f(a - b)


class ExactBackend(Backend):
    """Double builds whose ``long double`` is wider than double (x86: 64-bit significand, wasm: 113)."""

    exact = True
    large_is_float = False
    max_digits = 19
    safe_digits = 16
    fpmin_buf = 7
    mantissa_max = 0x1999999999999998
    uint_mask = (1 << 64) - 1
    exp_offset = 1023
    LD_EMIN, LD_EMAX = -16382, 16383

    def __init__(self, ld_prec: int = 64) -> None:
        self.ld_prec = ld_prec
        self._expos: list[LD] = [(10, 0)]  # 10.0L squared k times, rounded each time

    def _round(self, num: int, den: int) -> LD:
        if num == 0:
            return (0, 0)
        return round_binary(num, den, self.ld_prec, self.LD_EMIN, self.LD_EMAX)

    def _mul(self, a: LD, b: LD) -> LD:
        if a is None or b is None:
            return None  # never 0 * inf here: decimal_exp returns early for 0
        (ma, qa), (mb, qb) = a, b
        q = qa + qb
        return self._round(ma * mb << q, 1) if q >= 0 else self._round(ma * mb, 1 << -q)

    def _div(self, a: LD, b: LD) -> LD:
        if b is None:
            return (0, 0)
        if a is None:
            return None
        (ma, qa), (mb, qb) = a, b
        q = qa - qb
        return self._round(ma << q, mb) if q >= 0 else self._round(ma, mb << -q)

    def _expo(self, k: int) -> LD:
        while len(self._expos) <= k:
            last = self._expos[-1]
            self._expos.append(self._mul(last, last))
        return self._expos[k]

    def round_f(self, x: float) -> float:
        return x

    def expval(self, f: float) -> int:
        return ((struct.unpack("<Q", struct.pack("<d", f))[0] >> 52) & 0x7FF) - 1023

    def log10_estimate(self, expval: int) -> int:
        return int(expval * LOG10_2)

    def is_less1(self, f: float) -> bool:
        return f < 1.0

    def is_zero(self, f: float) -> bool:
        return f == 0.0

    def large_from_uint(self, n: int) -> LD:
        return self._round(n, 1)

    def large_from_f(self, f: float) -> LD:
        if math.isinf(f):
            return None
        n, d = f.as_integer_ratio()
        return self._round(n, d)

    def decimal_exp(self, num: LD, dec_exp: int) -> LD:
        """``mp_decimal_exp`` EXACT: num * 10**dec_exp by square-and-multiply in long double."""
        if dec_exp == 0 or num == (0, 0):
            return num
        neg = dec_exp < 0
        dec_exp = abs(dec_exp)
        res, k = num, 0
        while dec_exp:
            if dec_exp & 1:
                res = self._div(res, self._expo(k)) if neg else self._mul(res, self._expo(k))
            dec_exp >>= 1
            k += 1
        return res

    def large_to_f(self, x: LD) -> float:
        if x is None:
            return math.inf
        m, q = x
        if m == 0:
            return 0.0
        r = round_binary(m << q, 1, 53, -1022, 1023) if q >= 0 else round_binary(m, 1 << -q, 53, -1022, 1023)
        return math.inf if r is None else math.ldexp(r[0], r[1])

    def add_half_to_uint(self, x: LD) -> int:
        if x is None:
            return 0  # out-of-range cast; never reached for finite inputs
        m, q = x
        s = self._round((m << q + 1) + 1, 2) if q >= 0 else self._round(2 * m + (1 << -q), 1 << (1 - q))
        if s is None:
            return 0
        sm, sq = s
        return (sm << sq if sq >= 0 else sm >> -sq) & self.uint_mask


@lru_cache(maxsize=256)
def pow5_single(k: int) -> float:
    """``powf(5, k)``: taken as the correctly rounded float32 value (glibc agrees; checked by tests)."""
    if k > 60:
        return math.inf
    if k < -70:
        return 0.0
    r = round_binary(5 ** k, 1, 24, -126, 127) if k >= 0 else round_binary(1, 5 ** -k, 24, -126, 127)
    if r is None:
        return math.inf
    return math.ldexp(r[0], r[1])


class SingleBackend(Backend):
    """float32 builds (APPROX): everything in ``float``, powers of ten via exponent edits and powf(5, n)."""

    exact = False
    large_is_float = True
    max_digits = 9
    safe_digits = 6
    fpmin_buf = 6
    mantissa_max = 0x19999998
    uint_mask = 0xFFFFFFFF
    exp_offset = 127
    _C = to_single(LOG10_2)

    def round_f(self, x: float) -> float:
        return to_single(x)

    def expval(self, f: float) -> int:
        return ((single_bits(f) >> 23) & 0xFF) - 127

    def log10_estimate(self, expval: int) -> int:
        return int(to_single(expval * self._C))

    def is_less1(self, f: float) -> bool:
        return single_bits(f) < 0x3F800000

    def is_zero(self, f: float) -> bool:
        return single_bits(f) == 0

    def large_from_uint(self, n: int) -> float:
        return to_single(float(n & 0xFFFFFFFF))

    def large_from_f(self, f: float) -> float:
        return f

    def decimal_exp(self, num: float, dec_exp: int) -> float:
        """``mp_decimal_exp`` APPROX: add dec_exp to the 8-bit exponent field (wrapping), then scale by 5**dec_exp."""
        if dec_exp == 0 or num == 0.0:
            return num
        bits = single_bits(num)
        field = (((bits >> 23) & 0xFF) + dec_exp) & 0xFF
        res = _single_from_bits((bits & ~(0xFF << 23)) | (field << 23))
        if -10 <= dec_exp < 0:
            return to_single(res / pow5_single(-dec_exp))
        return to_single(res * pow5_single(dec_exp))

    def large_to_f(self, x: float) -> float:
        return x

    def add_half_to_uint(self, x: float) -> int:
        y = to_single(x + 0.5)
        if math.isinf(y) or math.isnan(y):
            return 0
        return int(y) & self.uint_mask


_BACKENDS: dict[int, Backend] = {}  # by long double precision; 0 = the float32 build


def backend_for(profile: FloatProfile) -> Backend:
    """The arithmetic of the profile's build.

    float_precision "single" is the APPROX float32 path. "double" is EXACT with
    an x87 long double (64-bit significand), except on wasm, whose long double
    is IEEE quad: a profile may say so with ``long_double_bits`` (64 or 113);
    otherwise a name starting with "wasm" selects 113.
    """
    if profile.float_precision == "single":
        key = 0
    else:
        bits = getattr(profile, "long_double_bits", None)
        key = int(bits) if bits is not None else 113 if str(getattr(profile, "name", "")).startswith("wasm") else 64
    be = _BACKENDS.get(key)
    if be is None:
        be = _BACKENDS[key] = SingleBackend() if key == 0 else ExactBackend(key)
    return be
