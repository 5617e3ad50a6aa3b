"""A MicroPython board on a serial port (a Raspberry Pi Pico by default), via the raw REPL.

Each case runs after a soft reset (fresh interpreter) unless the user accepts
shared state with ``reuse_session``. A case that overruns its time is
interrupted with Ctrl-C; if the board does not come back, it is soft-reset,
then reconnected (for the emulator: restarted). A board that stays silent is
given up on: every later case is reported "unresponsive" at once instead of
costing a timeout each. A board unplugged mid-run ends the same way, with the
reason, and every result written before stays written.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import Any

from conformance.errors import TransportError
from runners import mpharness
from runners.base import MicroPythonRunner, RunnerOptions
from runners.mpharness import END_MARKER, RESULT_MARKER, RawExecution
from runners.rawrepl import ExecResult, RawRepl, ReplTimeout
from runners.streams import ByteStream, PtyStream, SerialStream

PICO_USB_VID = 0x2E8A  # Raspberry Pi
AUTO = "auto"
TRANSFER_ATTEMPTS = 3
#: Input a board without flow control surely buffers while its REPL is busy: the micro:bit keeps
#: 63 bytes (UART_RX_BUF_SIZE 64 in its mphalport.cpp) and drops the rest. Longer text goes as
#: several programs of at most this many bytes, each acknowledged by the board before the next.
PIECE_BYTES = 60


def pieces(text: str, prefix: str, suffix: str, limit: int = PIECE_BYTES) -> Iterator[str]:
    """Programs ``prefix + repr(piece) + suffix``, each at most ``limit`` bytes with the closing
    Ctrl-D, whose pieces together are ``text``."""
    room = limit - len(prefix) - len(suffix) - 1
    start = 0
    while start < len(text):
        end = min(len(text), start + room)
        while end > start + 1 and len(repr(text[start:end]).encode()) > room:
            end -= 1
        yield f"{prefix}{text[start:end]!r}{suffix}"
        start = end


def list_serial_ports() -> list[Any]:
    """pyserial's port listing (empty when pyserial is missing)."""
    try:
        from serial.tools import list_ports
    except ImportError:
        return []
    return list(list_ports.comports())


def find_pico() -> tuple[str | None, str]:
    """(device, '') for the first port with the Pico's USB VID, or (None, what was seen)."""
    ports = list_serial_ports()
    for port in ports:
        if port.vid == PICO_USB_VID:
            return port.device, ""
    seen = ", ".join(f"{p.device} (VID {p.vid:#06x})" if p.vid else p.device for p in ports) or "none"
    return None, (f"--port auto found no Raspberry Pi Pico (USB VID {PICO_USB_VID:#06x}); ports seen: {seen}. "
                  "Pass --port /dev/ttyACM0 (or the board's device) to use another board")


def _is_pty(path: str) -> bool:
    try:
        return stat.S_ISCHR(os.stat(path).st_mode) and (path.startswith("/dev/pts/") or "pty" in path)
    except OSError:
        return False


