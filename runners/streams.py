"""Byte streams under the raw REPL: a serial port, a pseudo-terminal, or a script.

``RawRepl`` only needs ``write``, ``read`` (wait up to a timeout for whatever
bytes are there) and ``close``. pyserial is imported only when a real serial
port is opened, so the suite runs without it unless a board is used.
"""

from __future__ import annotations

import os
import select
import termios
import time
import tty
from collections.abc import Callable
from typing import Any, Protocol

from conformance.errors import TransportError


class ByteStream(Protocol):
    """What the raw REPL needs from a connection."""

    name: str

    def write(self, data: bytes) -> None: ...

    def read(self, timeout: float) -> bytes:
        """Bytes available within ``timeout`` seconds (b'' when none came)."""
        ...

    def close(self) -> None: ...


class PtyStream:
    """A pseudo-terminal such as the one QEMU serves for an emulated UART."""

    def __init__(self, path: str) -> None:
        self.name = path
        try:
            self._fd: int | None = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            tty.setraw(self._fd)
            attrs = termios.tcgetattr(self._fd)
            attrs[3] &= ~termios.ECHO
            termios.tcsetattr(self._fd, termios.TCSANOW, attrs)
        except OSError as exc:
            raise TransportError(path, f"cannot open: {exc}", b"") from exc

    def _require(self) -> int:
        if self._fd is None:
            raise TransportError(self.name, "the stream is closed", b"")
        return self._fd

    def write(self, data: bytes) -> None:
        fd = self._require()
        view = memoryview(data)
        deadline = time.monotonic() + 5.0
        while view:
            try:
                written = os.write(fd, view)
            except BlockingIOError:
                written = 0
            except OSError as exc:
                raise TransportError(self.name, f"write failed: {exc}", b"", gone=True) from exc
            view = view[written:]
            if view:
                if time.monotonic() > deadline:
                    raise TransportError(self.name, "the device stopped accepting input", b"")
                select.select([], [fd], [], 0.05)

    def read(self, timeout: float) -> bytes:
        fd = self._require()
        ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return b""
        except OSError as exc:
            raise TransportError(self.name, f"read failed: {exc}", b"", gone=True) from exc
        if not data:
            raise TransportError(self.name, "end of stream (the device went away)", b"", gone=True)
        return data

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class SerialStream:
    """A real serial port (USB CDC of a Pico, a UART adapter) through pyserial."""

    def __init__(self, port: str, baudrate: int = 115200) -> None:
        try:
            import serial
        except ImportError as exc:
            raise TransportError(port, "pyserial is not installed (pip install 'micropython-conformance[serial]')",
                                 b"") from exc
        self.name = port
        self._serial_module: Any = serial
        try:
            self._port: Any = serial.Serial(port, baudrate=baudrate, timeout=0, exclusive=True)
        except (serial.SerialException, OSError) as exc:
            raise TransportError(port, f"cannot open: {exc}", b"", gone=True) from exc

    def write(self, data: bytes) -> None:
        try:
            self._port.write(data)
        except (self._serial_module.SerialException, OSError) as exc:
            raise TransportError(self.name, f"write failed: {exc}", b"", gone=True) from exc

    def read(self, timeout: float) -> bytes:
        try:
            waiting = self._port.in_waiting
            if not waiting:
                self._port.timeout = max(0.0, timeout)
                first = self._port.read(1)
                if not first:
                    return b""
                return first + self._port.read(self._port.in_waiting)
            return self._port.read(waiting)
        except (self._serial_module.SerialException, OSError) as exc:
            raise TransportError(self.name, f"read failed: {exc}", b"", gone=True) from exc

    def close(self) -> None:
        try:
            self._port.close()
        except (self._serial_module.SerialException, OSError):
            pass


class ScriptedStream:
    """A stand-in device for unit tests: ``respond(written) -> bytes to read back``.

    Each write is passed to ``respond``; what it returns is queued for reading.
    ``respond`` may also raise TransportError to simulate an unplugged board.
    """

    def __init__(self, respond: Callable[[bytes], bytes], name: str = "scripted") -> None:
        self.name = name
        self._respond = respond
        self._pending = bytearray()
        self.written = bytearray()
        self.closed = False

    def feed(self, data: bytes) -> None:
        """Queue bytes as if the device had sent them unprompted."""
        self._pending += data

    def write(self, data: bytes) -> None:
        if self.closed:
            raise TransportError(self.name, "the stream is closed", b"")
        self.written += data
        self._pending += self._respond(bytes(data))

    def read(self, timeout: float) -> bytes:
        if not self._pending:
            time.sleep(min(timeout, 0.001))
            return b""
        data = bytes(self._pending)
        self._pending.clear()
        return data

    def close(self) -> None:
        self.closed = True
