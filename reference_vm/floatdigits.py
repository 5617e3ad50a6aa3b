"""The core of ``mp_format_float`` (py/formatfloat.c), ported line by line onto emulated arithmetic.

It is a port rather than a re-derivation because the observable quirks live in
the details: the decimal exponent is estimated from the binary one and then
corrected against emulated powers of ten; the mantissa is ``(uint)(f * 10**k
+ 0.5)`` computed in the build's wide type (hence ties away from zero); repr
starts with 16 (double) or 6 (float32) digits and adds digits only while the
text does not parse back to the same value (EXACT), or runs a bisection on
the last digits (APPROX, float32); the fixed 33-byte buffer caps precision.

Strings are built in a ``list`` of characters indexed like the C buffer so the
pointer arithmetic (digit offsets, dot insertion, trailing-zero stripping)
maps one to one.
"""

from __future__ import annotations

import math

from reference_vm.floatemu import Backend

__all__ = ["format_digits"]

MODE_E, MODE_G, MODE_F, E_CASE = 0x01, 0x02, 0x04, 0x20
REPR_PREC = 99


def _prepend_zeros(buf: list[str], s: int, cnt: int) -> int:
    buf[s:s + 2] = ["0", "."]
    s += 2
    for _ in range(max(cnt, 0)):
        buf[s] = "0"
        s += 1
    return s


