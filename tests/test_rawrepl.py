"""runners.rawrepl: the raw-REPL protocol, against a model board on a ScriptedStream.

``Board`` is a small state machine that answers bytes the way MicroPython's
pyexec does (friendly and raw prompts, soft reset, raw-paste with flow
control); "running" a program means looking up what it prints. It stands in
for the byte protocol only, to inject what real boards do rarely (old
firmware, an aborted paste, line noise, a lost byte). The real firmware is
driven through the emulated micro:bit in test_serial.py.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

import pytest

from conformance.errors import TransportError
from runners.rawrepl import CTRL_D, RAW_BANNER, RAW_PASTE_REQUEST, ExecResult, RawRepl, ReplTimeout
from runners.streams import ScriptedStream

PROMPT = RAW_BANNER + b">"
FRIENDLY = b"MicroPython v1.22.0 on 2024-01-01; model board\r\nType \"help()\" for more information.\r\n>>> "
KEYBOARD_INTERRUPT = (b"Traceback (most recent call last):\r\n  File \"<stdin>\", line 1, in <module>\r\n"
                      b"KeyboardInterrupt: \r\n")
SYNTAX_ERROR = b"Traceback (most recent call last):\r\n  File \"<stdin>\", line 3\r\nSyntaxError: invalid syntax\r\n"

#: program text -> (stdout, stderr); stderr None: the program prints stdout, then never finishes.
Behaviour = Callable[[bytes], tuple[bytes, bytes | None]]


def echo(program: bytes) -> tuple[bytes, bytes | None]:
    return b"ran " + program + b"\r\n", b""


class Board:
    """A raw-REPL device in a few dozen lines; ``stream`` is what the host talks to.

    ``window`` > 0: raw-paste with that window; 0: firmware that predates raw
    paste (the request only re-prints the banner), unless ``paste_reply``
    (b"R\\x00": understood, not supported). ``abort_after``: in raw paste, give
    up reading after that many bytes, as the firmware does on a syntax error.
    ``noise`` is sent once, just before the next "OK".
    """

    def __init__(self, behaviour: Behaviour = echo, window: int = 0, paste_reply: bytes = b"",
                 abort_after: int | None = None, noise: bytes = b"") -> None:
        self.behaviour = behaviour
        self.window = window
        self.paste_reply = paste_reply
        self.abort_after = abort_after
        self.noise = noise
        self.mode = "friendly"  # friendly | raw | paste | discard (aborted paste) | running
        self.line = bytearray()
        self.programs: list[bytes] = []
        self.soft_resets = 0
        self.granted = self.received = self.limit = 0  # raw-paste flow control, in bytes
        self.overruns: list[int] = []  # received counts that went past what the board had granted
        self.writes: list[tuple[str, bytes]] = []  # (mode when written, bytes)
        self.stream = ScriptedStream(self.respond, name="model-board")

    def respond(self, data: bytes) -> bytes:
        self.writes.append((self.mode, data))
        self.limit = self.granted  # grants sent while this write is read cannot have been seen by the host
        return b"".join(self._byte(data[i:i + 1]) for i in range(len(data)))

    def _finish(self, program: bytes) -> bytes:
        self.programs.append(program)
        stdout, stderr = self.behaviour(program)
        if stderr is None:
            self.mode = "running"
            return stdout
        self.mode = "raw"
        return stdout + CTRL_D + stderr + CTRL_D + b">"

    def _byte(self, c: bytes) -> bytes:
        if self.mode == "friendly":
            if c == b"\x01":
                self.mode, self.line = "raw", bytearray()
                return b"\r\n" + PROMPT
            return b"\r\n>>> " if c in (b"\r", b"\x03") else c
        if self.mode == "running":
            if c == b"\x03":
                self.mode, self.line = "raw", bytearray()
                return CTRL_D + KEYBOARD_INTERRUPT + CTRL_D + b">"
            return b""
        if self.mode in ("paste", "discard"):
            if c == CTRL_D:
                program, self.line = bytes(self.line), bytearray()
                if self.mode == "discard":
                    self.mode = "raw"
                    return CTRL_D + SYNTAX_ERROR + CTRL_D + b">"
                return CTRL_D + self._finish(program)  # acknowledge, then run
            if self.mode == "discard":
                return b""
            self.line += c
            self.received += 1
            if self.received > self.limit:
                self.overruns.append(self.received)
            if self.abort_after is not None and self.received >= self.abort_after:
                self.mode = "discard"
                return CTRL_D
            if self.received % self.window == 0:
                self.granted += self.window
                return b"\x01"
            return b""
        # raw REPL
        if c == b"\x01":
            request, self.line = bytes(self.line), bytearray()
            if request == b"\x05A" and self.window:
                self.mode, self.granted, self.received = "paste", self.window, 0
                return b"R\x01" + struct.pack("<H", self.window)
            if request == b"\x05A" and self.paste_reply:
                return self.paste_reply + b">"
            return RAW_BANNER + b">"
        if c == b"\x03":
            self.line = bytearray()
            return b""
        if c == CTRL_D:
            if not self.line:
                self.soft_resets += 1
                return b"OK\r\nsoft reboot\r\n" + PROMPT
            program, self.line, noise, self.noise = bytes(self.line), bytearray(), self.noise, b""
            return noise + b"OK" + self._finish(program)
        self.line += c
        return b""


def ready(board: Board, **options: float) -> RawRepl:
    """A RawRepl on ``board``, entered from the boot text at the friendly prompt."""
    board.stream.feed(FRIENDLY)
    repl = RawRepl(board.stream, **options)  # type: ignore[arg-type]
    repl.enter()
    return repl


def pasted(board: Board) -> bytes:
    return b"".join(data for mode, data in board.writes if mode == "paste")


# -- entering, soft reset, interrupt ------------------------------------------------------------

def test_enter_from_the_friendly_prompt_with_a_soft_reset() -> None:
    board = Board()
    repl = ready(board)
    assert (board.mode, board.soft_resets) == ("raw", 1)
    assert repl.drain() == b"", "the prompt was consumed; nothing is left over"
    repl.enter(soft_reset=False)  # from the raw prompt too
    assert (board.mode, board.soft_resets) == ("raw", 1)
    repl.soft_reset()
    assert board.soft_resets == 2


def test_enter_stops_a_running_program() -> None:
    board = Board()
    board.mode = "running"
    RawRepl(board.stream).enter()
    assert (board.mode, board.soft_resets) == ("raw", 1)


def test_a_silent_device_raises_a_repl_timeout_within_the_byte_timeout() -> None:
    stream = ScriptedStream(lambda data: b"", name="/dev/silent")
    start = time.monotonic()
    with pytest.raises(ReplTimeout) as info:
        RawRepl(stream, byte_timeout=0.2).enter()
    assert time.monotonic() - start < 1.0
    assert isinstance(info.value, TransportError)
    assert info.value.port == "/dev/silent"
    assert "raw REPL" in info.value.problem


def test_interrupt_returns_to_the_prompt() -> None:
    board = Board(lambda program: (b"started\r\n", None))
    repl = ready(board)
    assert repl.exec("while True: pass", timeout=0.2).timed_out
    seen = repl.interrupt()
    assert b"KeyboardInterrupt" in seen
    assert seen.endswith(PROMPT)
    assert board.mode == "raw"
    repl.interrupt()  # at an idle prompt it is harmless
    board.behaviour = echo
    assert repl.exec("x", timeout=1.0).stdout == b"ran x\r\n"


# -- exec ----------------------------------------------------------------------------------------

def test_exec_splits_stdout_and_traceback_at_the_two_ctrl_d() -> None:
    board = Board(lambda program: (b"before\r\n", b"Traceback (most recent call last):\r\nValueError: bad\r\n"))
    repl = ready(board)
    result = repl.exec("print('before')\nraise ValueError('bad')\n", timeout=2.0)
    assert result == ExecResult(b"before\r\n", b"Traceback (most recent call last):\r\nValueError: bad\r\n")
    assert board.programs == [b"print('before')\nraise ValueError('bad')\n"]
    assert repl.drain() == b"", "the closing prompt was consumed"


def test_program_text_is_sent_as_utf8_in_chunks_without_raw_paste() -> None:
    board = Board()
    repl = ready(board, chunk_size=16)
    code = "print('\u00e9\u2603')\n" + "x = 1\n" * 20
    assert repl.exec(code, timeout=2.0).stdout == b"ran " + code.encode() + b"\r\n"
    program_writes = [data for mode, data in board.writes if mode == "raw" and data != RAW_PASTE_REQUEST]
    assert max(len(data) for data in program_writes) <= 16
    assert board.programs == [code.encode("utf-8")]


def test_old_firmware_answers_the_raw_paste_request_with_the_banner() -> None:
    board = Board(window=0)
    repl = ready(board)
    assert repl.exec("a", timeout=1.0).stdout == b"ran a\r\n"
    assert repl.raw_paste is False
    assert repl.exec("b", timeout=1.0).stdout == b"ran b\r\n"
    assert bytes(board.stream.written).count(RAW_PASTE_REQUEST) == 1, "not asked again"
    assert board.programs == [b"a", b"b"]


def test_firmware_answering_r00_falls_back_to_the_plain_raw_repl() -> None:
    board = Board(paste_reply=b"R\x00")
    repl = ready(board)
    result = repl.exec("a", timeout=1.0)
    assert (result.stdout, result.stderr, result.timed_out) == (b"ran a\r\n", b"", False)
    assert repl.raw_paste is False
    assert board.programs == [b"a"]


def test_raw_paste_sends_within_the_granted_window() -> None:
    board = Board(window=32)
    repl = ready(board)
    code = "".join(f"print({i})\n" for i in range(40))  # ~ 400 bytes: a dozen windows
    result = repl.exec(code, timeout=2.0)
    assert result.stdout == b"ran " + code.encode() + b"\r\n"
    assert repl.raw_paste is True
    assert board.programs == [code.encode()]
    assert pasted(board) == code.encode() + CTRL_D, "the whole program went through raw paste"
    assert board.overruns == [], "no write went past the credit the board had granted"
    assert b"OK" not in bytes(board.stream.written)
    assert repl.exec("again", timeout=1.0).stdout == b"ran again\r\n"
    assert board.overruns == []


def test_the_model_notices_a_host_that_ignores_the_window() -> None:
    """The overrun check above has teeth: sending past the window is seen."""
    board = Board(window=8)
    ready(board)
    board.stream.write(RAW_PASTE_REQUEST)
    board.stream.write(b"x" * 20)
    assert board.overruns[0] == 9


def test_board_aborting_raw_paste_is_acknowledged_and_reported() -> None:
    board = Board(window=16, abort_after=20)
    repl = ready(board)
    code = "x = (\n" + "1 +\n" * 40
    result = repl.exec(code, timeout=2.0)
    assert (result.stdout, result.stderr, result.timed_out) == (b"", SYNTAX_ERROR, False)
    written = bytes(board.stream.written)
    after_request = written[written.index(RAW_PASTE_REQUEST) + len(RAW_PASTE_REQUEST):]
    assert after_request == code.encode()[:32] + CTRL_D, (
        "the host sent what the windows allowed, stopped when the board aborted, and acknowledged with Ctrl-D")
    assert board.overruns == []
    board.abort_after = None
    assert repl.exec("next", timeout=1.0).stdout == b"ran next\r\n", "back at the prompt"


def test_an_unexpected_byte_during_raw_paste_is_a_transport_error() -> None:
    def respond(data: bytes) -> bytes:
        return b"R\x01\x04\x00" if data == RAW_PASTE_REQUEST else b"?"

    repl = RawRepl(ScriptedStream(respond), byte_timeout=0.2)
    with pytest.raises(TransportError, match="unexpected byte"):
        repl.exec("print('more than four bytes')", timeout=1.0)


def test_garbage_before_ok_is_kept_as_noise() -> None:
    board = Board(noise=b"\xff\x00line noise\r\n")
    repl = ready(board)
    result = repl.exec("a", timeout=1.0)
    assert (result.noise, result.stdout, result.stderr) == (b"\xff\x00line noise\r\n", b"ran a\r\n", b"")


def test_partial_and_invalid_utf8_output_is_returned_as_bytes() -> None:
    board = Board(lambda program: (b"\xe2\x98", b"\xff\xfe\xc3"))
    repl = ready(board)
    result = repl.exec("a", timeout=1.0)
    assert (result.stdout, result.stderr) == (b"\xe2\x98", b"\xff\xfe\xc3")


@pytest.mark.parametrize("window", [0, 64], ids=["plain", "raw-paste"])
def test_a_program_that_never_finishes_times_out_by_its_deadline(window: int) -> None:
    board = Board(lambda program: (b"started\r\n", None), window=window)
    repl = ready(board)
    start = time.monotonic()
    result = repl.exec("while True: pass", timeout=0.5)
    elapsed = time.monotonic() - start
    assert result.timed_out
    assert result.stdout == b"started\r\n", "what arrived before the deadline is kept"
    assert 0.45 <= elapsed < 0.5 + 1.0, elapsed
    repl.interrupt()
    board.behaviour = echo
    assert repl.exec("a", timeout=1.0) == ExecResult(b"ran a\r\n", b"")


def test_a_lost_closing_ctrl_d_raises_a_repl_timeout_and_the_board_recovers() -> None:
    board = Board()
    repl = ready(board, byte_timeout=0.2)
    lossy = ScriptedStream(lambda data: board.respond(data if data != CTRL_D else b""), name="lossy")
    repl.stream = lossy
    with pytest.raises(ReplTimeout):
        repl.exec("a", timeout=1.0)
    repl.stream = board.stream
    repl.interrupt()
    repl.soft_reset()
    assert repl.exec("b", timeout=1.0).stdout == b"ran b\r\n"
    assert board.programs == [b"b"], "the damaged program never ran"


# -- programs that print Ctrl-D themselves ------------------------------------------------------

def test_ctrl_d_printed_by_the_program_is_kept_when_the_end_is_known() -> None:
    output = b"a\x04b\x04>c\r\nEND\r\n"
    board = Board(lambda program: (output, b""))
    repl = ready(board)
    result = repl.exec("a", timeout=2.0, end=b"END")
    assert (result.stdout, result.stderr, result.timed_out) == (output, b"", False)
    assert repl.drain() == b"", "stopped at the board's own prompt"
    assert repl.exec("b", timeout=2.0, end=b"END").stdout == output


def test_without_the_end_marker_the_first_ctrl_d_ends_stdout() -> None:
    board = Board(lambda program: (b"a\x04b\x04>c\r\n", b""))
    assert ready(board).exec("a", timeout=2.0).stdout == b"a"


def test_a_program_that_fails_before_printing_the_end_marker() -> None:
    board = Board(lambda program: (b"partial\r\n", b"Traceback (most recent call last):\r\nMemoryError: \r\n"))
    repl = ready(board)
    start = time.monotonic()
    result = repl.exec("a", timeout=5.0, end=b"END")
    assert time.monotonic() - start < 1.0, "recognised by the board's own ending, not by the deadline"
    assert result == ExecResult(b"partial\r\n", b"Traceback (most recent call last):\r\nMemoryError: \r\n")


def test_a_program_that_hangs_before_printing_the_end_marker_times_out() -> None:
    board = Board(lambda program: (b"x\x04y", None))
    repl = ready(board)
    start = time.monotonic()
    result = repl.exec("a", timeout=0.5, end=b"END")
    assert result.timed_out and result.stdout == b"x\x04y"
    assert time.monotonic() - start < 1.5
