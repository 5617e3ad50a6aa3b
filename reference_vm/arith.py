"""Binary and unary operators, equality and hashing, with MicroPython's dispatch (py/runtime.c).

``binary_op`` follows mp_binary_op: ``is``/``==``/exception-match first, then
the left type's handler; an in-place operator falls back to the plain one,
then the reflected operator is tried on the right operand; ``in`` on a type
without containment walks its iterator; anything else is
``TypeError: unsupported types for __add__: 'int', 'str'``. Comparisons have
no reflected fallback. bool takes part in arithmetic as 0/1 but is not an int.
Float results are rounded to float32 under a single-precision profile.
"""

from __future__ import annotations

import math
import operator
import struct
from collections.abc import Callable
from typing import Any

from reference_vm import mphash
from reference_vm import mptypes as T
from reference_vm.containers import MPDict, MPSet
from reference_vm.exceptions import is_exception, mp_error
from reference_vm.memview import MemoryView, buffer_of
from reference_vm.memview import binary_op as view_binary_op
from reference_vm.objects import NULL, BoundMethod, Instance, MPType, fake_address
from reference_vm.opcodes import BinaryOp as B
from reference_vm.runtime import STATE, call, get_iter, iter_next, native_of, type_name

DIVMOD, CONTAINS, REVERSE_OR = 35, 36, 37
_INPLACE_DELTA = B.OR - B.INPLACE_OR

METHOD_NAMES: dict[int, str] = {
    B.LESS: "__lt__", B.MORE: "__gt__", B.EQUAL: "__eq__", B.LESS_EQUAL: "__le__", B.MORE_EQUAL: "__ge__",
    B.NOT_EQUAL: "__ne__", CONTAINS: "__contains__", B.EXCEPTION_MATCH: "", DIVMOD: "__divmod__", B.IN: "__contains__",
}
for _i, _n in enumerate(("or", "xor", "and", "lshift", "rshift", "add", "sub", "mul", "matmul", "floordiv",
                         "truediv", "mod", "pow")):
    METHOD_NAMES[B.INPLACE_OR + _i] = f"__i{_n}__"
    METHOD_NAMES[B.OR + _i] = f"__{_n}__"
    METHOD_NAMES[REVERSE_OR + _i] = f"__r{_n}__"

_UNARY_NAMES = ("__pos__", "__neg__", "__invert__", "__not__", "__bool__", "__len__", "__hash__", "__abs__",
                "__int__", "__float__", "__complex__", "__sizeof__")


def to_float(x: float) -> float:
    """Round a host double to what the profile's float type holds."""
    if STATE.profile.float_precision == "single" and math.isfinite(x):
        try:
            return struct.unpack("<f", struct.pack("<f", x))[0]
        except OverflowError:
            return math.copysign(math.inf, x)
    return x


def _int_to_float(n: int) -> float:
    """int -> float as MicroPython converts (mp_obj_get_float: a big int through mpz_as_float's digit
    loop, not correctly rounded; overflow gives inf, not an error)."""
    from reference_vm.floatfmt import int_to_float  # imported late, like the formatting it belongs with
    return int_to_float(n, STATE.profile)


def unsupported(op: int, lhs: Any, rhs: Any) -> Exception:
    if not STATE.detailed:
        return mp_error("TypeError", "unsupported type for operator")
    return mp_error("TypeError", f"unsupported types for {METHOD_NAMES.get(op, '?')}: '{type_name(lhs)}', "
                    f"'{type_name(rhs)}'")


def zero_division() -> Exception:
    return mp_error("ZeroDivisionError", "divide by zero")


# --- numbers -------------------------------------------------------------------------

#: The four ordering operators as host functions: ints, floats, and str/bytes data compare with them.
ORDERINGS: dict[int, Callable[[Any, Any], bool]] = {B.LESS: operator.lt, B.MORE: operator.gt,
                                                    B.LESS_EQUAL: operator.le, B.MORE_EQUAL: operator.ge}