def _format_mantissa(mantissa: int, cap: int, buf: list[str], s: int, num_digits: int, max_exp_zeros: int,
                     trailing_zeros: int, dec: int, e: int, flags: int) -> str:
    """``mp_format_mantissa``: write the digits of an integer mantissa with dot, zeros and exponent."""
    if mantissa and mantissa >= cap:
        if flags & MODE_F:
            num_digits += 1
            dec += 1
        else:
            mantissa //= 10
            e += 1
    if flags & MODE_G and e != 0:
        if e >= 0:
            if e < max_exp_zeros:
                dec += e
                if dec >= num_digits:
                    trailing_zeros = dec - (num_digits - 1)
                e = 0
        elif e >= -4:
            cnt = 0
            while e < 0 and not mantissa % 10:
                mantissa //= 10
                cnt += 1
                e += 1
            num_digits -= cnt
            s = _prepend_zeros(buf, s, cnt - e - 1)
            dec = 255
            e = 0
    for digit in range(num_digits - 1, -1, -1):
        buf[s + (digit + 1 if digit > dec else digit)] = chr(48 + mantissa % 10)
        mantissa //= 10
    dot = dec >= 255
    if dec + 1 < num_digits:
        dot = True
        s += 1
        buf[s + dec] = "."
    s += num_digits
    if trailing_zeros:
        dec -= num_digits - 1
        while trailing_zeros:
            trailing_zeros -= 1
            if dec == 0:
                buf[s] = "."
                s += 1
                dot = True
            dec -= 1
            buf[s] = "0"
            s += 1
    if flags & MODE_G and dot:
        while buf[s - 1] == "0":
            s -= 1
        if buf[s - 1] == ".":
            s -= 1
    if (e != 0 or flags & MODE_E) and not flags & MODE_F:
        tail = ["E" if not flags & E_CASE else "e", "+" if e >= 0 else "-"]
        e = abs(e)
        if e >= 100:
            tail.append(chr(48 + e // 100))
        tail += [chr(48 + (e // 10) % 10), chr(48 + e % 10)]
        buf[s:s + len(tail)] = tail
        s += len(tail)
    return "".join(buf[:s])


def format_digits(f: float, fmt: str, prec: int, sign: str, be: Backend, buf_size: int) -> str:
    """``mp_format_float(f, buf, buf_size, fmt, prec, sign)``: the full text including the sign."""
    head = ""
    if math.copysign(1.0, f) < 0 and not math.isnan(f):
        f = -f
        sign = "-"
    if sign:
        head = sign
        buf_size -= 1
    upper = not ord(fmt) & 0x20
    if math.isinf(f) or math.isnan(f):
        word = "inf" if math.isinf(f) else "nan"
        return head + (word.upper() if upper else word)
    flags = 0 if upper else E_CASE
    lofmt = chr(ord(fmt) | 0x20)
    flags |= MODE_F if lofmt == "f" else MODE_G if lofmt == "g" else MODE_E
    if prec < 0:
        prec = 6
    max_exp_zeros = min(prec, buf_size - 3)
    if prec == REPR_PREC:
        prec = be.max_digits
        max_exp_zeros = 16

    e = 0
    if not be.is_zero(f):
        e = be.log10_estimate(be.expval(f))
        positive = not be.is_less1(f)
        one = be.large_from_uint(1)
        u_base = be.large_to_f(be.decimal_exp(one, e + positive))
        while (f >= u_base) == positive:
            e += 1 if positive else -1
            u_base = be.large_to_f(be.decimal_exp(one, e + positive))

    if flags & MODE_F and e > 0 and e + prec + 2 > buf_size:
        flags = (flags ^ MODE_F) | MODE_G
        prec += 1

    max_digits, lead_zeros, trail_zeros = prec, 0, 0
    if flags & MODE_F:
        max_digits = min(max_digits, buf_size - 3)
        if e < 0:
            if max_digits > 2 and e < -2:
                lead_zeros = min(-e, max_digits) - 2
                max_digits -= lead_zeros
            else:
                max_digits += 1
        else:
            max_digits += e + 1
    elif not flags & MODE_G or max_digits == 0:
        max_digits += 1
    if max_digits > be.max_digits:
        trail_zeros = max_digits - be.max_digits
        max_digits = be.max_digits
    overhead = 3 if flags & MODE_F else be.fpmin_buf + 1
    trail_zeros = min(trail_zeros, buf_size - max_digits - overhead)

    num_digits = min(be.safe_digits, max_digits)
    while True:  # try_again
        buf = [""] * 80
        s = 0
        extra_zeros = trail_zeros + (max_digits - num_digits)
        dec = 0
        if be.is_zero(f):
            decexp = 0
        elif flags & MODE_F:
            decexp = num_digits - 1
            if e < 0:
                if lead_zeros > 0:
                    s = _prepend_zeros(buf, s, lead_zeros)
                    decexp += lead_zeros + 1
                    dec = 255
            else:
                decexp -= e
                dec = e
        else:
            decexp = num_digits - e - 1
        cap = 10 ** num_digits
        mantissa = 1
        if be.large_is_float and num_digits > be.safe_digits and decexp > 1:
            if num_digits > be.safe_digits + 1 and decexp > 2:
                mantissa, decexp = 100, decexp - 2
            else:
                mantissa, decexp = 10, decexp - 1
        mantissa_f = be.decimal_exp(be.large_from_f(f), decexp)
        mantissa = (mantissa * be.add_half_to_uint(mantissa_f)) & be.uint_mask
        args = (buf, s, num_digits, max_exp_zeros, extra_zeros, dec, e, flags)
        text = _format_mantissa(mantissa, cap, *args)
        if be.exact:
            if num_digits < max_digits and _parse(text, be) != f:
                num_digits += 1
                continue
            return head + text
        retry, text = _approx_search(f, mantissa, cap, text, args, num_digits < max_digits, be)
        if retry:
            num_digits += 1
            continue
        return head + text


def _parse(text: str, be: Backend) -> float:
    from reference_vm.floatfmt import parse_decimal

    got = parse_decimal(text.encode("ascii"), 0, be)
    return got[0] if got else 0.0


def _approx_search(f: float, mantissa: int, cap: int, text: str, args: tuple, can_grow: bool,
                   be: Backend) -> tuple[bool, str]:
    """The APPROX bisection: nudge the mantissa until the text parses back to f; (retry with more digits, text)."""
    num_digits = args[2]
    diff = be.fsub(_parse(text, be), f)
    best_diff, best_mantissa = diff, mantissa
    if diff == 0.0:
        return False, text
    err_range = 1 << (3 * (num_digits - be.safe_digits)) if num_digits > be.safe_digits else 1
    for _ in range(3 + 3 * (be.max_digits - be.safe_digits)):
        if math.copysign(1.0, diff) < 0:
            mantissa = (mantissa + err_range) & be.uint_mask
        else:
            mantissa = (mantissa - err_range) & be.uint_mask
        text = _format_mantissa(mantissa, cap, *args)
        diff = be.fsub(_parse(text, be), f)
        if diff == 0.0 and math.copysign(1.0, diff) > 0:
            return False, text
        delta = be.fsub(abs(diff), abs(best_diff))
        if math.copysign(1.0, delta) < 0 or (delta == 0.0 and math.copysign(1.0, delta) > 0 and not mantissa % 10):
            best_diff, best_mantissa = diff, mantissa
        if err_range > 1:
            err_range >>= 1
        else:
            if can_grow:
                return True, text
            if mantissa != best_mantissa:
                text = _format_mantissa(best_mantissa, cap, *args)
            return False, text
    return False, text
