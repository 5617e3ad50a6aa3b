"""MicroPython's raw REPL over any ByteStream, with raw-paste when the firmware has it.

Protocol facts (from MicroPython's pyexec and mpremote's documentation):
- Ctrl-A at the friendly prompt enters the raw REPL, which answers
  "raw REPL; CTRL-B to exit\\r\\n>". Ctrl-B goes back.
- In the raw REPL, program text followed by Ctrl-D is compiled and run; the
  board answers "OK", then the program's stdout, Ctrl-D, the traceback text (if
  any), Ctrl-D, and the ">" prompt.
- Ctrl-D on an empty raw REPL line is a soft reset: "soft reboot\\r\\n", then
  the raw REPL banner again. Ctrl-C interrupts a running program.
- Raw-paste (firmware 1.14+): Ctrl-E "A" Ctrl-A asks for it; "R\\x01" plus a
  2-byte little-endian window size means yes, "R\\x00" means understood but
  unsupported, anything else (the banner) means the firmware predates it. The
  host may then send up to a window of bytes, and one more window each time the
  board sends Ctrl-A; Ctrl-D from the board aborts. The host ends with Ctrl-D
  and the board acknowledges with Ctrl-D before running the program.
"""

from __future__ import annotations

import re
import struct
import time
from dataclasses import dataclass

from conformance.errors import TransportError
from runners.streams import ByteStream

CTRL_A = b"\x01"  # enter raw REPL (and, from the board in raw-paste: "send another window")
CTRL_B = b"\x02"  # leave raw REPL for the friendly REPL
CTRL_C = b"\x03"  # KeyboardInterrupt: stop the running program
CTRL_D = b"\x04"  # end of program text / soft reset / end-of-output marker
CTRL_E = b"\x05"  # first byte of the raw-paste request
RAW_PASTE_REQUEST = CTRL_E + b"A" + CTRL_A
RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n"
SOFT_REBOOT = b"soft reboot\r\n"
#: The board's own end of a run: Ctrl-D, the traceback (if any), Ctrl-D, the prompt.
_RUN_END = re.compile(rb"\x04[^\x04]*\x04>\Z")
QUIET = 0.05  # seconds of silence after which a run's apparent end is taken as its end


class ReplTimeout(TransportError):
    """The board did not produce the expected bytes in time."""


@dataclass(frozen=True)
class ExecResult:
    """What one raw-REPL execution produced."""

    stdout: bytes
    stderr: bytes
    timed_out: bool = False
    noise: bytes = b""  # bytes seen before "OK" that belong to no protocol step