def _int_op(op: int, a: int, b: int) -> Any:
    if op == B.ADD or op == B.INPLACE_ADD:
        return a + b
    if op == B.SUBTRACT or op == B.INPLACE_SUBTRACT:
        return a - b
    if op == B.MULTIPLY or op == B.INPLACE_MULTIPLY:
        return a * b
    order = ORDERINGS.get(op)
    if order is not None:
        return order(a, b)
    if B.INPLACE_OR <= op <= B.INPLACE_POWER:
        op += _INPLACE_DELTA
    if op in (B.FLOOR_DIVIDE, B.MODULO, DIVMOD):
        if b == 0:
            raise zero_division()
        return a // b if op == B.FLOOR_DIVIDE else a % b if op == B.MODULO else (a // b, a % b)
    if op == B.TRUE_DIVIDE:
        if b == 0:
            raise zero_division()
        return to_float(float(a) / float(b)) if abs(a) < 2**53 and abs(b) < 2**53 else to_float(a / b)
    if op == B.POWER:
        if b < 0:
            if a == 0:
                raise zero_division()
            return to_float(float(a) ** b)
        return a ** b
    if op == B.OR:
        return a | b
    if op == B.XOR:
        return a ^ b
    if op == B.AND:
        return a & b
    if op == B.LSHIFT or op == B.RSHIFT:
        if b < 0:
            raise mp_error("ValueError", "negative shift count")
        return a << b if op == B.LSHIFT else a >> b
    return NULL


#: Operators whose result for two exact ints (never bool) is just the host operator's, as ``_int_op``
#: (or, for == and !=, ``equal``) computes it; None where ``binary_op`` must decide. ``INT_FAST_POS``
#: adds those that are plain host operators only for a positive right operand (no divide by zero,
#: no negative shift count). Indexed by BinaryOp.
INT_FAST: list[Callable[[int, int], Any] | None] = [None] * len(B)
for _ops, _fn in ((("LESS",), operator.lt), (("MORE",), operator.gt), (("LESS_EQUAL",), operator.le),
                  (("MORE_EQUAL",), operator.ge), (("EQUAL",), operator.eq), (("NOT_EQUAL",), operator.ne),
                  (("ADD", "INPLACE_ADD"), operator.add), (("SUBTRACT", "INPLACE_SUBTRACT"), operator.sub),
                  (("MULTIPLY", "INPLACE_MULTIPLY"), operator.mul), (("OR", "INPLACE_OR"), operator.or_),
                  (("XOR", "INPLACE_XOR"), operator.xor), (("AND", "INPLACE_AND"), operator.and_)):
    for _name in _ops:
        INT_FAST[B[_name]] = _fn
INT_FAST_POS = list(INT_FAST)
for _ops, _fn in ((("FLOOR_DIVIDE", "INPLACE_FLOOR_DIVIDE"), operator.floordiv),
                  (("MODULO", "INPLACE_MODULO"), operator.mod),
                  (("LSHIFT", "INPLACE_LSHIFT"), operator.lshift), (("RSHIFT", "INPLACE_RSHIFT"), operator.rshift)):
    for _name in _ops:
        INT_FAST_POS[B[_name]] = _fn


