"""The struct module as MicroPython's modstruct.c: pack/unpack/calcsize/pack_into/unpack_from.

No ``Struct`` class, no ``struct.error``, no ``?``/``c``/``n`` codes. Values are
stored modulo the field width (no range check), missing arguments leave
zero bytes and surplus ones are ignored; an unknown code is
``ValueError('bad typecode')`` and a short buffer ``ValueError('buffer too small')``.
"""

from __future__ import annotations

import math
import struct as host_struct
from typing import Any

from reference_vm.exceptions import mp_error
from reference_vm.objects import Module

_INT_CODES = "bBhHiIlLqQP"
_STD_SIZE = {"b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "l": 4, "L": 4, "q": 8, "Q": 8,
             "P": 4, "e": 2, "f": 4, "d": 8, "s": 1, "x": 1}


def _native_size(code: str) -> int:
    from reference_vm.runtime import STATE
    word = STATE.profile.word_bits // 8
    if code in "lLP":
        return word
    return _STD_SIZE[code]


def _parse(fmt: Any) -> tuple[str, bool, list[tuple[str, int]]]:
    """(byte order '<'/'>', native alignment?, [(code, count)])."""
    from reference_vm.reprs import str_
    if isinstance(fmt, (bytes, bytearray)):
        text = bytes(fmt).decode("utf-8", "replace")
    else:
        text = fmt if isinstance(fmt, str) else str_(fmt)
    order, native = "<", True
    if text and text[0] in "<>!@":
        native = text[0] == "@"
        order = ">" if text[0] in ">!" else "<"
        text = text[1:]
    items: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        count = 1
        if text[i].isdigit():
            j = i
            while j < len(text) and text[j].isdigit():
                j += 1
            count = int(text[i:j])
            i = j
            if i >= len(text):
                raise mp_error("ValueError", "bad typecode")
        code = text[i]
        if code not in _STD_SIZE:
            raise mp_error("ValueError", "bad typecode")
        items.append((code, count))
        i += 1
    return order, native, items


def _layout(fmt: Any) -> tuple[str, list[tuple[str, int, int]], int]:
    """(byte order, [(code, offset, size-or-count)], total size)."""
    order, native, items = _parse(fmt)
    out: list[tuple[str, int, int]] = []
    pos = 0
    for code, count in items:
        size = _native_size(code) if native else _STD_SIZE[code]
        if code in "sx":
            out.append((code, pos, count))
            pos += count
            continue
        for _ in range(count):
            if native and size > 1:
                pos = (pos + size - 1) // size * size
            out.append((code, pos, size))
            pos += size
    return order, out, pos


def calcsize(fmt: Any) -> int:
    return _layout(fmt)[2]


def _buffer(obj: Any) -> bytes:
    from reference_vm.builtins_str import read_buffer
    return read_buffer(obj)


def _get_float(value: Any) -> float:
    from reference_vm.builtins_types import to_float
    from reference_vm.runtime import type_name
    if isinstance(value, (str, bytes, bytearray)):
        raise mp_error("TypeError", f"can't convert {type_name(value)} to float")
    return float(to_float(value))


def _pack_float(code: str, order: str, value: float) -> bytes:
    try:
        return host_struct.pack(order + code, value)
    except OverflowError:
        return host_struct.pack(order + code, math.copysign(math.inf, value))


def _pack_fields(fmt: Any, args: tuple[Any, ...]) -> tuple[bytearray, int]:
    from reference_vm.builtins_types import to_int_strict
    order, fields, total = _layout(fmt)
    out = bytearray(total)
    i = 0
    for code, pos, size in fields:
        if code == "x":
            continue
        if i >= len(args):
            break
        value = args[i]
        i += 1
        if code == "s":
            data = _buffer(value)[:size]
            out[pos:pos + len(data)] = data
        elif code in "efd":
            out[pos:pos + size] = _pack_float(code, order, _get_float(value))
        else:
            n = to_int_strict(value) & ((1 << (8 * size)) - 1)
            out[pos:pos + size] = n.to_bytes(size, "little" if order == "<" else "big")
    return out, total


def _unpack_fields(fmt: Any, data: bytes, offset: int) -> tuple[Any, ...]:
    from reference_vm.arith import to_float
    order, fields, total = _layout(fmt)
    if offset < 0:
        offset += len(data)
        if offset < 0:
            raise mp_error("ValueError", "buffer too small")
    if total > len(data) - offset:
        raise mp_error("ValueError", "buffer too small")
    values: list[Any] = []
    for code, pos, size in fields:
        start = offset + pos
        if code == "x":
            continue
        if code == "s":
            values.append(data[start:start + size])
        elif code in "efd":
            values.append(to_float(host_struct.unpack(order + code, data[start:start + size])[0]))
        else:
            values.append(int.from_bytes(data[start:start + size], "little" if order == "<" else "big",
                                         signed=code in "bhilq"))
    return tuple(values)


def pack(fmt: Any, *args: Any) -> bytes:
    return bytes(_pack_fields(fmt, args)[0])


def unpack(fmt: Any, buf: Any) -> tuple[Any, ...]:
    return _unpack_fields(fmt, _buffer(buf), 0)


def unpack_from(fmt: Any, buf: Any, offset: Any = 0) -> tuple[Any, ...]:
    from reference_vm.builtins_types import to_int_strict
    return _unpack_fields(fmt, _buffer(buf), to_int_strict(offset))


def pack_into(fmt: Any, buf: Any, offset: Any, *args: Any) -> None:
    from reference_vm.builtins_types import to_int_strict
    if not isinstance(buf, (bytearray, memoryview)):
        raise mp_error("TypeError", "object with buffer protocol required")
    data, total = _pack_fields(fmt, args)
    off = to_int_strict(offset)
    if off < 0:
        off += len(buf)
        if off < 0:
            raise mp_error("ValueError", "buffer too small")
    if total > len(buf) - off:
        raise mp_error("ValueError", "buffer too small")
    buf[off:off + total] = data


def make_struct() -> Module:
    from reference_vm.modules import fn, new_module
    return new_module("struct", {
        "calcsize": fn("calcsize", calcsize, 1, 1), "pack": fn("pack", pack, 1),
        "unpack": fn("unpack", unpack, 2, 2), "unpack_from": fn("unpack_from", unpack_from, 2, 3),
        "pack_into": fn("pack_into", pack_into, 3),
    })
