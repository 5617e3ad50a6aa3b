"""The builtins namespace: built-in functions, type names and exception classes.

``make_builtins(machine)`` builds the dict LOAD_NAME/LOAD_GLOBAL fall back to.
Functions check their argument counts up front (NativeFunction n_min/n_max)
so count errors carry MicroPython's "function takes 1 positional arguments but
0 were given"; everything else they raise is a guest exception with
MicroPython's text. Methods of the built-in types live in builtins_str,
builtins_seq, builtins_dict; constructors in builtins_types; modules in modules.
"""

from __future__ import annotations

import math
from typing import Any

from reference_vm import builtins_dict, builtins_seq, builtins_str, builtins_types
from reference_vm import mptypes as T
from reference_vm.arith import binary_op, guest_hash, unary_op
from reference_vm.containers import MPDict
from reference_vm.exceptions import GuestException, mp_error
from reference_vm.objects import (
    NULL,
    BoundMethod,
    Cell,
    Function,
    Instance,
    MPType,
    NativeFunction,
    NativeIterator,
    fake_address,
)
from reference_vm.opcodes import BinaryOp as B
from reference_vm.reprs import repr_, str_
from reference_vm.runtime import (
    STATE,
    call,
    descriptor_left_behind,
    get_iter,
    getattr_,
    iter_next,
    iterate,
    load_method,
    setattr_,
    truth,
    type_name,
)

_installed = [False]


def install_types() -> None:
    """Attach constructors and methods to the built-in types (once per process)."""
    if _installed[0]:
        return
    builtins_types.install()
    builtins_str.install()
    builtins_seq.install()
    builtins_dict.install()
    from reference_vm import builtins_more, memview
    builtins_more.install()
    memview.install()
    _installed[0] = True


def b_print(*args: Any, sep: Any = " ", end: Any = "\n", file: Any = None) -> None:
    sep = " " if sep is None else sep
    end = "\n" if end is None else end
    text = sep.join(str_(a) for a in args) + end
    if file is not None and file is not STATE.stdout_obj:
        write = getattr_(file, "write")
        call(write, [text])
        return
    STATE.out.append(text)


def b_len(obj: Any) -> int:
    kind = type(obj)
    if kind in (str, list, tuple, bytes, bytearray, range, MPDict) or kind.__name__ == "MPSet":
        return len(obj)
    cls = T.type_of(obj)
    if cls is T.MEMORYVIEW_T:
        return obj.length
    method = cls.lookup("__len__")
    if method is not NULL:
        return call(method, [obj])
    if kind is Instance and obj.mp_type.native_base is not None and obj.native is not None:
        from reference_vm.runtime import native_of
        return b_len(native_of(obj))
    raise mp_error("TypeError", f"object of type '{type_name(obj)}' has no len()" if STATE.detailed
                   else "object has no len")


def b_isinstance(obj: Any, classes: Any) -> bool:
    return b_issubclass(T.type_of(obj), classes, check=False)


def b_issubclass(cls: Any, classes: Any, check: bool = True) -> bool:
    if check and not isinstance(cls, MPType):
        raise mp_error("TypeError", "issubclass() arg 1 must be a class")
    if type(classes) is not tuple and not isinstance(classes, MPType):
        raise mp_error("TypeError", "issubclass() arg 2 must be a class or a tuple of classes")
    # Tuple items are compared, not checked: a nested tuple or a non-class item just never matches.
    for c in classes if type(classes) is tuple else (classes,):
        if c is T.OBJECT or (isinstance(c, MPType) and cls.is_subclass(c)):
            return True
    return False


def b_getattr(obj: Any, name: Any, default: Any = NULL) -> Any:
    if type(name) is not str:
        raise mp_error("TypeError", "attribute name must be a string" if False else
                       f"can't convert '{type_name(name)}' object to str implicitly")
    return getattr_(obj, name, default)


def b_hasattr(obj: Any, name: Any) -> bool:
    try:
        getattr_(obj, name)
    except GuestException as exc:
        if exc.instance.mp_type.is_subclass(T.EXCEPTIONS["AttributeError"]):
            return descriptor_left_behind(obj, name) is not NULL
        raise
    return True


def b_callable(obj: Any) -> bool:
    kind = type(obj)
    if kind in (Function, NativeFunction, BoundMethod, MPType):
        return True
    if kind is Instance:
        return obj.mp_type.lookup("__call__") is not NULL
    return False


def b_iter(obj: Any) -> Any:
    """iter(obj) only: MicroPython has no two-argument (callable, sentinel) form."""
    return get_iter(obj)


