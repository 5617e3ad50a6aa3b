"""Subscripts: ``obj[i]``, ``obj[i] = v`` and ``del obj[i]`` with MicroPython's errors.

Index errors name the type as MicroPython does ("list index out of range",
"string index out of range"), a missing dict key raises ``KeyError(key)``
(printed without quotes), and types without item access say
"'int' object isn't subscriptable" rather than CPython's wording.
"""

from __future__ import annotations

from typing import Any

from reference_vm.containers import MPDict
from reference_vm.exceptions import GuestException, mp_error, new_exception
from reference_vm.mptypes import EXCEPTIONS
from reference_vm.objects import NULL, Instance, MPType
from reference_vm.runtime import STATE, call, iterate, native_of, type_name

_SEQ_NAMES = {list: "list", tuple: "tuple", str: "string", bytes: "bytes", bytearray: "bytearray", range: "range"}


def key_error(key: Any) -> GuestException:
    return GuestException(new_exception(EXCEPTIONS["KeyError"], (key,)))


def _index(seq: Any, index: Any) -> int:
    kind = type(index)
    if kind is bool:
        index = int(index)
    elif kind is not int:
        name = _SEQ_NAMES.get(type(seq), type_name(seq))
        raise mp_error("TypeError", f"{name} indices must be integers, not {type_name(index)}"
                       if STATE.detailed else "indices must be integers")
    n = len(seq)
    if index < 0:
        index += n
    if not 0 <= index < n:
        raise mp_error("IndexError", f"{_SEQ_NAMES.get(type(seq), type_name(seq))} index out of range")
    return index


def _slice(s: slice) -> slice:
    for part in (s.start, s.stop, s.step):
        if part is not None and type(part) not in (int, bool):
            raise mp_error("TypeError", "slice indices must be integers")
    if s.step == 0:
        raise mp_error("ValueError", "slice step can't be zero")
    return s


def _not_subscriptable(obj: Any, what: str = "subscriptable") -> GuestException:
    return mp_error("TypeError", f"'{type_name(obj)}' object isn't {what}" if STATE.detailed
                    else f"object isn't {what}")


def load_subscr(obj: Any, index: Any) -> Any:
    kind = type(obj)
    if kind in (list, tuple, str, bytes, bytearray, range):
        if type(index) is slice:
            return obj[_slice(index)]
        return obj[_index(obj, index)]
    if kind is MPDict:
        value = obj.get(index)
        if value is NULL:
            raise key_error(index)
        return value
    if kind is Instance:
        method = obj.mp_type.lookup("__getitem__")
        if method is not NULL:
            return call(method, [obj, index])
        if obj.mp_type.native_base is not None and obj.native is not None:
            return load_subscr(native_of(obj), index)
    if kind is memoryview:
        return obj[index]
    if kind is MPType:
        method = obj.lookup("__class_getitem__")
        if method is not NULL:
            return call(method, [obj, index])
    raise _not_subscriptable(obj)


def store_subscr(obj: Any, index: Any, value: Any) -> None:
    kind = type(obj)
    if kind is list or kind is bytearray:
        if type(index) is slice:
            items = iterate(value)
            if kind is bytearray:
                items = bytes(items) if not isinstance(value, (bytes, bytearray)) else value
            try:
                obj[_slice(index)] = items
            except ValueError:
                raise mp_error("NotImplementedError", "") from None
            return
        i = _index(obj, index)
        if kind is bytearray and (type(value) is not int or not 0 <= value < 256):
            raise mp_error("ValueError", "bytearray value out of range" if False else "byte must be in range(0, 256)")
        obj[i] = value
        return
    if kind is MPDict:
        obj[index] = value
        return
    if kind is Instance:
        method = obj.mp_type.lookup("__setitem__")
        if method is not NULL:
            call(method, [obj, index, value])
            return
        if obj.mp_type.native_base is not None and obj.native is not None:
            store_subscr(native_of(obj), index, value)
            return
    raise _not_subscriptable(obj, "subscriptable" if kind is Instance else "mutable") if False else \
        mp_error("TypeError", f"'{type_name(obj)}' object doesn't support item assignment" if STATE.detailed
                 else "object doesn't support item assignment")


def delete_subscr(obj: Any, index: Any) -> None:
    kind = type(obj)
    if kind is list or kind is bytearray:
        if type(index) is slice:
            del obj[_slice(index)]
        else:
            del obj[_index(obj, index)]
        return
    if kind is MPDict:
        if obj.remove(index) is NULL:
            raise key_error(index)
        return
    if kind is Instance:
        method = obj.mp_type.lookup("__delitem__")
        if method is not NULL:
            call(method, [obj, index])
            return
        if obj.mp_type.native_base is not None and obj.native is not None:
            delete_subscr(native_of(obj), index)
            return
    raise mp_error("TypeError", f"'{type_name(obj)}' object doesn't support item deletion" if STATE.detailed
                   else "object doesn't support item deletion")
