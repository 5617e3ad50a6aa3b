"""The math module as MicroPython's modmath.c: C library results, one error for every failure.

MicroPython calls the C function and then judges the result, instead of
checking the arguments as CPython does: a NaN out of a non-NaN argument, or an
infinity out of finite arguments, is ``ValueError('math domain error')``, so an
overflow (``exp(1000)``) is a ValueError too, never OverflowError. ``ldexp``,
``frexp``, ``modf``, ``degrees``/``radians`` are not judged at all
(``ldexp(1, 2000)`` is ``inf``). Arguments are converted like
``mp_obj_get_float``: bool, int, float, or an object with ``__float__``; a str
is a TypeError (no parsing). Results are rounded to the profile's float type
before they are judged, as the C code computes in that type.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from reference_vm.exceptions import mp_error
from reference_vm.objects import NULL, Instance, Module
from reference_vm.runtime import STATE, call, type_name


def get_float(value: Any) -> float:
    """mp_obj_get_float: a number (or an object with __float__) as the profile's float."""
    from reference_vm.arith import _int_to_float
    kind = type(value)
    if kind is float:
        return value
    if kind is int or kind is bool:
        return _int_to_float(int(value))
    if kind is Instance:
        method = value.mp_type.lookup("__float__")
        if method is not NULL:
            result = call(method, [value])
            if type(result) is float:
                return result
    raise mp_error("TypeError", f"can't convert {type_name(value)} to float" if not STATE.terse
                   else "can't convert to float")


def _domain_error() -> Exception:
    return mp_error("ValueError", "math domain error")


def _c_call(impl: Callable[..., float], *args: float) -> float:
    """The C function's result: where CPython raises, C returns NaN (domain) or inf (overflow)."""
    try:
        return impl(*args)
    except ValueError:
        return math.nan
    except OverflowError:
        return math.inf


def _judged(impl: Callable[..., float]) -> Callable[..., float]:
    """math_generic_1/2: NaN from non-NaN arguments or inf from finite ones is a domain error."""
    def wrapped(*values: Any) -> float:
        from reference_vm.arith import to_float
        args = [get_float(v) for v in values]
        ans = to_float(_c_call(impl, *args))
        if (math.isnan(ans) and not any(math.isnan(a) for a in args)) or \
                (math.isinf(ans) and not any(math.isinf(a) for a in args)):
            raise _domain_error()
        return ans
    return wrapped


def _to_int(impl: Callable[[float], float]) -> Callable[[Any], int]:
    """floor/ceil/trunc: the C result made an int (an int argument passes through unchanged)."""
    def wrapped(x: Any) -> int:
        if type(x) in (int, bool):
            return int(x)
        v = get_float(x)
        if math.isinf(v):
            raise mp_error("OverflowError", "can't convert inf to int")
        if math.isnan(v):
            raise mp_error("ValueError", "can't convert NaN to int")
        return int(impl(v))
    return wrapped


def _test(impl: Callable[[float], bool]) -> Callable[[Any], bool]:
    """isfinite/isinf/isnan: no judging, just the test on the converted argument."""
    return lambda x: impl(get_float(x))


def _pow(x: float, y: float) -> float:
    # pow(base, 0) and pow(1, exponent) are 1 even with a NaN (MICROPY_PY_MATH_POW_FIX_NAN).
    if x == 1.0 or y == 0.0:
        return 1.0
    return math.pow(x, y)


def _log(x: Any, base: Any = NULL) -> float:
    from reference_vm.arith import to_float
    v = get_float(x)
    if v <= 0:
        raise _domain_error()
    if base is NULL:
        return to_float(math.log(v))
    b = get_float(base)
    if b <= 0:
        raise _domain_error()
    if b == 1:
        raise mp_error("ZeroDivisionError", "divide by zero")
    return to_float(math.log(v) / math.log(b))


def _ldexp(x: Any, exp: Any) -> float:
    from reference_vm.arith import to_float
    from reference_vm.builtins_types import to_int_strict
    v, e = get_float(x), to_int_strict(exp)
    try:
        return to_float(math.ldexp(v, e))
    except OverflowError:
        return math.copysign(math.inf, v)


def _modf(x: Any) -> tuple[float, float]:
    from reference_vm.arith import to_float
    frac, whole = math.modf(get_float(x))
    return to_float(frac), to_float(whole)


def _frexp(x: Any) -> tuple[float, int]:
    mantissa, exponent = math.frexp(get_float(x))
    return mantissa, exponent


def _factorial(x: Any) -> int:
    from reference_vm.builtins_types import to_int_strict
    n = to_int_strict(x)
    if n < 0:
        raise mp_error("ValueError", "negative factorial")
    return math.factorial(n)


def _isclose(a: Any, b: Any, rel_tol: Any = NULL, abs_tol: Any = 0) -> bool:
    x, y = get_float(a), get_float(b)
    rel = 1e-9 if rel_tol is NULL else get_float(rel_tol)
    tol = get_float(abs_tol)
    if rel < 0 or tol < 0:
        raise _domain_error()
    if x == y:
        return True
    diff = abs(x - y)
    if math.isinf(diff):
        return False
    return diff <= tol or diff <= abs(rel * x) or diff <= abs(rel * y)


def make_math() -> Module:
    """A fresh math module with the profile's constants."""
    from reference_vm.arith import to_float
    from reference_vm.modules import fn, new_module
    members: dict[str, Any] = {"pi": to_float(math.pi), "e": to_float(math.e), "tau": to_float(math.tau),
                               "inf": math.inf, "nan": math.nan}
    for name in ("sqrt", "exp", "expm1", "log2", "log10", "cos", "sin", "tan", "acos", "asin", "atan", "cosh",
                 "sinh", "tanh", "acosh", "asinh", "atanh", "erf", "erfc", "gamma", "lgamma", "fabs"):
        members[name] = fn(name, _judged(getattr(math, name)), 1, 1)
    for name in ("atan2", "copysign", "fmod"):
        members[name] = fn(name, _judged(getattr(math, name)), 2, 2)
    members["pow"] = fn("pow", _judged(_pow), 2, 2)
    for name in ("isfinite", "isinf", "isnan"):
        members[name] = fn(name, _test(getattr(math, name)), 1, 1)
    for name in ("floor", "ceil", "trunc"):
        members[name] = fn(name, _to_int(getattr(math, name)), 1, 1)
    members["degrees"] = fn("degrees", lambda x: to_float(get_float(x) * to_float(180.0 / math.pi)), 1, 1)
    members["radians"] = fn("radians", lambda x: to_float(get_float(x) * to_float(math.pi / 180.0)), 1, 1)
    members["log"] = fn("log", _log, 1, 2)
    members["ldexp"] = fn("ldexp", _ldexp, 2, 2)
    members["frexp"] = fn("frexp", _frexp, 1, 1)
    members["modf"] = fn("modf", _modf, 1, 1)
    members["factorial"] = fn("factorial", _factorial, 1, 1)
    members["isclose"] = fn("isclose", _isclose, 2, 2, True)
    return new_module("math", members)