def b_next(it: Any, default: Any = NULL) -> Any:
    cls = T.type_of(it)
    if cls is T.GENERATOR_T:
        kind, value = STATE.machine.resume(it, None)
        if kind == 1:
            if default is not NULL:
                return default
            from reference_vm.exceptions import new_exception
            raise GuestException(new_exception(T.EXCEPTIONS["StopIteration"], () if value is None else (value,)))
        return value
    if type(it) is not NativeIterator and cls.lookup("__next__") is NULL and \
            getattr(it, "next", None) is None:
        raise mp_error("TypeError", f"'{type_name(it)}' object isn't an iterator" if STATE.detailed
                       else "object not an iterator")
    item = iter_next(it)
    if item is NULL:
        if default is not NULL:
            return default
        raise mp_error("StopIteration")
    return item


def _min_max(op: int, name: str) -> Any:
    def fn(*args: Any, key: Any = None, default: Any = NULL) -> Any:
        if not args:
            raise mp_error("TypeError", f"{name} expected 1 arguments, got 0" if False else
                           "function missing 1 required positional arguments")
        items = iterate(args[0]) if len(args) == 1 else list(args)
        if not items:
            if default is not NULL:
                return default
            raise mp_error("ValueError", "arg is an empty sequence")
        best = items[0]
        best_key = best if key is None else call(key, [best])
        for item in items[1:]:
            k = item if key is None else call(key, [item])
            if truth(binary_op(op, k, best_key)):
                best, best_key = item, k
        return best
    return fn


def b_sum(items: Any, start: Any = 0) -> Any:
    total = start
    for item in iterate(items):
        total = binary_op(B.ADD, total, item)
    return total


def b_abs(x: Any) -> Any:
    kind = type(x)
    if kind is int or kind is float:
        return abs(x)
    if kind is bool:
        return int(x)
    if kind is complex:
        from reference_vm.arith import to_float
        return to_float(abs(x))
    if kind is Instance:
        method = x.mp_type.lookup("__abs__")
        if method is not NULL:
            return call(method, [x])
    raise mp_error("TypeError", f"unsupported type for __abs__: '{type_name(x)}'")


def b_divmod(a: Any, b: Any) -> Any:
    return binary_op(35, a, b)


def b_pow(a: Any, b: Any, mod: Any = NULL) -> Any:
    if mod is NULL:
        return binary_op(B.POWER, a, b)
    if not all(type(v) in (int, bool) for v in (a, b, mod)):
        raise mp_error("TypeError", "pow() with 3 arguments requires integers")
    if mod == 0:
        raise mp_error("ValueError", "divide by zero")
    if b < 0:
        return 0
    return pow(int(a), int(b), int(mod))


def b_round(x: Any, ndigits: Any = NULL) -> Any:
    """mp_builtin_round: ints exactly (half to even), everything else as a float via nearbyint."""
    from reference_vm.arith import to_float
    from reference_vm.mod_math import get_float
    if type(x) in (int, bool):
        x = int(x)
        if ndigits is NULL:
            return x
        digits = builtins_types.to_int_strict(ndigits)
        return x if digits >= 0 else round(x, digits)
    value = get_float(x)
    if ndigits is NULL:
        if value != value:
            raise mp_error("ValueError", "can't convert NaN to int")
        if value in (math.inf, -math.inf):
            raise mp_error("OverflowError", "can't convert inf to int")
        return round(value)
    digits = builtins_types.to_int_strict(ndigits)
    mult = to_float(_c_pow10(digits))
    scaled = to_float(value * mult)
    if math.isfinite(scaled):
        scaled = math.copysign(float(round(scaled)), scaled)   # nearbyint: ties to even, sign kept
    return to_float(scaled / mult) if mult else math.nan


def _c_pow10(digits: int) -> float:
    """C pow(10, digits): overflow is inf, underflow 0."""
    try:
        return 10.0 ** digits
    except OverflowError:
        return math.inf


def b_chr(n: Any) -> str:
    n = builtins_types.to_int_strict(n)
    if not 0 <= n < 0x110000:
        raise mp_error("ValueError", "char not in range(0x110000)")
    return chr(n)


def b_ord(s: Any) -> int:
    """ord() of a one-character str or a one-byte bytes; bytearray is no str/bytes to it."""
    if type(s) is not str and type(s) is not bytes:
        raise mp_error("TypeError", f"can't convert '{type_name(s)}' object to str implicitly" if not STATE.terse
                       else "can't convert to str implicitly")
    if len(s) == 1:
        return ord(s)
    raise mp_error("TypeError", f"ord() expected a character, but string of length {len(s)} found"
                   if not STATE.terse else "ord expects a character")


def _radix(pattern: str, percent: bool) -> Any:
    """hex/oct are ``pattern % n``, bin is ``pattern.format(n)``, exactly as modbuiltins.c builds them."""
    def convert(n: Any) -> Any:
        if percent:
            return binary_op(B.MODULO, pattern, n)
        return call(getattr_(pattern, "format"), [n])
    return convert


def b_repr(x: Any) -> str:
    return repr_(x)


def b_hash(x: Any) -> int:
    return guest_hash(x)


def b_id(x: Any) -> int:
    if type(x) is int and STATE.profile.is_small_int(x):
        return (x << 1) | 1
    return fake_address(x)


