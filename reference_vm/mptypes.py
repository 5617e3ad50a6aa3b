"""Built-in type objects and ``type_of``: which MicroPython type a guest value has.

Every built-in type is an ``MPType`` so that type objects behave as in
MicroPython: ``type(1).__name__ == 'int'``, ``bool`` is a subclass of ``object``
only (not of ``int``), and the exception hierarchy is MicroPython's (no
UnboundLocalError, RecursionError or ModuleNotFoundError). Methods and
constructors are attached by the builtins modules; this module only builds the
skeleton, so it can be imported by everything without cycles.
"""

from __future__ import annotations

from typing import Any

from reference_vm.containers import MPDict, MPSet
from reference_vm.objects import (
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
    Super,
)

OBJECT = MPType("object")
TYPE = MPType("type", (OBJECT,))


def _builtin(name: str, *bases: MPType) -> MPType:
    t = MPType(name, bases or (OBJECT,))
    return t


NONE_T = _builtin("NoneType")
BOOL_T = _builtin("bool")
INT_T = _builtin("int")
FLOAT_T = _builtin("float")
COMPLEX_T = _builtin("complex")
STR_T = _builtin("str")
BYTES_T = _builtin("bytes")
BYTEARRAY_T = _builtin("bytearray")
LIST_T = _builtin("list")
TUPLE_T = _builtin("tuple")
DICT_T = _builtin("dict")
SET_T = _builtin("set")
FROZENSET_T = _builtin("frozenset")
RANGE_T = _builtin("range")
SLICE_T = _builtin("slice")
FUNCTION_T = _builtin("function")
CLOSURE_T = _builtin("closure")
BOUND_METH_T = _builtin("bound_method")
GENERATOR_T = _builtin("generator")
GENFUNC_T = _builtin("generator")
CELL_T = _builtin("cell")
MODULE_T = _builtin("module")
PROPERTY_T = _builtin("property")
CLASSMETHOD_T = _builtin("classmethod")
STATICMETHOD_T = _builtin("staticmethod")
SUPER_T = _builtin("super")
ITERATOR_T = _builtin("iterator")
ELLIPSIS_T = _builtin("ellipsis")
NOTIMPL_T = _builtin("NotImplementedType")
MEMORYVIEW_T = _builtin("memoryview")

#: Exception classes by name, in definition order (parents first).
EXCEPTIONS: dict[str, MPType] = {}
_HIERARCHY = (
    ("BaseException", None), ("SystemExit", "BaseException"), ("KeyboardInterrupt", "BaseException"),
    ("GeneratorExit", "BaseException"), ("Exception", "BaseException"), ("StopAsyncIteration", "Exception"),
    ("StopIteration", "Exception"), ("ArithmeticError", "Exception"), ("OverflowError", "ArithmeticError"),
    ("ZeroDivisionError", "ArithmeticError"), ("AssertionError", "Exception"), ("AttributeError", "Exception"),
    ("EOFError", "Exception"), ("ImportError", "Exception"), ("LookupError", "Exception"),
    ("IndexError", "LookupError"), ("KeyError", "LookupError"), ("MemoryError", "Exception"),
    ("NameError", "Exception"), ("OSError", "Exception"), ("RuntimeError", "Exception"),
    ("NotImplementedError", "RuntimeError"), ("SyntaxError", "Exception"), ("IndentationError", "SyntaxError"),
    ("TypeError", "Exception"), ("ValueError", "Exception"), ("UnicodeError", "ValueError"),
)
for _name, _parent in _HIERARCHY:
    EXCEPTIONS[_name] = _builtin(_name, EXCEPTIONS[_parent] if _parent else OBJECT)
BASE_EXCEPTION = EXCEPTIONS["BaseException"]

_HOST_TYPES: dict[type, MPType] = {
    type(None): NONE_T, bool: BOOL_T, int: INT_T, float: FLOAT_T, complex: COMPLEX_T, str: STR_T,
    bytes: BYTES_T, bytearray: BYTEARRAY_T, list: LIST_T, tuple: TUPLE_T, MPDict: DICT_T, range: RANGE_T,
    slice: SLICE_T, BoundMethod: BOUND_METH_T, Cell: CELL_T, Module: MODULE_T, Property: PROPERTY_T,
    ClassMethod: CLASSMETHOD_T, StaticMethod: STATICMETHOD_T, Super: SUPER_T, NativeFunction: FUNCTION_T,
    type(...): ELLIPSIS_T, type(NotImplemented): NOTIMPL_T, memoryview: MEMORYVIEW_T,
}

ALL_BUILTIN_TYPES: tuple[MPType, ...] = tuple(
    t for t in globals().values() if (isinstance(t, MPType) and not t.name[0].isupper()) or t is NONE_T)
for _t in [*ALL_BUILTIN_TYPES, *EXCEPTIONS.values()]:
    _t.mp_type = TYPE


#: Lazy iterator types (map, zip, ...) by NativeIterator.kind; filled by builtins_more.
ITER_KINDS: dict[str, MPType] = {}


def register_host_type(host: type, mp_type: MPType) -> None:
    """Let another module (the machine's generator class, say) declare the guest type of its objects."""
    _HOST_TYPES[host] = mp_type


def type_of(value: Any) -> MPType:
    """The MicroPython type of a guest value."""
    t = _HOST_TYPES.get(type(value))
    if t is not None:
        return t
    if isinstance(value, (Instance, MPType)):
        return value.mp_type  # type: ignore[return-value]
    if isinstance(value, MPSet):
        return FROZENSET_T if value.frozen else SET_T
    if isinstance(value, Function):
        if value.raw.is_generator:
            return GENFUNC_T
        return CLOSURE_T if value.closure else FUNCTION_T
    if isinstance(value, NativeIterator):
        return ITER_KINDS.get(value.kind, ITERATOR_T)
    mp_type = getattr(value, "mp_type", None)
    if isinstance(mp_type, MPType):
        return mp_type
    raise TypeError(f"no guest type for host value of type {type(value).__name__}")


def is_exception_type(t: Any) -> bool:
    return isinstance(t, MPType) and t.is_subclass(BASE_EXCEPTION)
