"""conformance.errors: one root, structured fields, and a message that says what to do."""

from __future__ import annotations

import pytest

from conformance.errors import (
    CaseFileError,
    CaseFileErrors,
    ConformanceError,
    ProbeError,
    ResultsFileError,
    RunnerUnavailable,
    UnknownRunner,
)


def test_case_file_error() -> None:
    error = CaseFileError("cases/ints/a.yaml", 12, "cases[1] (id x).expect", "expect must give stdout", "EMPTY_EXPECT")
    assert (error.path, error.line, error.field, error.check) == ("cases/ints/a.yaml", 12, "cases[1] (id x).expect",
                                                                 "EMPTY_EXPECT")
    first, hint = str(error).splitlines()
    assert first == "cases/ints/a.yaml:12: cases[1] (id x).expect: expect must give stdout [EMPTY_EXPECT]"
    assert "cases/README.md" in hint and "mpconform lint" in hint


def test_case_file_error_without_line() -> None:
    error = CaseFileError("cases/ints/a.yaml", None, "(file)", "cannot read", "UNREADABLE")
    assert str(error).startswith("cases/ints/a.yaml: (file): cannot read [UNREADABLE]")


def test_case_file_errors_lists_each_problem_once() -> None:
    errors = [CaseFileError("f.yaml", 3, "a", "p1", "UNKNOWN_KEY"), CaseFileError("f.yaml", 9, "b", "p2", "WRONG_TYPE")]
    combined = CaseFileErrors(errors)
    assert combined.errors == errors
    lines = str(combined).splitlines()
    assert lines[:2] == ["f.yaml:3: a: p1 [UNKNOWN_KEY]", "f.yaml:9: b: p2 [WRONG_TYPE]"]
    assert lines[2].startswith("Hint:")


def test_unknown_runner() -> None:
    error = UnknownRunner("wasn", ["wasm", "cpython"])
    assert error.known == ["cpython", "wasm"]
    assert "unknown runner 'wasn'; known runners: cpython, wasm" in str(error)
    assert "mpconform.runners" in str(error)


def test_runner_unavailable() -> None:
    error = RunnerUnavailable("unix", "no binary; pass --micropython PATH")
    assert (error.name, error.reason) == ("unix", "no binary; pass --micropython PATH")
    assert "--micropython" in str(error)


def test_probe_error() -> None:
    error = ProbeError("wasm", "the capability probe printed no result", "Traceback ...")
    assert "'wasm'" in str(error) and "Traceback ..." in str(error)
    assert "mpconform runners" in str(error)


def test_results_file_error() -> None:
    error = ResultsFileError("out/results.jsonl", 7, "unreadable record")
    assert (error.path, error.line) == ("out/results.jsonl", 7)
    assert str(error).startswith("out/results.jsonl:7: unreadable record.")
    assert "truncated last line" in str(error)


@pytest.mark.parametrize("cls", [CaseFileError, CaseFileErrors, UnknownRunner, RunnerUnavailable, ProbeError,
                                 ResultsFileError])
def test_every_error_is_a_conformance_error(cls: type) -> None:
    assert issubclass(cls, ConformanceError)
