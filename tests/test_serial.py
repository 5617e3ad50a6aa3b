"""runners.serial: the serial runner, first why it cannot run, then on the REAL emulated micro:bit.

Tests marked ``qemu`` drive Debian's micro:bit MicroPython firmware (1.9.2,
about 10 KB of heap) under qemu-system-arm through the serial runner, the
same path a board on USB takes; they skip, saying why, when QEMU or the
firmware is missing. One emulator-backed runner is shared per module; tests
that break their board start their own.
"""

from __future__ import annotations

import ast
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import make_case

import runners
from conformance.errors import TransportError
from conformance.outcome import Outcome, Status
from runners.base import RunnerOptions
from runners.qemu import QemuMicrobit, QemuMicrobitRunner
from runners.rawrepl import CTRL_D
from runners.selftest import check_runner
from runners.serial import PIECE_BYTES, SerialRunner, find_pico, list_serial_ports, pieces


def run(runner: SerialRunner, code: str, timeout: float = 10.0) -> Outcome:
    return runner.run(make_case(code=code, expect={"stdout": ""}, timeout=timeout))


# -- unavailable, with the reason ---------------------------------------------------------------

def assert_unavailable(runner: SerialRunner, reason_start: str) -> str:
    probe = runner.probe()
    assert probe.available is False
    assert probe.reason.startswith(reason_start), probe.reason
    outcome = run(runner, "print(1)")
    assert (outcome.status, outcome.detail) == (Status.UNSUPPORTED, probe.reason)
    runner.close()
    return probe.reason


def test_no_port() -> None:
    reason = assert_unavailable(SerialRunner(), "no port: pass --port auto")
    assert "/dev/ttyACM0" in reason and "qemu:microbit" in reason


def test_a_port_that_does_not_exist() -> None:
    assert_unavailable(SerialRunner(RunnerOptions(port="/dev/ttyACM-missing")),
                       "serial port /dev/ttyACM-missing does not exist")


def test_port_auto_without_a_pico_names_the_ports_it_saw() -> None:
    pytest.importorskip("serial", reason="pyserial is not installed (pip install pyserial)")
    if find_pico()[0] is not None:
        pytest.skip("a Raspberry Pi Pico is attached")
    reason = assert_unavailable(SerialRunner(RunnerOptions(port="auto")),
                                "--port auto found no Raspberry Pi Pico (USB VID 0x2e8a); ports seen: ")
    for port in list_serial_ports():
        assert port.device in reason
    if not list_serial_ports():
        assert "ports seen: none." in reason
    assert "Pass --port /dev/ttyACM0" in reason


def test_port_auto_without_pyserial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "serial", None)  # import serial -> ImportError
    assert_unavailable(SerialRunner(RunnerOptions(port="auto")), "--port auto needs pyserial")


def test_unknown_emulator() -> None:
    assert_unavailable(SerialRunner(RunnerOptions(port="qemu:foo")),
                       "unknown emulator 'qemu:foo'; supported: qemu:microbit")


def test_emulator_without_qemu_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert_unavailable(runners.create_runner("qemu-microbit"), "qemu-system-arm is not installed")


def test_a_port_that_is_not_a_serial_device(tmp_path: Path) -> None:
    path = tmp_path / "not-a-tty"
    path.write_text("")
    runner = SerialRunner(RunnerOptions(port=str(path)))
    start = time.monotonic()
    probe = runner.probe()
    assert time.monotonic() - start < 5.0
    assert probe.available is False
    assert probe.reason.startswith("probe failed") and "cannot open" in probe.reason, probe.reason
    runner.close()


def test_registry_names_both_serial_runners() -> None:
    assert runners.runner_class("serial") is SerialRunner
    assert runners.runner_class("qemu-microbit") is QemuMicrobitRunner
    assert runners.create_runner("qemu-microbit", RunnerOptions(port="/dev/ignored")).port_spec == "qemu:microbit"


# -- long text in acknowledged pieces -------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "",
    "x = 1\n" * 40,
    "print('\u00e9\u2603\U0001f600' * 30)\n",
    "\x03\x04\r\n'\"\\" * 20,
], ids=["empty", "ascii", "non-ascii", "controls-and-quotes"])
@pytest.mark.parametrize(("prefix", "suffix"), [("_s+=", ""), ("f.write(", ")")])
def test_pieces_fit_the_input_buffer_and_carry_the_text(text: str, prefix: str, suffix: str) -> None:
    programs = list(pieces(text, prefix, suffix))
    assert all(len(program.encode()) + len(CTRL_D) <= PIECE_BYTES for program in programs)
    assert all(program.startswith(prefix) and program.endswith(suffix) for program in programs)
    assert "".join(ast.literal_eval(program[len(prefix):len(program) - len(suffix)]) for program in programs) == text
    assert all("\x03" not in program and "\x04" not in program for program in programs), "no raw control bytes"


