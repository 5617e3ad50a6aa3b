"""The io module as MicroPython's modio.c/stringio: StringIO and BytesIO over one byte buffer.

Both keep their contents as bytes: ``write`` accepts str or any bytes-like
object and returns the number of bytes written, ``tell``/``seek`` count bytes,
seeking past the end and writing zero-fills, a negative position is
``OSError(22)``, and a closed stream raises ``ValueError('I/O operation on
closed file')``. There is no ``readlines``/``truncate``/``seekable``.
"""

from __future__ import annotations

from typing import Any

from reference_vm import mptypes as T
from reference_vm.exceptions import GuestException, mp_error, new_exception
from reference_vm.objects import NULL, Module, MPType, NativeFunction


class StreamIO:
    """One io.StringIO / io.BytesIO object."""

    def __init__(self, mp_type: MPType, data: bytes) -> None:
        self.mp_type = mp_type
        self.text = mp_type.name == "StringIO"
        self.buf: bytearray | None = bytearray(data)
        self.pos = 0
        self.addr = 0

    def repr_text(self) -> str:
        from reference_vm.objects import fake_address
        return f"<io.{self.mp_type.name} 0x{fake_address(self):x}>"

    def data(self) -> bytearray:
        if self.buf is None:
            raise mp_error("ValueError", "I/O operation on closed file")
        return self.buf

    def out(self, chunk: bytes) -> Any:
        return chunk.decode("utf-8", "replace") if self.text else bytes(chunk)


def _as_bytes(value: Any) -> bytes:
    from reference_vm.builtins_str import read_buffer
    return read_buffer(value)


def _size(size: Any) -> int:
    from reference_vm.builtins_types import to_int_strict
    return -1 if size is None else to_int_strict(size)


def _read(s: StreamIO, size: Any = -1) -> Any:
    buf = s.data()
    n = _size(size)
    if n < -1:  # MicroPython allocates (size_t)n + 1 bytes for the result
        from reference_vm.runtime import STATE
        wanted = (n + 1) & ((1 << STATE.profile.word_bits) - 1)
        raise mp_error("MemoryError", f"memory allocation failed, allocating {wanted} bytes")
    start = min(s.pos, len(buf))
    if n < 0:
        end = len(buf)
    elif s.text:  # a text stream reads characters: extend over UTF-8 continuation bytes
        end, count = start, 0
        while end < len(buf) and count < n:
            end += 1
            while end < len(buf) and buf[end] & 0xC0 == 0x80:
                end += 1
            count += 1
    else:
        end = min(len(buf), start + n)
    s.pos = max(s.pos, end)
    return s.out(bytes(buf[start:end]))


def _readline(s: StreamIO, size: Any = -1) -> Any:
    buf = s.data()
    start = min(s.pos, len(buf))
    end = buf.find(b"\n", start)
    end = len(buf) if end < 0 else end + 1
    if _size(size) >= 0:
        end = min(end, start + _size(size))
    s.pos = max(s.pos, end)
    return s.out(bytes(buf[start:end]))


def _readinto(s: StreamIO, target: Any, size: Any = -1) -> int:
    buf = s.data()
    start = min(s.pos, len(buf))
    n = len(target) if _size(size) < 0 else min(len(target), _size(size))
    chunk = bytes(buf[start:start + n])
    target[:len(chunk)] = chunk
    s.pos = max(s.pos, start + len(chunk))
    return len(chunk)


def _write(s: StreamIO, value: Any) -> int:
    buf = s.data()
    data = _as_bytes(value)
    if s.pos > len(buf):
        buf.extend(bytes(s.pos - len(buf)))
    buf[s.pos:s.pos + len(data)] = data
    s.pos += len(data)
    return len(data)


def _seek(s: StreamIO, offset: Any, whence: Any = 0) -> int:
    from reference_vm.builtins_types import to_int_strict
    buf = s.data()
    off, how = to_int_strict(offset), to_int_strict(whence)
    base = s.pos if how == 1 else len(buf) if how == 2 else 0
    pos = base + off
    if pos < 0:
        raise GuestException(new_exception(T.EXCEPTIONS["OSError"], (22,)))
    s.pos = pos
    return pos


def _tell(s: StreamIO) -> int:
    s.data()
    return s.pos


def _getvalue(s: StreamIO) -> Any:
    return s.out(bytes(s.data()))


def _close(s: StreamIO) -> None:
    s.buf = None


def _flush(s: StreamIO) -> None:
    s.data()


def _next(s: StreamIO) -> Any:
    line = _readline(s)
    if not line:
        raise mp_error("StopIteration")
    return line


def _exit(s: StreamIO, *args: Any) -> None:
    _close(s)


def _make_type(name: str) -> MPType:
    cls = MPType(name, (T.OBJECT,))
    cls.mp_type = T.TYPE

    def make_new(kind: MPType, args: list[Any], kwargs: dict[str, Any]) -> StreamIO:
        if kwargs:
            raise mp_error("TypeError", "function doesn't take keyword arguments")
        if len(args) > 1:
            raise mp_error("TypeError", f"function expected at most 1 arguments, got {len(args)}")
        data = b""
        if args and type(args[0]) is int:
            data = b""
        elif args:
            data = _as_bytes(args[0])
        return StreamIO(cls, data)
    cls.make_new = make_new
    members: dict[str, tuple[Any, int, int]] = {
               "read": (_read, 1, 2), "readinto": (_readinto, 2, 3), "readline": (_readline, 1, 2),
               "write": (_write, 2, 2), "seek": (_seek, 2, 3), "tell": (_tell, 1, 1), "flush": (_flush, 1, 1),
               "close": (_close, 1, 1), "getvalue": (_getvalue, 1, 1), "__enter__": (lambda s: s, 1, 1),
               "__exit__": (_exit, 1, 4), "__iter__": (lambda s: s, 1, 1), "__next__": (_next, 1, 1),
               "__del__": (_close, 1, 1)}
    for key, (impl, lo, hi) in members.items():
        cls.locals[key] = NativeFunction(key, impl, lo, hi)
    return cls


STRINGIO_T = _make_type("StringIO")
BYTESIO_T = _make_type("BytesIO")
_ = NULL


def make_io() -> Module:
    from reference_vm.modules import fn, new_module

    def open_(*args: Any) -> Any:
        raise mp_error("OSError", "no filesystem in the reference VM")
    return new_module("io", {"StringIO": STRINGIO_T, "BytesIO": BYTESIO_T, "open": fn("open", open_, 1, 3),
                             "IOBase": MPType("IOBase", (T.OBJECT,))})
