"""An emulated BBC micro:bit running Debian's MicroPython firmware under QEMU.

`qemu-system-arm -M microbit` with `-serial pty` prints the pseudo-terminal it
serves; the firmware (MicroPython 1.9.2, about 10 KB of heap) speaks the raw
REPL there exactly as a board does over USB. The serial runner drives it, so
CI exercises the real serial path without hardware. When the board stops
answering, the emulator is killed and started again.
"""

from __future__ import annotations

import io
import re
import select
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import cast

from conformance.errors import TransportError
from runners.base import RunnerOptions
from runners.serial import SerialRunner
from runners.streams import PtyStream

QEMU = "qemu-system-arm"
FIRMWARE_PACKAGE = "firmware-microbit-micropython"
FIRMWARE_CANDIDATES = (
    Path("/usr/share/firmware-microbit-micropython/firmware.hex"),
)
PORT_SPEC = "qemu:microbit"
START_TIMEOUT = 10.0


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to kill the emulator when the suite's process dies.

    Without this, a suite killed by a CI timeout or Ctrl-C leaves QEMU running.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig, sigkill = 1, 9
        libc.prctl(pr_set_pdeathsig, sigkill)
    except (OSError, AttributeError):
        pass


def find_firmware() -> Path | None:
    """The firmware hex file of the Debian package, if installed."""
    for path in FIRMWARE_CANDIDATES:
        if path.is_file():
            return path
    return None


def unavailable_reason() -> str:
    """Why the emulated micro:bit cannot run here ('' when it can)."""
    if shutil.which(QEMU) is None:
        return f"{QEMU} is not installed (Debian: apt-get install qemu-system-arm)"
    if find_firmware() is None:
        return f"the micro:bit MicroPython firmware is missing (Debian: apt-get install {FIRMWARE_PACKAGE})"
    return ""


class QemuMicrobit:
    """One emulator process and the pty it serves."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.pty: str | None = None

    def start(self) -> PtyStream:
        firmware = find_firmware()
        if firmware is None:
            raise TransportError(PORT_SPEC, unavailable_reason(), b"")
        self.stop()
        self.process = subprocess.Popen(
            [QEMU, "-M", "microbit", "-device", f"loader,file={firmware}",
             "-nographic", "-serial", "pty", "-monitor", "none"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        assert self.process.stdout is not None
        seen = b""
        deadline = time.monotonic() + START_TIMEOUT
        while (match := re.search(rb"/dev/pts/\d+", seen)) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                self.stop()
                raise TransportError(PORT_SPEC, "QEMU did not report its serial pty", seen)
            # Wait with a bound: a QEMU that prints nothing must not block past the deadline.
            ready, _, _ = select.select([self.process.stdout], [], [], min(remaining, 0.5))
            if ready:
                seen += cast(io.BufferedReader, self.process.stdout).read1(256)  # what is there, without blocking
        self.pty = match.group().decode()
        return PtyStream(self.pty)

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            if self.process.stdout is not None:
                self.process.stdout.close()
            self.process = None
            self.pty = None

    def describe(self) -> str:
        try:
            done = subprocess.run([QEMU, "--version"], capture_output=True, text=True, timeout=10)
            version = done.stdout.splitlines()[0] if done.stdout else "QEMU"
        except (OSError, subprocess.SubprocessError):
            version = "QEMU"
        return f"micro:bit firmware {find_firmware()} on {version}"


class QemuMicrobitRunner(SerialRunner):
    """The serial runner on an emulated micro:bit (`--runner qemu-microbit`)."""

    name = "qemu-microbit"

    def __init__(self, options: RunnerOptions | None = None) -> None:
        options = options or RunnerOptions()
        super().__init__(replace(options, port=PORT_SPEC))
