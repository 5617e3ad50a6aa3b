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
from reference_vm.memview import MemoryView
from reference_vm.memview import load as view_load
from reference_vm.memview import store as view_store
from reference_vm.mptypes import EXCEPTIONS
from reference_vm.objects import NULL, Instance, MPType
from reference_vm.runtime import STATE, call, native_of, type_name

_SEQ_NAMES: dict[type, str] = {list: "list", tuple: "tuple", str: "string", bytes: "bytes", bytearray: "bytearray",
                               range: "range"}


def key_error(key: Any) -> GuestException:
    return GuestException(new_exception(EXCEPTIONS["KeyError"], (key,)))


def _not_an_index(seq: Any, index: Any) -> GuestException:
    """TypeError for a non-int index of ``seq``; a str's (objstrunicode.c) has no terse text."""
    if STATE.detailed or type(seq) is str:
        name = _SEQ_NAMES.get(type(seq), type_name(seq))
        return mp_error("TypeError", f"{name} indices must be integers, not {type_name(index)}")
    return mp_error("TypeError", "indices must be integers")


def _index(seq: Any, index: Any) -> int:
    kind = type(index)
    if kind is bool:
        index = int(index)
    elif kind is not int:
        raise _not_an_index(seq, index)
    n = len(seq)
    if index < 0:
        index += n
    if not 0 <= index < n:
        raise mp_error("IndexError", f"{_SEQ_NAMES.get(type(seq), type_name(seq))} index out of range")
    return index


def machine_int(value: Any) -> int:
    """``mp_obj_get_int``: a bool or int that fits a machine word, else TypeError/OverflowError."""
    if type(value) is bool:
        return int(value)
    if type(value) is not int:
        raise mp_error("TypeError", f"can't convert {type_name(value)} to int" if STATE.detailed
                       else "can't convert to int")
    # mpz_as_int_checked keeps the magnitude below 2**(bits-1): the range is symmetric, so the most
    # negative word (-2**63 on 64-bit) does not convert either.
    if abs(value) >> (STATE.profile.word_bits - 1):
        raise mp_error("OverflowError", "overflow converting long int to machine word")
    return value


def _bound_slice(s: slice, length: int) -> tuple[int, int, int]:
    """(start, stop, step) as mp_seq_get_fast_slice_indexes leaves them (py/objslice.c, py/sequence.c).

    Each part goes through ``mp_obj_get_int``; a negative step's stop points at the last item taken.
    """
    step = 1 if s.step is None else machine_int(s.step)
    if step == 0:
        raise mp_error("ValueError", "slice step can't be zero")
    lo, hi = (0, length) if step > 0 else (-1, length - 1)
    bounds = []
    for part, default in ((s.start, 0 if step > 0 else length - 1), (s.stop, length if step > 0 else -1)):
        if part is None:
            bounds.append(default)
            continue
        value = machine_int(part)
        if value < 0:
            value += length
        bounds.append(min(hi, max(value, lo)))
    start, stop = bounds
    if step < 0:
        stop += 1
    if step > 0 and start > stop:
        stop = start
    elif step < 0 and start < stop:
        stop = start + 1
    return start, stop, step


def _host_slice(s: slice, length: int, fast_only: bool, message: str = "") -> slice:
    """The host slice selecting what MicroPython selects; step 1 only when ``fast_only``."""
    start, stop, step = _bound_slice(s, length)
    if step == 1:
        return slice(start, stop)
    if fast_only:
        raise mp_error("NotImplementedError", message)
    # mp_seq_extract_slice walks start, start+step, ... while before stop (stop inclusive for step < 0).
    # A start of -1 there means "before the first item" (nothing to take), never "the last item".
    if step > 0:
        return slice(start, stop, step)
    return slice(start, stop - 1 if stop > 0 else None, step) if start >= 0 else slice(0, 0)


_STEP_1_ONLY = "only slices with step=1 (aka None) are supported"


