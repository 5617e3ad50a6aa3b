"""runners.mpharness: the harness program and how its raw answer becomes an Outcome.

The interpretation is fed RawExecution values directly: the ways a
MicroPython transport can misbehave (hang, crash, garble) are injected here
without a fake implementation.
"""

from __future__ import annotations

import pytest

from conformance.outcome import HeapFigures, RunnerIdentity, Status
from runners.mpharness import (
    END_MARKER,
    IDENTITY_MARKER,
    IDENTITY_PROGRAM,
    MAX_OUTPUT,
    RESULT_MARKER,
    RawExecution,
    build_program,
    interpret,
    parse_identity,
    traceback_lines,
)

IDENTITY = RunnerIdentity("fake", "micropython", "1.27.0", 32)


def answer(allocated: int | None = 0, retained: int | None = 0, exc_type: str | None = None,
           message: str | None = None, tb: str = "") -> bytes:
    exc_class = f"<class '{exc_type}'>" if exc_type else None
    return (RESULT_MARKER + repr((allocated, retained, exc_class, message)) + "\n" + tb + END_MARKER + "\n").encode()


class TestBuildProgram:
    def test_is_valid_python_and_embeds_the_code_as_data(self) -> None:
        program = build_program("print('hi')\nx = '''\"'''\n", collect=True)
        compile(program, "<harness>", "exec")
        assert repr("print('hi')\nx = '''\"'''\n") in program

    def test_compiles_the_case_under_its_own_name(self) -> None:
        assert "compile(s,'<case>','exec')" in build_program("pass", collect=True)
        assert "'__name__':'__main__'" in build_program("pass", collect=True)

    def test_collect_and_pause_switches(self) -> None:
        both = build_program("pass", collect=True, pause_gc=True)
        assert "k=1;p=1;" in both
        neither = build_program("pass", collect=False, pause_gc=False)
        assert "k=0;p=0;" in neither

    def test_uses_no_fstrings(self) -> None:
        """The harness runs on MicroPython 1.9, which has no f-strings."""
        for program in (build_program("pass", collect=True), IDENTITY_PROGRAM):
            assert "f'" not in program and 'f"' not in program


class TestParsing:
    def test_parse_identity_word_size(self) -> None:
        out32 = f"noise\n{IDENTITY_MARKER}('micropython', '1.22.2', 2147483647)\n"
        out64 = f"{IDENTITY_MARKER}('micropython', '1.27.0', 9223372036854775807)\nmore\n"
        assert parse_identity(out32) == ("micropython", "1.22.2", 32)
        assert parse_identity(out64) == ("micropython", "1.27.0", 64)

    def test_parse_identity_without_marker(self) -> None:
        with pytest.raises(ValueError, match="no identity line"):
            parse_identity("Traceback ...")

    def test_traceback_lines_outermost_first(self) -> None:
        text = ('Traceback (most recent call last):\n  File "<stdin>", line 30, in <module>\n'
                '  File "<case>", line 5, in <module>\n  File "<case>", line 4, in f\nValueError: bad\n')
        assert traceback_lines(text) == (5, 4)
        assert traceback_lines('  File "<string>", line 2\nSyntaxError: invalid syntax\n') == (2,)
        assert traceback_lines("") == ()


class TestInterpret:
    def test_normal_finish(self) -> None:
        outcome = interpret(RawExecution(b"a\r\nb\n" + answer(48, 16)), IDENTITY, 0.5)
        assert (outcome.status, outcome.stdout) == (Status.OK, "a\nb\n")
        assert outcome.heap == HeapFigures("gc", 32, 48, 16)
        assert outcome.duration == 0.5

    def test_raised(self) -> None:
        tb = 'Traceback (most recent call last):\n  File "<case>", line 3, in <module>\nKeyError: k\n'
        outcome = interpret(RawExecution(b"out\n" + answer(0, 0, "KeyError", "'k'", tb)), IDENTITY, 0.1)
        assert (outcome.status, outcome.stdout, outcome.exc_type, outcome.exc_message) == (
            Status.RAISED, "out\n", "KeyError", "'k'")
        assert outcome.traceback_lines == (3,)

    def test_output_without_final_newline_is_kept(self) -> None:
        outcome = interpret(RawExecution(b"partial" + answer()), IDENTITY, 0.1)
        assert outcome.stdout == "partial"

    def test_without_paused_gc_there_is_no_allocated_figure(self) -> None:
        outcome = interpret(RawExecution(answer(999, 16)), IDENTITY, 0.1, paused_gc=False)
        assert outcome.heap == HeapFigures("gc", 32, None, 16)

    def test_timeout(self) -> None:
        raw = RawExecution(b"started\n", timed_out=True, crashed="no answer within 1 s", exit_code=None)
        outcome = interpret(raw, IDENTITY, 1.0)
        assert (outcome.status, outcome.stdout, outcome.detail) == (Status.TIMEOUT, "started\n", "no answer within 1 s")
        assert outcome.heap is None

    def test_crash_keeps_the_stderr_tail(self) -> None:
        raw = RawExecution(b"half", b"x" * 1000 + b"Segmentation fault", crashed="killed by signal 11", exit_code=-11)
        outcome = interpret(raw, IDENTITY, 0.1)
        assert outcome.status is Status.CRASHED
        assert outcome.detail.startswith("killed by signal 11\n")
        assert outcome.detail.endswith("Segmentation fault")
        assert len(outcome.detail) < 500

    def test_exit_without_answer(self) -> None:
        outcome = interpret(RawExecution(b"", exit_code=1), IDENTITY, 0.1)
        assert outcome.status is Status.CRASHED
        assert outcome.detail == "exit code 1; no result from the harness"

    def test_garbled_answer(self) -> None:
        outcome = interpret(RawExecution(b"x\n" + RESULT_MARKER.encode() + b"(1, 2\n"), IDENTITY, 0.1)
        assert outcome.status is Status.CRASHED
        assert outcome.stdout == "x\n"
        assert "unreadable harness answer" in outcome.detail

    def test_case_printing_the_marker_itself_does_not_confuse_it(self) -> None:
        fake = RESULT_MARKER + repr((1, 1, "<class 'Fake'>", "fake")) + "\n"
        outcome = interpret(RawExecution(fake.encode() + answer(0, 0)), IDENTITY, 0.1)
        assert outcome.status is Status.OK, "the last marker is the harness's"

    def test_invalid_utf8_is_replaced(self) -> None:
        outcome = interpret(RawExecution(b"\xff\n" + answer()), IDENTITY, 0.1)
        assert outcome.stdout == "\ufffd\n"

    def test_output_is_capped(self) -> None:
        outcome = interpret(RawExecution(b"x" * (MAX_OUTPUT + 10)), IDENTITY, 0.1)
        assert outcome.stdout.startswith("x" * MAX_OUTPUT)
        assert outcome.stdout.endswith("[... 10 more characters cut by the harness]")

    def test_long_output_keeps_the_answer(self) -> None:
        outcome = interpret(RawExecution(b"x" * (MAX_OUTPUT + 10) + answer(0, 0)), IDENTITY, 0.1)
        assert outcome.status is Status.OK
        assert outcome.stdout.startswith("x" * MAX_OUTPUT)
        assert outcome.stdout.endswith("[... 10 more characters cut by the harness]")