class RawRepl:
    """Drives the raw REPL of one board.

    ``byte_timeout`` bounds how long a protocol step may wait for the next
    bytes; ``exec`` also takes an absolute deadline for the program's run, so
    a program that keeps printing still ends on time.
    """

    def __init__(self, stream: ByteStream, byte_timeout: float = 1.0, chunk_size: int = 256,
                 chunk_delay: float = 0.0) -> None:
        self.stream = stream
        self.byte_timeout = byte_timeout
        self.chunk_size = chunk_size
        self.chunk_delay = chunk_delay
        self.raw_paste: bool | None = None  # unknown until first tried
        self._buffer = bytearray()

    # -- reading ------------------------------------------------------------
    def drain(self, quiet: float = 0.02) -> bytes:
        """Discard whatever the board sends until it is quiet for ``quiet`` seconds."""
        data = bytes(self._buffer)
        self._buffer.clear()
        while True:
            chunk = self.stream.read(quiet)
            if not chunk:
                return data
            data += chunk

    def read_until(self, marker: bytes, timeout: float, max_bytes: int = 4 << 20) -> bytes:
        """Bytes up to and including ``marker``; raises ReplTimeout after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            index = self._buffer.find(marker)
            if index >= 0:
                end = index + len(marker)
                data = bytes(self._buffer[:end])
                del self._buffer[:end]
                return data
            remaining = deadline - time.monotonic()
            if remaining <= 0 or len(self._buffer) > max_bytes:
                raise ReplTimeout(self.stream.name, f"expected {marker!r} within {timeout:g} s",
                                  bytes(self._buffer[-200:]))
            self._buffer += self.stream.read(min(remaining, 0.5))

    def _read_exact(self, count: int, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while len(self._buffer) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ReplTimeout(self.stream.name, f"expected {count} bytes within {timeout:g} s",
                                  bytes(self._buffer))
            self._buffer += self.stream.read(min(remaining, 0.5))
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data

    # -- states ---------------------------------------------------------------
    def enter(self, soft_reset: bool = True) -> None:
        """From any state to an empty raw REPL prompt (optionally after a soft reset)."""
        self.stream.write(b"\r" + CTRL_C + CTRL_C)  # stop whatever runs
        self.drain()
        self.stream.write(b"\r" + CTRL_A)  # friendly REPL -> raw REPL
        self.read_until(RAW_BANNER + b">", self.byte_timeout)
        if soft_reset:
            self.soft_reset()

    def soft_reset(self) -> None:
        """Soft reset from the raw REPL prompt: a fresh interpreter, back at the prompt."""
        self.stream.write(CTRL_D)
        self.read_until(SOFT_REBOOT, self.byte_timeout)
        self.read_until(RAW_BANNER + b">", self.byte_timeout)

    def interrupt(self) -> bytes:
        """Ctrl-C a running program and return to the raw prompt; returns what came meanwhile."""
        self.stream.write(CTRL_C + CTRL_C)
        seen = self.drain(0.05)
        self.stream.write(b"\r" + CTRL_A)
        seen += self.read_until(RAW_BANNER + b">", self.byte_timeout)
        return seen

    # -- running programs -----------------------------------------------------------
    def _send_plain(self, data: bytes) -> None:
        for start in range(0, len(data), self.chunk_size):
            self.stream.write(data[start:start + self.chunk_size])
            if self.chunk_delay:
                time.sleep(self.chunk_delay)
        self.stream.write(CTRL_D)  # end of program text

    def _try_raw_paste(self, data: bytes) -> bool:
        """Send ``data`` in raw-paste mode; False when the firmware lacks it (then nothing was sent)."""
        self.stream.write(RAW_PASTE_REQUEST)
        answer = self._read_exact(2, self.byte_timeout)
        if answer == b"R\x00":
            return False
        if answer != b"R\x01":
            # Firmware that predates raw-paste treats the request as input and re-prints the banner.
            self._buffer[:0] = answer
            self.read_until(RAW_BANNER + b">", self.byte_timeout)
            return False
        window = struct.unpack("<H", self._read_exact(2, self.byte_timeout))[0]
        credit = window
        sent = 0
        while sent < len(data):
            while credit == 0 or self._buffer:
                if not self._buffer:
                    self._buffer += self.stream.read(self.byte_timeout)
                    if not self._buffer:
                        raise ReplTimeout(self.stream.name, "no flow-control credit in raw-paste mode", b"")
                control = bytes(self._buffer[:1])
                del self._buffer[:1]
                if control == CTRL_A:
                    credit += window
                elif control == CTRL_D:
                    self.stream.write(CTRL_D)  # board aborted (e.g. out of memory): acknowledge
                    return True
                else:
                    raise TransportError(self.stream.name, f"unexpected byte {control!r} during raw paste",
                                         bytes(self._buffer[:200]))
            piece = data[sent:sent + credit]
            self.stream.write(piece)
            sent += len(piece)
            credit -= len(piece)
        self.stream.write(CTRL_D)  # end of program text
        self.read_until(CTRL_D, self.byte_timeout)  # board: "got it, compiling"
        return True

    def _read_stdout(self, end: bytes, deadline: float) -> bytes:
        """The program's stdout, up to the board's first Ctrl-D after it.

        Without ``end`` that is simply the first Ctrl-D. With ``end`` (what the
        program prints last when it completes), Ctrl-D bytes the program printed
        itself before ``end`` stay part of its output. A program that stopped
        before printing ``end`` (an error outside the code that prints it) is
        recognised by the board's own ending, "Ctrl-D traceback Ctrl-D >",
        followed by silence.
        """
        if not end:
            return self.read_until(CTRL_D, max(0.0, deadline - time.monotonic()))[:-1]
        while True:
            found = self._buffer.find(end)
            cut = self._buffer.find(CTRL_D, found + len(end)) if found >= 0 else -1
            if found < 0 and (finished := _RUN_END.search(self._buffer)) is not None:
                more = self.stream.read(QUIET)
                if more:
                    self._buffer += more
                    continue
                cut = finished.start()
            if cut >= 0:
                data = bytes(self._buffer[:cut])
                del self._buffer[:cut + 1]
                return data
            remaining = deadline - time.monotonic()
            if remaining <= 0 or len(self._buffer) > 4 << 20:
                raise ReplTimeout(self.stream.name, f"expected {end!r} then {CTRL_D!r} before the deadline",
                                  bytes(self._buffer[-200:]))
            self._buffer += self.stream.read(min(remaining, 0.5))

    def exec(self, code: str, timeout: float, end: bytes = b"") -> ExecResult:
        """Run ``code`` from the raw prompt; stdout and traceback split at the two Ctrl-D markers.

        ``end``, if given, is what the program prints last when it completes;
        Ctrl-D bytes in its output before that are then kept as output instead
        of ending stdout early (see ``_read_stdout``). On a deadline overrun the
        result has ``timed_out`` set and holds what arrived; the board is then
        still running and needs ``interrupt()``.
        """
        data = code.encode("utf-8")
        deadline = time.monotonic() + timeout
        pasted = False
        if self.raw_paste is not False:
            pasted = self._try_raw_paste(data)
            self.raw_paste = pasted
        noise = b""
        if not pasted:
            self._send_plain(data)
            before_ok = self.read_until(b"OK", self.byte_timeout)
            noise = before_ok[:-2]
        try:
            stdout = self._read_stdout(end, deadline)
            stderr = self.read_until(CTRL_D, max(0.0, deadline - time.monotonic()) + self.byte_timeout)[:-1]
        except ReplTimeout:
            partial = bytes(self._buffer)
            self._buffer.clear()
            return ExecResult(partial, b"", timed_out=True, noise=noise)
        self.read_until(b">", self.byte_timeout)
        return ExecResult(stdout, stderr, noise=noise)