def index_bounds(seq: Any, start: Any, stop: Any) -> tuple[int, int]:
    """A (start, stop) pair as str_index_to_ptr (and mp_get_index for a slice) reads it: None is the
    end, an int wraps once and clamps to [0, len], anything else is TypeError."""
    n = len(seq)
    bounds = []
    for part, default in ((start, 0), (stop, n)):
        if part is None:
            bounds.append(default)
            continue
        if type(part) is not int and type(part) is not bool:
            raise _not_an_index(seq, part)
        value = machine_int(part)
        if value < 0:
            value += n
        bounds.append(min(n, max(value, 0)))
    return bounds[0], bounds[1]


def _str_slice(text: str, index: slice) -> str:
    """objstrunicode.c's str slice: any step but None or the int 1 is refused before the bounds are
    looked at (so ``s[::0]`` is NotImplementedError too)."""
    if index.step is not None and not (type(index.step) is int and index.step == 1):
        raise mp_error("NotImplementedError", _STEP_1_ONLY)
    start, stop = index_bounds(text, index.start, index.stop)
    return text[start:stop]


def _not_subscriptable(obj: Any, what: str = "subscriptable") -> GuestException:
    return mp_error("TypeError", f"'{type_name(obj)}' object isn't {what}" if STATE.detailed
                    else f"object isn't {what}")


def load_subscr(obj: Any, index: Any) -> Any:
    kind = type(obj)
    if kind in (list, tuple, str, bytes, bytearray, range):
        if type(index) is slice:
            if kind is str:
                return _str_slice(obj, index)
            # Only list and range take a step other than 1 (tuple and the byte types raise).
            return obj[_host_slice(index, len(obj), kind is not list and kind is not range, _STEP_1_ONLY)]
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
    if kind is MemoryView:
        return view_load(obj, index)
    if kind is MPType:
        method = obj.lookup("__class_getitem__")
        if method is not NULL:
            return call(method, [obj, index])
    raise _not_subscriptable(obj)


def byte_value(value: Any) -> int:
    """A byte stored into a bytearray: any machine int, truncated to 8 bits (mp_binary_set_val_array)."""
    return machine_int(value) & 0xff


def _store_slice(obj: list[Any] | bytearray, index: slice, value: Any) -> None:
    if type(obj) is list:
        where = _host_slice(index, len(obj), True)
        if type(value) not in (list, tuple):  # mp_obj_get_array
            raise mp_error("TypeError", f"object '{type_name(value)}' isn't a tuple or list" if STATE.detailed
                           else "expected tuple/list")
        obj[where] = value
        return
    where = _host_slice(index, len(obj), True, _STEP_1_ONLY)
    if type(value) not in (bytes, bytearray):
        raise mp_error("NotImplementedError", "array/bytes required on right side")
    obj[where] = value


def store_subscr(obj: Any, index: Any, value: Any) -> None:
    kind = type(obj)
    if kind is list or kind is bytearray:
        if type(index) is slice:
            _store_slice(obj, index, value)
            return
        i = _index(obj, index)
        obj[i] = byte_value(value) if kind is bytearray else value
        return
    if kind is MPDict:
        obj[index] = value
        return
    if kind is MemoryView:
        view_store(obj, index, value)
        return
    if kind is Instance:
        method = obj.mp_type.lookup("__setitem__")
        if method is not NULL:
            call(method, [obj, index, value])
            return
        if obj.mp_type.native_base is not None and obj.native is not None:
            store_subscr(native_of(obj), index, value)
            return
    raise mp_error("TypeError", f"'{type_name(obj)}' object doesn't support item assignment" if STATE.detailed
                   else "object doesn't support item assignment")


def delete_subscr(obj: Any, index: Any) -> None:
    kind = type(obj)
    if kind is list:  # a bytearray has no item deletion at all
        if type(index) is slice:
            del obj[_host_slice(index, len(obj), True)]
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