def _c_fmod(a: float, b: float) -> float:
    """C's fmod: NaN for an infinite or NaN dividend (or a NaN divisor) where Python's raises."""
    if not math.isfinite(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def _float_mod(a: float, b: float) -> float:
    """float % as objfloat.c computes it: fmod, then the sign of the divisor."""
    mod = _c_fmod(a, b)
    if mod == 0.0:
        return math.copysign(0.0, b)
    return to_float(mod + b) if (mod < 0.0) != (b < 0.0) else mod


def _float_divmod(a: float, b: float) -> tuple[float, float]:
    """mp_obj_float_divmod (py/objfloat.c), step by step in the profile's precision: a zero
    quotient takes the sign of a / b (so -0.0 // inf is -0.0, where CPython says 0.0)."""
    mod = _c_fmod(a, b)
    div = to_float(to_float(a - mod) / b)
    if mod == 0.0:
        mod = math.copysign(0.0, b)
    elif (mod < 0.0) != (b < 0.0):
        mod = to_float(mod + b)
        div = to_float(div - 1.0)
    if div == 0.0:
        return math.copysign(0.0, to_float(a / b)), mod
    floordiv = float(math.floor(div)) if math.isfinite(div) else div
    if div - floordiv > 0.5:
        floordiv = to_float(floordiv + 1.0)
    return floordiv, mod


def _float_op(op: int, a: float, b: float) -> Any:
    if B.INPLACE_OR <= op <= B.INPLACE_POWER:
        op += _INPLACE_DELTA
    if op == B.ADD:
        return to_float(a + b)
    if op == B.SUBTRACT:
        return to_float(a - b)
    if op == B.MULTIPLY:
        return to_float(a * b)
    if op == B.TRUE_DIVIDE:
        if b == 0:
            raise zero_division()
        return to_float(a / b)
    if op in (B.FLOOR_DIVIDE, B.MODULO, DIVMOD):
        if b == 0:
            raise zero_division()
        if op == B.MODULO:
            return _float_mod(a, b)
        div, mod = _float_divmod(a, b)
        return div if op == B.FLOOR_DIVIDE else (div, mod)
    if op == B.POWER:
        if a == 0 and b < 0 and not math.isinf(b):
            raise zero_division()
        if a < 0 and b != math.floor(b):
            return complex(a) ** b
        try:
            return to_float(math.pow(a, b))
        except OverflowError:
            return math.inf
    order = ORDERINGS.get(op)
    return NULL if order is None else order(a, b)


def _complex_op(op: int, a: complex, b: complex) -> Any:
    if B.INPLACE_OR <= op <= B.INPLACE_POWER:
        op += _INPLACE_DELTA
    if op == B.ADD:
        return a + b
    if op == B.SUBTRACT:
        return a - b
    if op == B.MULTIPLY:
        return a * b
    if op == B.TRUE_DIVIDE:
        if b == 0:
            raise zero_division()
        return a / b
    if op == B.POWER:
        if b == 0:
            return complex(1, 0)
        if a == 0:
            if b.imag != 0 or b.real < 0:
                raise zero_division()
            return complex(0, 0)
        return a ** b
    return NULL


def _as_number(x: Any) -> Any:
    kind = type(x)
    if kind is bool:
        return int(x)
    if kind is int or kind is float or kind is complex:
        return x
    return NULL


def _numeric(op: int, lhs: Any, rhs: Any) -> Any:
    a = _as_number(lhs)
    b = _as_number(rhs)
    if b is NULL:
        if type(rhs) in (str, bytes, list, tuple, bytearray) and op in (B.MULTIPLY, B.INPLACE_MULTIPLY) \
                and type(a) is int:
            return _sequence(B.MULTIPLY, rhs, a)
        return NULL
    if type(a) is complex or type(b) is complex:
        return _complex_op(op, complex(a), complex(b))
    if type(a) is float or type(b) is float:
        fa = a if type(a) is float else _int_to_float(a)
        fb = b if type(b) is float else _int_to_float(b)
        return _float_op(op, fa, fb)
    return _int_op(op, a, b)


# --- sequences and containers -------------------------------------------------------

def _compare_seq(op: int, a: Any, b: Any) -> bool:
    """mp_seq_cmp_objs: < and <= become > and >= with the operands swapped, and the first
    unequal pair of elements decides with that operator (so errors name __gt__/__ge__)."""
    if op == B.LESS or op == B.LESS_EQUAL:
        a, b = b, a
        op = B.MORE if op == B.LESS else B.MORE_EQUAL
    for i in range(min(len(a), len(b))):
        if not equal(a[i], b[i]):
            return binary_op(op, a[i], b[i]) is True
    if len(a) != len(b):
        return len(a) > len(b)
    return op != B.MORE


def truth_of(value: Any) -> bool:
    from reference_vm.runtime import truth
    return truth(value)


def _repeat(seq: Any, n: Any) -> Any:
    """seq * n: n through mp_obj_get_int_maybe, so an int beyond a machine word is OverflowError."""
    if type(n) is not int and type(n) is not bool:
        return NULL
    from reference_vm.subscr import machine_int  # imported late: subscr builds on this module's users
    return seq * max(machine_int(n), 0)


def _sequence(op: int, lhs: Any, rhs: Any) -> Any:
    kind = type(lhs)
    if kind in (bytes, bytearray) and (type(rhs) is str or (type(rhs) is MemoryView and op != B.MODULO)):
        rhs = buffer_of(rhs)  # bytes/bytearray operators take any buffer (a str, a memoryview)
    if op == B.ADD or op == B.INPLACE_ADD:
        if kind is list and op == B.INPLACE_ADD:
            from reference_vm.runtime import iterate
            lhs.extend(iterate(rhs))
            return lhs
        if type(rhs) is kind or (kind in (bytes, bytearray) and type(rhs) in (bytes, bytearray)):
            return kind(lhs + rhs) if kind is bytearray else lhs + rhs
        return NULL
    if op == B.MULTIPLY or op == B.INPLACE_MULTIPLY:
        if kind is bytearray:
            return NULL
        return _repeat(lhs, rhs)
    if op in (B.LESS, B.MORE, B.LESS_EQUAL, B.MORE_EQUAL):
        if (kind is str and type(rhs) is str) or (kind in (bytes, bytearray) and type(rhs) in (bytes, bytearray)):
            return ORDERINGS[op](lhs, rhs)
        if type(rhs) is kind:
            return _compare_seq(op, lhs, rhs)
        return NULL
    if op == CONTAINS:
        if kind is str:
            if type(rhs) is not str:
                raise mp_error("TypeError", f"can't convert '{type_name(rhs)}' object to str implicitly"
                               if STATE.detailed else "can't convert to str implicitly")
            return rhs in lhs
        if kind in (bytes, bytearray):
            if type(rhs) in (bytes, bytearray, str):  # a needle with the buffer protocol: a byte search
                return (rhs.encode() if type(rhs) is str else bytes(rhs)) in lhs
            if kind is bytearray:  # objarray.c: no scalar search, and anything else is simply absent
                if type(rhs) in (int, bool, float):
                    raise mp_error("NotImplementedError", "")
                return False
            return NULL  # bytes: mp_binary_op's fallback compares each item
        return any(equal(item, rhs) for item in lhs)
    if op == B.MODULO and kind in (str, bytes):
        from reference_vm.builtins_str import percent_format
        return percent_format(lhs, rhs)
    return NULL


def _set_op(op: int, lhs: MPSet, rhs: Any) -> Any:
    if op == CONTAINS:
        return rhs in lhs
    if type(rhs) is not MPSet:
        return NULL
    if B.INPLACE_OR <= op <= B.INPLACE_POWER:
        inplace = not lhs.frozen
        op += _INPLACE_DELTA
    else:
        inplace = False
    if op in (B.OR, B.AND, B.SUBTRACT, B.XOR):
        from reference_vm.builtins_dict import set_combine
        return set_combine(op, lhs, rhs, inplace)
    if op == B.LESS:
        return len(lhs) < len(rhs) and all(x in rhs for x in lhs.items())
    if op == B.LESS_EQUAL:
        return all(x in rhs for x in lhs.items())
    if op == B.MORE:
        return len(lhs) > len(rhs) and all(x in lhs for x in rhs.items())
    if op == B.MORE_EQUAL:
        return all(x in lhs for x in rhs.items())
    return NULL


def _instance_op(op: int, lhs: Instance, rhs: Any) -> Any:
    name = METHOD_NAMES.get(op)
    method = lhs.mp_type.lookup(name) if name else NULL
    if method is NULL:
        if lhs.native is not None and not is_exception(lhs) and lhs.mp_type.native_base is not None:
            return type_binary_op(op, native_of(lhs), rhs)
        return NULL
    result = call(method, [lhs, rhs])
    if result is NotImplemented:
        return NULL
    if op == CONTAINS:
        return truth_of(result)
    return result


def type_binary_op(op: int, lhs: Any, rhs: Any) -> Any:
    """The left operand's type handler: a result, or NULL for "not supported"."""
    kind = type(lhs)
    if kind is int or kind is float or kind is bool or kind is complex:
        if op >= REVERSE_OR:
            return NULL
        return _numeric(op, lhs, rhs)
    if kind in (str, bytes, list, tuple, bytearray):
        if op >= REVERSE_OR:
            if op == REVERSE_OR + (B.MULTIPLY - B.OR):
                return _sequence(B.MULTIPLY, lhs, rhs)
            return NULL
        return _sequence(op, lhs, rhs)
    if kind is Instance:
        return _instance_op(op, lhs, rhs)
    if kind is MPSet:
        return _set_op(op, lhs, rhs)
    if kind is MPDict:
        if op == CONTAINS:
            return rhs in lhs
        if op == B.OR or op == B.INPLACE_OR:
            if type(rhs) is not MPDict:
                return NULL
            new = lhs if op == B.INPLACE_OR else lhs.copy()
            for k, v in rhs.items():
                new[k] = v
            return new
        return NULL
    if kind is range and op == CONTAINS:
        return any(equal(x, rhs) for x in lhs) if type(rhs) is not int else rhs in lhs
    if kind is MemoryView:
        return view_binary_op(op, lhs, rhs)
    return NULL


def binary_op(op: int, lhs: Any, rhs: Any) -> Any:
    """mp_binary_op for the bytecode operators (and DIVMOD)."""
    if type(lhs) is int and type(rhs) is int:
        if op < len(INT_FAST):
            fn = (INT_FAST_POS if rhs > 0 else INT_FAST)[op]
            if fn is not None:
                return fn(lhs, rhs)
        result = _int_op(op, lhs, rhs)
        if result is not NULL:
            return result
    if op == B.IS:
        return is_(lhs, rhs)
    if op == B.EQUAL:
        return equal(lhs, rhs)
    if op == B.NOT_EQUAL:
        return not equal(lhs, rhs)
    if op == B.EXCEPTION_MATCH:
        return exception_match(lhs, rhs)
    if op == B.IN:
        op, lhs, rhs = CONTAINS, rhs, lhs
    while True:
        result = type_binary_op(op, lhs, rhs)
        if result is not NULL:
            return result
        if B.INPLACE_OR <= op <= B.INPLACE_POWER:
            op += _INPLACE_DELTA
            continue
        if B.OR <= op <= B.POWER:
            lhs, rhs = rhs, lhs
            op = op - B.OR + REVERSE_OR
            continue
        if op >= REVERSE_OR:
            lhs, rhs = rhs, lhs
            op = op - REVERSE_OR + B.OR
        break
    if op == CONTAINS:
        it = get_iter(lhs)
        while True:
            item = iter_next(it)
            if item is NULL:
                return False
            if equal(item, rhs):
                return True
    raise unsupported(op, lhs, rhs)


def exception_match(exc: Any, cls: Any) -> bool:
    classes = cls if type(cls) is tuple else (cls,)
    for c in classes:
        if not T.is_exception_type(c):
            raise unsupported(B.EXCEPTION_MATCH, exc, cls)
        if isinstance(exc, Instance) and exc.mp_type.is_subclass(c):
            return True
        if isinstance(exc, MPType) and exc.is_subclass(c):
            return True
    return False


def is_(a: Any, b: Any) -> bool:
    """``is``: small ints and interned strings are identical when equal."""
    if a is b:
        return True
    ka, kb = type(a), type(b)
    if ka is int and kb is int:
        return a == b and STATE.profile.is_small_int(a)
    if ka is str and kb is str:
        return a == b and len(a) < 10
    return False


def equal(a: Any, b: Any) -> bool:
    """mp_obj_equal: numbers across types, then the left and the right type's ``__eq__``, then identity."""
    if a is b:
        return not (type(a) is float and a != a)
    ka, kb = type(a), type(b)
    if ka is kb and ka in (int, str, bytes, float):
        return a == b
    na, nb = _as_number(a), _as_number(b)
    if na is not NULL and nb is not NULL:
        if type(na) is float and type(nb) is int:
            return na == _int_to_float(nb)
        if type(nb) is float and type(na) is int:
            return nb == _int_to_float(na)
        return na == nb
    if ka is MemoryView or kb is MemoryView:   # a view equals any buffer with the same bytes
        da, db = buffer_of(a), buffer_of(b)
        return da is not None and db is not None and da == db
    if ka in (str, bytes, bytearray) or kb in (str, bytes, bytearray):
        if {ka, kb} <= {bytes, bytearray}:
            return bytes(a) == bytes(b)
        if ka is not Instance and kb is not Instance:
            return ka is kb and a == b
    if ka in (list, tuple) and kb is ka:
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if ka is MPDict and kb is MPDict:
        return len(a) == len(b) and all(k in b and equal(v, b.get(k)) for k, v in a.items())
    if ka is MPSet and kb is MPSet:
        return len(a) == len(b) and all(x in b for x in a.items())
    if ka is BoundMethod and kb is BoundMethod:
        return a.func is b.func and equal(a.self_obj, b.self_obj)
    # range == range compares identity only: its value comparison needs MICROPY_PY_BUILTINS_RANGE_BINOP,
    # which only the "everything" feature level (no port these profiles model) enables.
    for x, y in ((a, b), (b, a)):
        if type(x) is Instance:
            method = x.mp_type.lookup("__eq__")
            if method is not NULL:
                result = call(method, [x, y])
                if result is not NotImplemented:
                    return truth_of(result)
            elif x.native is not None and not is_exception(x) and x.mp_type.native_base is not None:
                return equal(native_of(x), y)
    return False


# --- unary ---------------------------------------------------------------------------

def unary_op(op: int, value: Any) -> Any:
    """mp_unary_op for + - ~ not (and hash/abs/len helpers used by builtins)."""
    if op == 3:
        return not truth_of(value)
    kind = type(value)
    if kind is bool:
        value, kind = int(value), int
    if kind is int:
        return (value, -value, ~value)[op] if op < 3 else NULL
    if kind is float:
        if op == 0:
            return value
        if op == 1:
            return -value
    if kind is complex and op < 2:
        return value if op == 0 else -value
    if kind is Instance:
        method = value.mp_type.lookup(_UNARY_NAMES[op])
        if method is not NULL:
            return call(method, [value])
        if value.native is not None and not is_exception(value) and value.mp_type.native_base is not None:
            return unary_op(op, native_of(value))
    raise mp_error("TypeError", f"unsupported type for {_UNARY_NAMES[op]}: '{type_name(value)}'")


def guest_hash(value: Any) -> int:
    """hash(): MicroPython's values (small ints are their own hash; str is djb2; objects their address)."""
    if type(value) is str:  # the common case (names, attribute and dict keys): straight to the memo
        return mphash.str_hash(value, STATE.profile)
    return mphash.hash_value(value, STATE.profile, _hash_other)


def _instance_hash(value: Instance) -> int:
    """instance_unary_op for hash: ``__hash__`` called (even when it is None) and its result made
    a small int; without one, a class that defines ``__eq__`` is unhashable, others hash by address."""
    cls = value.mp_type
    method = cls.lookup("__hash__")
    if method is None and not _defined_by_user(cls, "__hash__"):
        return _unhashable(value)   # a built-in type's "unhashable" marker (deque): its native hash refuses
    if method is not NULL:
        result = call(method, [value])
        if type(result) is not int:
            from reference_vm.builtins_types import to_int_strict
            result = to_int_strict(result)
        return STATE.profile.wrap_small_int(result)
    if value.native is not None and not is_exception(value) and cls.native_base is not None:
        return guest_hash(native_of(value))
    if cls.lookup("__eq__") is not NULL:
        return _unhashable(value)
    return STATE.profile.wrap_small_int(fake_address(value))


def _unhashable(value: Any) -> int:
    """mp_unary_op's refusal: the full text unless the build's error reporting is terse."""
    raise mp_error("TypeError", "unsupported type for operator" if STATE.terse
                   else f"unsupported type for __hash__: '{type_name(value)}'")


def _defined_by_user(cls: MPType, name: str) -> bool:
    """Whether the class lookup finds ``name`` in a user class before reaching a built-in type."""
    if not cls.is_user:
        return False
    if cls.own(name) is not NULL:
        return True
    return any(_defined_by_user(base, name) for base in cls.bases if base.lookup(name) is not NULL)


def _hash_other(value: Any) -> int:
    kind = type(value)
    if kind is Instance:
        return _instance_hash(value)
    if kind in (list, MPDict, bytearray, MemoryView) or (kind is MPSet and not value.frozen):
        _unhashable(value)
    if kind is MPSet:
        return mphash.combined_hash(0x5555_5570_0000, (guest_hash(x) for x in value.items()), STATE.profile)
    if kind is complex:
        return guest_hash(value.real) ^ guest_hash(value.imag)
    return STATE.profile.wrap_small_int(fake_address(value))
