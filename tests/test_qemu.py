"""runners.qemu: finding QEMU and the firmware, and starting and stopping the emulator.

The runner on the emulated micro:bit is exercised in test_serial.py. Here a
stand-in executable replaces qemu-system-arm only to inject a start-up that
never reports its pty.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conformance.errors import TransportError
from runners import qemu
from runners.rawrepl import RawRepl


def executable(path: Path, script: str) -> Path:
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def test_unavailable_reason_names_the_missing_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert qemu.unavailable_reason() == "qemu-system-arm is not installed (Debian: apt-get install qemu-system-arm)"
    executable(tmp_path / "qemu-system-arm", "exit 0\n")
    monkeypatch.setattr(qemu, "FIRMWARE_CANDIDATES", (tmp_path / "missing.hex",))
    assert qemu.find_firmware() is None
    assert qemu.unavailable_reason() == (
        "the micro:bit MicroPython firmware is missing (Debian: apt-get install firmware-microbit-micropython)")
    with pytest.raises(TransportError, match="firmware is missing"):
        qemu.QemuMicrobit().start()


def test_a_qemu_that_never_reports_its_pty_is_stopped_at_the_deadline(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    firmware = tmp_path / "firmware.hex"
    firmware.write_text(":00000001FF\n")
    monkeypatch.setattr(qemu, "FIRMWARE_CANDIDATES", (firmware,))
    monkeypatch.setattr(qemu, "QEMU", str(executable(tmp_path / "silent-qemu", "exec sleep 30\n")))
    monkeypatch.setattr(qemu, "START_TIMEOUT", 0.5)
    emulator = qemu.QemuMicrobit()
    start = time.monotonic()
    with pytest.raises(TransportError, match="did not report its serial pty"):
        emulator.start()
    assert time.monotonic() - start < 2.0
    assert emulator.process is None, "the silent process was killed"


@pytest.mark.qemu
def test_start_serves_a_raw_repl_on_a_pty_and_stop_ends_it() -> None:
    emulator = qemu.QemuMicrobit()
    try:
        stream = emulator.start()
        assert emulator.pty is not None and stream.name == emulator.pty
        repl = RawRepl(stream)
        repl.enter()
        assert repl.exec("print(6 * 7)", timeout=5.0).stdout == b"42\r\n"
        process = emulator.process
        assert process is not None
        stream.close()
    finally:
        emulator.stop()
    assert process.poll() is not None
    assert (emulator.process, emulator.pty) == (None, None)
    emulator.stop()  # idempotent
    assert "micro:bit firmware" in emulator.describe()