# -- on the emulated micro:bit ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def microbit() -> Iterator[QemuMicrobitRunner]:
    runner = QemuMicrobitRunner()
    try:
        probe = runner.probe()
        assert probe.available, f"the emulated micro:bit should be usable here: {probe.reason}"
        yield runner
    finally:
        runner.close()


@pytest.mark.qemu
def test_probe_identity(microbit: QemuMicrobitRunner) -> None:
    identity = microbit.probe().identity
    assert (identity.name, identity.implementation, identity.version, identity.word_bits) == (
        "qemu-microbit", "micropython", "1.9.2", 32)
    assert "micro:bit firmware" in identity.details and "QEMU" in identity.details
    assert {"gc-mem", "float", "float-single"} <= microbit.probe().capabilities


@pytest.mark.qemu
def test_a_simple_case_passes(microbit: QemuMicrobitRunner) -> None:
    outcome = run(microbit, "print('hello', 6 * 7)\nprint(__name__)")
    assert (outcome.status, outcome.stdout) == (Status.OK, "hello 42\n__main__\n")
    assert outcome.runner == microbit.probe().identity


@pytest.mark.qemu
def test_the_harness_lives_on_the_board(microbit: QemuMicrobitRunner) -> None:
    outcome = run(microbit, "import os\nprint('_mpconform.py' in os.listdir())")
    assert outcome.stdout == "True\n", "each case sends a short call, not the whole harness"


@pytest.mark.qemu
def test_an_exception_is_reported_with_type_and_message(microbit: QemuMicrobitRunner) -> None:
    outcome = run(microbit, "print('before')\ndef f():\n    raise ValueError('bad')\nf()\n")
    assert (outcome.status, outcome.stdout, outcome.exc_type, outcome.exc_message) == (
        Status.RAISED, "before\n", "ValueError", "bad")
    assert outcome.traceback_lines == (4, 3)


@pytest.mark.qemu
def test_heap_figures(microbit: QemuMicrobitRunner) -> None:
    outcome = run(microbit, "data = [0] * 100\n")
    assert outcome.status is Status.OK
    assert outcome.heap is not None
    assert (outcome.heap.kind, outcome.heap.word_bits) == ("gc", 32)
    assert outcome.heap.allocated is not None and outcome.heap.allocated >= 400
    assert outcome.heap.retained is not None and outcome.heap.retained >= 400


@pytest.mark.qemu
def test_an_infinite_loop_times_out_and_the_next_case_passes(microbit: QemuMicrobitRunner) -> None:
    start = time.monotonic()
    outcome = run(microbit, "print('started')\nwhile True:\n    pass\n", timeout=1.0)
    elapsed = time.monotonic() - start
    assert outcome.status is Status.TIMEOUT
    assert outcome.detail.startswith("no answer within 1 s"), outcome.detail
    assert 0.9 <= elapsed < 3.0, elapsed
    assert run(microbit, "print('after')").stdout == "after\n"


@pytest.mark.qemu
def test_printed_bytes_are_reported_and_the_next_case_passes(microbit: QemuMicrobitRunner) -> None:
    outcome = run(microbit, "print(bytes(range(256)))")
    assert (outcome.status, outcome.stdout) == (Status.OK, repr(bytes(range(256))) + "\n")
    assert run(microbit, "print('after')").stdout == "after\n"


@pytest.mark.qemu
def test_control_characters_in_the_output_are_output(microbit: QemuMicrobitRunner) -> None:
    """Ctrl-D and '>' printed by a case end nothing: they are its stdout, not the end of the run."""
    outcome = run(microbit, "print(''.join(map(chr, range(256))))")
    assert (outcome.status, outcome.stdout) == (Status.OK, "".join(map(chr, range(256))) + "\n")
    outcome = run(microbit, "print(chr(4) + 'x' + chr(4) + '>')\nraise KeyError('k')")
    assert (outcome.status, outcome.stdout, outcome.exc_type) == (Status.RAISED, "\x04x\x04>\n", "KeyError")
    assert run(microbit, "print('after')").stdout == "after\n"


