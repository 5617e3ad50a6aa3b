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
from typing import Any

from conformance.errors import TransportError
from runners.base import MicroPythonRunner, RunnerOptions
from runners.mpharness import RawExecution
from runners.rawrepl import RawRepl
from runners.streams import ByteStream, PtyStream, SerialStream

PICO_USB_VID = 0x2E8A  # Raspberry Pi
AUTO = "auto"


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

    def __init__(self, options: RunnerOptions | None = None) -> None:
        super().__init__(options)
        self.port_spec = self.options.port
        self.device: str | None = None
        self.repl: RawRepl | None = None
        self._emulator: Any = None
        self._given_up = ""
        self._fresh = False  # True right after a soft reset, before a case used the state

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
            self.repl = RawRepl(self._open_stream())
            self.repl.enter(soft_reset=True)
            self._fresh = True
        return self.repl

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
        try:
            self._connect()
            return ""
        except TransportError as exc:
            steps.append(f"reconnecting failed ({exc.problem})")
        self._disconnect()
        self._given_up = f"board unresponsive after {why}: " + "; ".join(steps)
        return self._given_up

    # -- running ----------------------------------------------------------------
    def _execute(self, program: str, timeout: float) -> RawExecution:
        if self._given_up:
            return RawExecution(b"", crashed=self._given_up, unresponsive=True, exit_code=None)
        try:
            repl = self._connect()
            if not self._fresh and not self.options.reuse_session:
                repl.soft_reset()
            self._fresh = False
            result = repl.exec(program, timeout)
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
        self._disconnect()
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