def b_build_class(body: Any, name: Any, *bases: Any, **kwargs: Any) -> Any:
    if kwargs:
        raise mp_error("TypeError", "function doesn't take keyword arguments")
    namespace = MPDict()
    cell = STATE.machine.call_function(body, [], None, locals_dict=namespace)
    meta = bases[0].mp_type if bases and isinstance(bases[0], MPType) else T.TYPE
    if meta is T.TYPE:
        cls = builtins_types.type_new(T.TYPE, [name, tuple(bases), namespace], {})
    else:
        cls = call(meta, [name, tuple(bases), namespace])
    if isinstance(cell, Cell):
        cell.value = cls
    if isinstance(cls, MPType):
        for key, value in namespace.items():
            if type(value) is Instance:
                set_name = value.mp_type.lookup("__set_name__")
                if set_name is not NULL:
                    call(set_name, [value, cls, key])
    return cls


def b_all(items: Any) -> bool:
    it = get_iter(items)
    while True:
        item = iter_next(it)
        if item is NULL:
            return True
        if not truth(item):
            return False


def b_any(items: Any) -> bool:
    it = get_iter(items)
    while True:
        item = iter_next(it)
        if item is NULL:
            return False
        if truth(item):
            return True


def b_setattr(obj: Any, name: Any, value: Any) -> None:
    setattr_(obj, name, value)


def b_delattr(obj: Any, name: Any) -> None:
    setattr_(obj, name, NULL)


def b_dir(obj: Any = NULL) -> list[str]:
    names: list[str] = []
    if obj is NULL:
        return [k for k in STATE.machine.current_globals().keys()]
    if type(obj) is Instance:
        names.extend(obj.attrs.keys())
    cls = obj if isinstance(obj, MPType) else T.type_of(obj)

    def walk(c: MPType) -> None:
        keys = c.locals.keys() if c.is_user else list(c.locals)
        for k in keys:
            if k not in names:
                names.append(k)
        for b in c.bases:
            walk(b)
    walk(cls)
    if type(obj) is not MPType and "__class__" not in names:
        names.append("__class__")
    return names


def make_builtins() -> MPDict:
    """A fresh builtins dict for one run."""
    install_types()
    from reference_vm import builtins_more
    d = MPDict()

    def nf(name: str, fn: Any, lo: int = 0, hi: int = -1, kw: bool = False) -> None:
        d[name] = NativeFunction(name, fn, lo, hi, kw)

    nf("print", b_print, 0, -1, True)
    nf("len", b_len, 1, 1)
    nf("isinstance", b_isinstance, 2, 2)
    nf("issubclass", b_issubclass, 2, 2)
    nf("getattr", b_getattr, 2, 3)
    nf("setattr", b_setattr, 3, 3)
    nf("hasattr", b_hasattr, 2, 2)
    nf("delattr", b_delattr, 2, 2)
    nf("callable", b_callable, 1, 1)
    nf("iter", b_iter, 1, 1)
    nf("next", b_next, 1, 2)
    nf("min", _min_max(B.LESS, "min"), 0, -1, True)
    nf("max", _min_max(B.MORE, "max"), 0, -1, True)
    nf("sum", b_sum, 1, 2)
    nf("abs", b_abs, 1, 1)
    nf("divmod", b_divmod, 2, 2)
    nf("pow", b_pow, 2, 3)
    nf("round", b_round, 1, 2)
    nf("chr", b_chr, 1, 1)
    nf("ord", b_ord, 1, 1)
    nf("hex", _radix("%#x", True), 1, 1)
    nf("oct", _radix("%#o", True), 1, 1)
    nf("bin", _radix("{:#b}", False), 1, 1)
    nf("sorted", builtins_seq.sorted_, 1, -1, True)
    nf("repr", b_repr, 1, 1)
    nf("hash", b_hash, 1, 1)
    nf("id", b_id, 1, 1)
    nf("all", b_all, 1, 1)
    nf("any", b_any, 1, 1)
    nf("dir", b_dir, 0, 1)
    nf("__build_class__", b_build_class, 2, -1, True)
    for t in (T.INT_T, T.FLOAT_T, T.COMPLEX_T, T.STR_T, T.BYTES_T, T.BYTEARRAY_T, T.LIST_T, T.TUPLE_T, T.DICT_T,
              T.SET_T, T.FROZENSET_T, T.BOOL_T, T.RANGE_T, T.SLICE_T, T.OBJECT, T.TYPE, T.PROPERTY_T, T.SUPER_T,
              T.CLASSMETHOD_T, T.STATICMETHOD_T, T.MEMORYVIEW_T):
        d[t.name] = t
    for name, exc in T.EXCEPTIONS.items():
        d[name] = exc
    d["NotImplemented"] = NotImplemented
    d["Ellipsis"] = ...
    builtins_more.add_builtins(d)
    _ = (unary_op, load_method)
    return d