@pytest.mark.qemu
def test_raw_bytes_that_are_not_utf8_are_reported(microbit: QemuMicrobitRunner) -> None:
    outcome = run(microbit, "from microbit import uart\nuart.write(bytes([0xff, 0x04, 0xe2, 0x98]))\nprint('|')")
    assert outcome.status is Status.OK
    assert outcome.stdout == "\ufffd\x04\ufffd|\n"
    assert run(microbit, "print('after')").stdout == "after\n"


class Recorder:
    """A real stream, passed through, remembering each program written (up to its Ctrl-D)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.name = stream.name
        self.programs = [b""]

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.programs[-1] += data
        if data.endswith(CTRL_D):
            self.programs.append(b"")

    def read(self, timeout: float) -> bytes:
        return bytes(self.stream.read(timeout))

    def close(self) -> None:
        self.stream.close()


@pytest.mark.qemu
def test_a_long_case_goes_in_pieces_the_board_cannot_overrun(microbit: QemuMicrobitRunner) -> None:
    """The micro:bit has no input flow control and a 63-byte input buffer: no program may exceed it."""
    run(microbit, "pass")  # connected
    repl = microbit.repl
    assert repl is not None and repl.raw_paste is False
    recorder = Recorder(repl.stream)
    repl.stream = recorder
    try:
        code = "x = 0\n" + "x += 1\n" * 80 + "print(x, '\u00e9\\x04')\n"  # ~600 bytes; 10 KB of heap
        outcome = run(microbit, code)
    finally:
        repl.stream = recorder.stream
    assert (outcome.status, outcome.stdout) == (Status.OK, "80 \u00e9\x04\n"), outcome.exc_message
    assert sum(len(program) for program in recorder.programs) > len(code)
    assert max(len(program) for program in recorder.programs) <= PIECE_BYTES


@pytest.mark.qemu
def test_a_serial_runner_on_the_emulators_pty_path() -> None:
    """--port /dev/pts/N: the plain serial runner on a device path (here, the pty QEMU serves)."""
    emulator = QemuMicrobit()
    emulator.start().close()
    try:
        assert emulator.pty is not None
        runner = SerialRunner(RunnerOptions(port=emulator.pty))
        try:
            probe = runner.probe()
            assert probe.available, probe.reason
            assert (probe.identity.name, probe.identity.version) == ("serial", "1.9.2")
            assert probe.identity.details.startswith(f"{emulator.pty} (raw REPL")
            assert run(runner, "print(1 + 1)").stdout == "2\n"
        finally:
            runner.close()
    finally:
        emulator.stop()


@pytest.mark.qemu
def test_killing_the_emulator_mid_run_restarts_it(microbit: QemuMicrobitRunner) -> None:
    """Runs late in the module: it kills the shared runner's emulator (which then comes back)."""
    assert run(microbit, "print('before')").stdout == "before\n"
    old = microbit._emulator.process
    old.kill()
    start = time.monotonic()
    outcome = run(microbit, "print('lost')")
    assert time.monotonic() - start < 5.0
    if outcome.status is not Status.OK:
        assert outcome.status is Status.CRASHED
        detail = outcome.detail
        assert ("failed" in detail or "went away" in detail) and detail.endswith("; recovered"), detail
    assert microbit._emulator.process is not old and microbit._emulator.process.poll() is None, "restarted"
    after = run(microbit, "print('after')\nimport os\nprint('_mpconform.py' in os.listdir())")
    assert (after.status, after.stdout) == (Status.OK, "after\nTrue\n")


@pytest.mark.qemu
def test_an_emulator_that_cannot_come_back_makes_the_rest_unresponsive(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = QemuMicrobitRunner()
    try:
        assert runner.probe().available
        emulator = runner._emulator

        def cannot_start() -> None:
            raise TransportError("qemu:microbit", "QEMU did not report its serial pty", b"")

        emulator.process.kill()
        monkeypatch.setattr(emulator, "start", cannot_start)
        first = run(runner, "print(1)")
        assert first.status is Status.CRASHED
        assert "unresponsive after" in first.detail and "reconnecting failed" in first.detail, first.detail
        for index in range(3):
            start = time.monotonic()
            outcome = run(runner, f"print({index})")
            assert time.monotonic() - start < 0.5, "given up on: no time spent per case"
            assert outcome.status is Status.UNRESPONSIVE
            assert outcome.detail.startswith("board on qemu:microbit unresponsive after ")
            assert "QEMU did not report its serial pty" in outcome.detail
    finally:
        runner.close()


@pytest.mark.qemu
def test_the_emulated_microbit_keeps_the_runner_contract() -> None:
    check_runner(lambda: runners.create_runner("qemu-microbit"), hang_timeout=1.0)
