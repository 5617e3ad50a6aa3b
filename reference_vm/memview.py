"""The memoryview type as MicroPython's (objarray.c): a one-dimensional byte view, step-1 slices only.

Not the host ``memoryview``: a host view pins its bytearray (CPython then
refuses to resize it), and MicroPython's differs anyway. A ``MemoryView`` keeps
the viewed object (a bytes/bytearray, or a str's UTF-8 bytes), an offset and a
length; reads and writes go to that object, so a bytearray changed through the
view or behind it is seen both ways. A view over bytes or str is read-only.

Its behaviour as an operand (array_binary_op): ``+`` and ``*`` are not
supported, comparisons and ``==`` compare the bytes with any other buffer
(False against a non-buffer), ``x in view`` is False for a buffer and
NotImplementedError for a number.
"""

from __future__ import annotations

from typing import Any

from reference_vm import mptypes as T
from reference_vm.exceptions import mp_error
from reference_vm.objects import NULL, NativeFunction
from reference_vm.runtime import STATE, type_name


class MemoryView:
    """A guest memoryview: ``length`` bytes of ``base`` from ``start`` on."""

    __slots__ = ("addr", "base", "length", "start", "writable")

    def __init__(self, base: bytes | bytearray, start: int, length: int) -> None:
        self.base = base
        self.start = start
        self.length = length
        self.writable = type(base) is bytearray
        self.addr = 0

    def data(self) -> bytes:
        """The viewed bytes now (the part of the base that still exists)."""
        return bytes(self.base[self.start:self.start + self.length])

    def repr_text(self) -> str:
        return "<memoryview>"


T.register_host_type(MemoryView, T.MEMORYVIEW_T)


def memoryview_new(cls: Any, args: list[Any], kwargs: dict[str, Any]) -> MemoryView:
    """memoryview(obj): a view of anything with the buffer protocol."""
    if kwargs:
        raise mp_error("TypeError", "function doesn't take keyword arguments")
    if len(args) != 1:
        raise mp_error("TypeError", f"function takes 1 positional arguments but {len(args)} were given")
    obj = args[0]
    if type(obj) is MemoryView:
        view = MemoryView(obj.base, obj.start, obj.length)
        view.writable = obj.writable
        return view
    if type(obj) in (bytes, bytearray):
        return MemoryView(obj, 0, len(obj))
    if type(obj) is str:
        data = obj.encode("utf-8", "surrogatepass")
        return MemoryView(data, 0, len(data))
    raise mp_error("TypeError", "object with buffer protocol required")


def _index(view: MemoryView, index: Any) -> int:
    """mp_get_index: an int index into the view, wrapped once, else IndexError."""
    if type(index) not in (int, bool):
        raise mp_error("TypeError", f"memoryview indices must be integers, not {type_name(index)}"
                       if not STATE.terse else "indices must be integers")
    i = int(index)
    if i < 0:
        i += view.length
    if not 0 <= i < view.length:
        raise mp_error("IndexError", "memoryview index out of range" if not STATE.terse else "index out of range")
    return view.start + i


def _bounds(view: MemoryView, index: slice) -> tuple[int, int]:
    """mp_seq_get_fast_slice_indexes: clamped start/stop of a step-1 slice."""
    if index.step is not None and index.step != 1:
        raise mp_error("NotImplementedError", "only slices with step=1 (aka None) are supported")
    start, stop, _ = slice(index.start, index.stop).indices(view.length)
    return start, max(start, stop)


def load(view: MemoryView, index: Any) -> Any:
    """view[i] is an int; view[a:b] is a new view of the same object."""
    if type(index) is slice:
        start, stop = _bounds(view, index)
        sub = MemoryView(view.base, view.start + start, stop - start)
        sub.writable = view.writable
        return sub
    return view.base[_index(view, index)]


def _base_for_store(view: MemoryView) -> bytearray:
    """The base of a view that ``store`` has found writable (only a bytearray base is)."""
    base = view.base
    assert type(base) is bytearray, "store checks read-only views first"
    return base


def store(view: MemoryView, index: Any, value: Any) -> None:
    """view[i] = int (truncated to a byte), view[a:b] = same-length bytes or byte array."""
    if not view.writable:
        raise mp_error("TypeError", "'memoryview' object doesn't support item assignment" if not STATE.terse
                       else "object doesn't support item assignment")
    if type(index) is slice:
        start, stop = _bounds(view, index)
        if type(value) in (bytearray, MemoryView, bytes):
            source = value.data() if type(value) is MemoryView else bytes(value)
        else:
            raise mp_error("NotImplementedError", "array/bytes required on right side")
        if len(source) != stop - start:
            raise mp_error("ValueError", "lhs and rhs should be compatible")
        _base_for_store(view)[view.start + start:view.start + stop] = source
        return
    from reference_vm.subscr import byte_value
    position = _index(view, index)
    _base_for_store(view)[position] = byte_value(value)


def items(view: MemoryView) -> Any:
    """Iteration reads each byte when it is reached, as array_iterator does."""
    for i in range(view.length):
        position = view.start + i
        if position >= len(view.base):
            return
        yield view.base[position]


def buffer_of(value: Any) -> bytes | None:
    """The bytes of a buffer-protocol operand (bytes, bytearray, str, memoryview), or None."""
    kind = type(value)
    if kind is bytes or kind is bytearray:
        return bytes(value)
    if kind is str:
        return value.encode("utf-8", "surrogatepass")
    if kind is MemoryView:
        return value.data()
    return None


def binary_op(op: int, view: MemoryView, other: Any) -> Any:
    """array_binary_op for a memoryview on the left: NULL where the operator is unsupported."""
    from reference_vm.arith import CONTAINS, ORDERINGS
    if op == CONTAINS:
        if buffer_of(other) is not None:
            return False
        if type(other) in (int, float, bool):
            raise mp_error("NotImplementedError")
        return False
    compare = ORDERINGS.get(op)
    if compare is None:
        return NULL
    data = buffer_of(other)
    return False if data is None else compare(view.data(), data)


def view_hex(view: MemoryView, *sep: Any) -> str:
    from reference_vm.builtins_str import b_hex
    return b_hex(view.data(), *sep)


def install() -> None:
    """Make ``memoryview`` constructible and give it its one method and attribute."""
    from reference_vm.objects import Property
    T.MEMORYVIEW_T.make_new = memoryview_new
    T.MEMORYVIEW_T.locals.update({
        "hex": NativeFunction("hex", view_hex, 1, 2),
        "itemsize": Property(NativeFunction("itemsize", lambda view: 1, 1, 1)),
    })