class SerialRunner(MicroPythonRunner):
    """MicroPython over the raw REPL on ``--port`` (auto, a device path, or qemu:microbit)."""

    name = "serial"
    collect_safe = True
    probe_batch = 6  # a 10 KB heap cannot compile every capability probe at once
    # Without raw-paste flow control, old firmware drops input it cannot take:
    # send in small paced chunks (raw-paste boards ignore these).
    chunk_size = 64
    chunk_delay = 0.001

    def __init__(self, options: RunnerOptions | None = None) -> None:
        super().__init__(options)
        self.port_spec = self.options.port
        self.device: str | None = None
        self.repl: RawRepl | None = None
        self._emulator: Any = None
        self._given_up = ""
        self._fresh = False  # True right after a soft reset, before a case used the state
        self.damaged_transfers = 0  # programs sent again because the board received them damaged
        self._module_installed: bool | None = None  # harness module on the board's filesystem
        self._last_case: tuple[str, bool] = ("", True)

    # -- connection ---------------------------------------------------------
    def _unavailable_reason(self) -> str:
        if not self.port_spec:
            return "no port: pass --port auto (a Pico on USB), --port /dev/ttyACM0, or --port qemu:microbit"
        if self.port_spec.startswith("qemu:"):
            from runners import qemu

            if self.port_spec != qemu.PORT_SPEC:
                return f"unknown emulator {self.port_spec!r}; supported: {qemu.PORT_SPEC}"
            return qemu.unavailable_reason()
        if self.port_spec == AUTO:
            try:
                import serial  # noqa: F401
            except ImportError:
                return "--port auto needs pyserial (pip install 'micropython-conformance[serial]')"
            device, why = find_pico()
            if device is None:
                return why
            self.device = device
            return ""
        if not os.path.exists(self.port_spec):
            return f"serial port {self.port_spec} does not exist"
        self.device = self.port_spec
        return ""

    def _open_stream(self) -> ByteStream:
        if self.port_spec and self.port_spec.startswith("qemu:"):
            from runners import qemu

            if self._emulator is None:
                self._emulator = qemu.QemuMicrobit()
            return self._emulator.start()
        assert self.device is not None
        if _is_pty(self.device):
            return PtyStream(self.device)
        return SerialStream(self.device, self.options.baudrate)

    def _connect(self) -> RawRepl:
        if self.repl is None:
            self.repl = RawRepl(self._open_stream(), chunk_size=self.chunk_size, chunk_delay=self.chunk_delay)
            self.repl.enter(soft_reset=True)
            self._fresh = True
            if self._module_installed is None:
                self._module_installed = self._install_harness(self.repl)
        return self.repl

    def _install_harness(self, repl: RawRepl) -> bool:
        """Write the harness module to the board's filesystem, so each case sends only a short call.

        Input is the bottleneck on boards without flow control: this cuts
        every case's transfer to the case text plus ~40 bytes. Returns False
        (inline harness per case) when the board has no writable filesystem.
        """
        source = mpharness.harness_module()
        name = f"{mpharness.HARNESS_MODULE}.py"
        for _attempt in range(TRANSFER_ATTEMPTS):
            try:
                installed = (self._send_in_pieces(repl, f"f=open({name!r},'w')", source, "f.write(", ")")
                             and repl.exec(f"f.close()\nprint(len(open({name!r}).read()))\n", 10.0).stdout.strip()
                             == str(len(source)).encode())
            except ReplTimeout:
                # The closing Ctrl-D was lost: the board still waits for input. Another attempt.
                repl.interrupt()
                installed = False
            repl.soft_reset()
            if installed:
                return True
        return False

    @staticmethod
    def _send_in_pieces(repl: RawRepl, setup: str, text: str, prefix: str, suffix: str) -> bool:
        """Run ``setup``, then ``prefix + repr(piece) + suffix`` for each short piece of ``text``.

        Each program fits the input buffer of a board without flow control and
        is acknowledged before the next goes, so none can be damaged by
        overrun. False when the board objected (no filesystem, out of memory).
        """
        for program in (setup, *pieces(text, prefix, suffix)):
            result = repl.exec(program, 10.0)
            if result.timed_out or result.stderr:
                return False
        return True

    def _staged(self, repl: RawRepl, program: str) -> str:
        """``program``, or the same harness call on case text sent ahead in acknowledged pieces.

        Only where input can overrun: a board without raw-paste flow control,
        a program longer than PIECE_BYTES, and the harness module installed.
        """
        if (repl.raw_paste is not False or len(program.encode()) <= PIECE_BYTES or not self._module_installed
                or not program.startswith(f"import {mpharness.HARNESS_MODULE}\n")):
            return program
        code, pause_gc = self._last_case
        # Concatenation keeps a single copy of the text: on a 10 KB heap it fits where a list does not.
        if not self._send_in_pieces(repl, "_s=''", code, "_s+=", ""):
            repl.soft_reset()
            return program
        module = mpharness.HARNESS_MODULE
        return f"import {module}\n{module}.r(_s,{len(code)},{int(self.collect_safe)},{int(pause_gc)})\n"

    def _remove_harness(self) -> None:
        if self.repl is not None and self._module_installed:
            try:
                self.repl.exec(f"import os\nos.remove({mpharness.HARNESS_MODULE + '.py'!r})\n", 5.0)
            except TransportError:
                pass

    def _harness_program_again(self, program: str) -> str:
        """The same case as ``program`` in the form that fits the current install state.

        The install state can change after the program was built: the first
        program is built before the connection that installs the module.
        """
        code, pause = self._last_case
        forms = (super()._harness_program(code, pause),
                 mpharness.module_call(code, collect=self.collect_safe, pause_gc=pause))
        return self._harness_program(code, pause) if program in forms else program

    def _harness_program(self, code: str, pause_gc: bool) -> str:
        self._last_case = (code, pause_gc)
        if self._module_installed:
            return mpharness.module_call(code, collect=self.collect_safe, pause_gc=pause_gc)
        return super()._harness_program(code, pause_gc)

    def _disconnect(self) -> None:
        if self.repl is not None:
            self.repl.stream.close()
            self.repl = None

    def _describe(self) -> str:
        if self._emulator is not None:
            return str(self._emulator.describe())
        if self.port_spec and self.port_spec.startswith("qemu:"):
            from runners import qemu

            return qemu.QemuMicrobit().describe()
        return f"{self.device or self.port_spec} (raw REPL{', shared session' if self.options.reuse_session else ''})"

    # -- recovery -------------------------------------------------------------
    def _recover(self, why: str) -> str:
        """Bring the board back to an empty raw prompt; returns '' or why that failed for good."""
        steps = []
        if self.repl is not None:
            try:
                self.repl.interrupt()
                self.repl.soft_reset()
                self._fresh = True
                return ""
            except TransportError as exc:
                steps.append(f"Ctrl-C and soft reset failed ({exc.problem})")
        self._disconnect()
        self._module_installed = None  # a restarted emulator has a fresh filesystem
        try:
            self._connect()
            return ""
        except TransportError as exc:
            steps.append(f"reconnecting failed ({exc.problem})")
        self._disconnect()
        where = self.device or self.port_spec
        self._given_up = f"board on {where} unresponsive after {why}: " + "; ".join(steps)
        return self._given_up

    # -- running ----------------------------------------------------------------
    def _send(self, repl: RawRepl, program: str, timeout: float) -> ExecResult:
        """Run the program, sending it again when the board received it damaged."""
        program = self._harness_program_again(program)
        for _attempt in range(TRANSFER_ATTEMPTS - 1):
            try:
                result = repl.exec(self._staged(repl, program), timeout, end=END_MARKER.encode())
            except ReplTimeout:
                # The closing Ctrl-D was lost, so the board still waits for input.
                self.damaged_transfers += 1
                repl.interrupt()
                repl.soft_reset()
                continue
            answered = RESULT_MARKER.encode() in result.stdout
            if result.timed_out or answered or b"MemoryError" in result.stderr:
                return result
            damaged = mpharness.DAMAGED.encode() in result.stderr  # raised inside the module: the case text
            if self._module_installed and not damaged and mpharness.HARNESS_MODULE.encode() in result.stderr:
                # The harness module vanished or is broken (an emulator restart, a case that wiped
                # the filesystem, an install that was itself damaged): install it again.
                repl.soft_reset()
                self._module_installed = self._install_harness(repl)
                program = self._harness_program_again(program)
                continue
            self.damaged_transfers += 1  # the harness failed before answering: bytes were lost
            if not self.options.reuse_session:
                repl.soft_reset()
        return repl.exec(self._staged(repl, program), timeout, end=END_MARKER.encode())

    def _execute(self, program: str, timeout: float) -> RawExecution:
        if self._given_up:
            return RawExecution(b"", crashed=self._given_up, unresponsive=True, exit_code=None)
        try:
            repl = self._connect()
            if not self._fresh and not self.options.reuse_session:
                repl.soft_reset()
            self._fresh = False
            result = self._send(repl, program, timeout)
        except TransportError as exc:
            reason = self._recover(exc.problem)
            detail = f"{exc}" + (f"; {reason}" if reason else "; recovered")
            return RawExecution(exc.received, crashed=detail, exit_code=None)
        if result.timed_out:
            reason = self._recover(f"a case overran {timeout:g} s")
            detail = f"no answer within {timeout:g} s" + (f"; {reason}" if reason else "; board recovered")
            return RawExecution(result.stdout, timed_out=True, crashed=detail, exit_code=None)
        return RawExecution(result.stdout, result.stderr)

    def close(self) -> None:
        self._remove_harness()
        self._disconnect()
        self._given_up = ""  # a later session may find the board back
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
