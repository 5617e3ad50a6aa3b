"""conformance.compare: the pass rule of cases/README.md as a table of (case, outcome) -> verdict."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any

import pytest
from factories import BASE_CAPS, CPYTHON, UNIX, WASM, make_case, make_outcome

from conformance.compare import DiffKind, Verdict, VerdictKind, compare, stdout_diff
from conformance.outcome import HeapFigures, Status

NAME_ERROR_DIFF = {"cpython": {"message": "name 'x' is not defined", "category": "messages",
                               "reason": "CPython says 'is not defined'."}}


def row(name: str, case: dict[str, Any], outcome: dict[str, Any], kind: VerdictKind,
        diff_kind: DiffKind | None = None, diff: str = "", note: str = "") -> Any:
    return pytest.param(case, outcome, kind, diff_kind, diff, note, id=name)


TABLE = [
    # -- pass -------------------------------------------------------------------------------------
    row("pass-stdout", {"expect": {"stdout": "2\n"}}, {"stdout": "2\n"}, VerdictKind.PASS),
    row("pass-raised-with-message",
        {"expect": {"stdout": "a\n", "raises": "ValueError", "message": "bad"}},
        {"stdout": "a\n", "exc_type": "ValueError", "exc_message": "bad"}, VerdictKind.PASS),
    row("pass-message-not-compared-when-absent", {"expect": {"raises": "ValueError"}},
        {"exc_type": "ValueError", "exc_message": "anything", "stdout": "ignored\n"}, VerdictKind.PASS),
    row("pass-stdout-not-compared-when-absent", {"expect": {"raises": "KeyError"}},
        {"exc_type": "KeyError", "stdout": "whatever\n"}, VerdictKind.PASS),
    # -- skip: a required capability is missing --------------------------------------------------
    row("skip-missing-capability", {"expect": {"stdout": ""}, "requires": ["complex", "set"]},
        {"stdout": "", "status": Status.UNSUPPORTED}, VerdictKind.SKIP, note="wasm lacks complex"),
    row("skip-before-anything-else", {"expect": {"stdout": "x\n"}, "requires": ["gc-mem"]},
        {"stdout": "wrong\n"}, VerdictKind.SKIP, note="gc-mem"),
    # -- documented difference ------------------------------------------------------------------
    row("documented-difference-shown",
        {"expect": {"raises": "NameError", "message": "name 'x' isn't defined"}, "differences": NAME_ERROR_DIFF},
        {"identity": CPYTHON, "exc_type": "NameError", "exc_message": "name 'x' is not defined"},
        VerdictKind.DOCUMENTED, DiffKind.EXC_MESSAGE, "expected \"name 'x' isn't defined\"",
        note="messages: CPython says 'is not defined'."),
    row("documented-difference-not-shown",
        {"expect": {"raises": "NameError", "message": "name 'x' isn't defined"}, "differences": NAME_ERROR_DIFF},
        {"identity": CPYTHON, "exc_type": "NameError", "exc_message": "name 'x' isn't defined"},
        VerdictKind.PASS, note="documented difference (cpython) not shown"),
    row("difference-for-another-implementation-is-ignored",
        {"expect": {"raises": "NameError", "message": "name 'x' isn't defined"}, "differences": NAME_ERROR_DIFF},
        {"exc_type": "NameError", "exc_message": "name 'x' is not defined"},
        VerdictKind.FAIL, DiffKind.EXC_MESSAGE, "got \"name 'x' is not defined\""),
    row("difference-outcome-other-than-documented-fails",
        {"expect": {"raises": "NameError", "message": "name 'x' isn't defined"}, "differences": NAME_ERROR_DIFF},
        {"identity": CPYTHON, "exc_type": "NameError", "exc_message": "something else"},
        VerdictKind.FAIL, DiffKind.EXC_MESSAGE, "got 'something else'"),
    row("difference-keys-not-given-come-from-expect",
        {"expect": {"stdout": "a\n", "raises": "NameError", "message": "name 'x' isn't defined"},
         "differences": NAME_ERROR_DIFF},
        {"identity": CPYTHON, "stdout": "other\n", "exc_type": "NameError", "exc_message": "name 'x' is not defined"},
        VerdictKind.FAIL, DiffKind.EXC_MESSAGE),
    row("difference-raises-null-means-finishes-normally",
        {"expect": {"raises": "TypeError"},
         "differences": {"cpython": {"raises": None, "stdout": "ok\n", "category": "core", "reason": "allowed"}}},
        {"identity": CPYTHON, "stdout": "ok\n"}, VerdictKind.DOCUMENTED, DiffKind.EXC_TYPE,
        "exception: expected TypeError, got normal finish"),
    # -- selectors with version ranges ---------------------------------------------------------
    row("selector-version-range-matches",
        {"expect": {"stdout": "new\n"},
         "differences": {"micropython>=1.9,<1.28": {"stdout": "old\n", "category": "core", "reason": "fixed later"}}},
        {"stdout": "old\n"}, VerdictKind.DOCUMENTED, DiffKind.STDOUT),
    row("selector-version-range-excludes",
        {"expect": {"stdout": "new\n"},
         "differences": {"micropython>=1.9,<1.27": {"stdout": "old\n", "category": "core", "reason": "fixed in 1.27"}}},
        {"stdout": "old\n"}, VerdictKind.FAIL, DiffKind.STDOUT),
    row("selector-numeric-components",
        {"expect": {"stdout": "new\n"},
         "differences": {"micropython<1.100": {"stdout": "old\n", "category": "core", "reason": "r"}}},
        {"stdout": "old\n"}, VerdictKind.DOCUMENTED, DiffKind.STDOUT),
    row("first-matching-selector-wins",
        {"expect": {"stdout": "new\n"},
         "differences": {"micropython": {"stdout": "first\n", "category": "core", "reason": "one"},
                         "micropython>=1": {"stdout": "second\n", "category": "core", "reason": "two"}}},
        {"stdout": "second\n"}, VerdictKind.FAIL, DiffKind.STDOUT),
    row("selector-capability-profile-applies",
        {"expect": {"stdout": "0.1\n"},
         "differences": {"micropython+float-single": {"stdout": "0.1000000\n", "category": "core", "reason": "r"}}},
        {"stdout": "0.1000000\n", "capabilities": frozenset({"float-single"})},
        VerdictKind.DOCUMENTED, DiffKind.STDOUT),
    row("selector-capability-profile-needs-the-capability",
        {"expect": {"stdout": "0.1\n"},
         "differences": {"micropython+float-single": {"stdout": "0.1000000\n", "category": "core", "reason": "r"}}},
        {"stdout": "0.1000000\n", "capabilities": frozenset({"float-double"})}, VerdictKind.FAIL, DiffKind.STDOUT),
    # -- failures, one per kind ---------------------------------------------------------------------
    row("fail-stdout", {"expect": {"stdout": "4\n"}}, {"stdout": "3\n"},
        VerdictKind.FAIL, DiffKind.STDOUT, "stdout: expected '4\\n', got '3\\n'"),
    row("fail-exception-type-unexpected-raise", {"expect": {"stdout": "4\n"}},
        {"exc_type": "ValueError", "exc_message": "boom"}, VerdictKind.FAIL, DiffKind.EXC_TYPE,
        "exception: expected normal finish, got ValueError: boom"),
    row("fail-exception-type-missing-raise", {"expect": {"raises": "ValueError", "message": "boom"}},
        {"stdout": ""}, VerdictKind.FAIL, DiffKind.EXC_TYPE, "exception: expected ValueError: boom, got normal finish"),
    row("fail-exception-type-other-class", {"expect": {"raises": "ValueError"}},
        {"exc_type": "TypeError", "exc_message": "t"}, VerdictKind.FAIL, DiffKind.EXC_TYPE,
        "expected ValueError, got TypeError: t"),
    row("fail-exception-type-before-message-and-stdout",
        {"expect": {"stdout": "a\n", "raises": "ValueError", "message": "m"}},
        {"stdout": "b\n", "exc_type": "TypeError", "exc_message": "n"}, VerdictKind.FAIL, DiffKind.EXC_TYPE),
    row("fail-exception-message", {"expect": {"raises": "ValueError", "message": "bad value"}},
        {"exc_type": "ValueError", "exc_message": "bad"}, VerdictKind.FAIL, DiffKind.EXC_MESSAGE,
        "message of ValueError: expected 'bad value', got 'bad'"),
    row("fail-message-before-stdout", {"expect": {"stdout": "a\n", "raises": "ValueError", "message": "m"}},
        {"stdout": "b\n", "exc_type": "ValueError", "exc_message": "n"}, VerdictKind.FAIL, DiffKind.EXC_MESSAGE),
    row("fail-stdout-before-raise", {"expect": {"stdout": "a\n", "raises": "ValueError"}},
        {"stdout": "b\n", "exc_type": "ValueError"}, VerdictKind.FAIL, DiffKind.STDOUT),
    row("fail-status-timeout", {"expect": {"stdout": "x\n"}},
        {"status": Status.TIMEOUT, "detail": "no answer within 1 s"}, VerdictKind.FAIL, DiffKind.STATUS,
        "status: expected normal finish, got timeout (no answer within 1 s)"),
    row("fail-status-crashed", {"expect": {"raises": "ValueError"}},
        {"status": Status.CRASHED, "detail": "exit code 1\nSegmentation fault"}, VerdictKind.FAIL, DiffKind.STATUS,
        "status: expected ValueError, got crashed (Segmentation fault)"),
    row("fail-status-unsupported", {"expect": {"stdout": ""}},
        {"status": Status.UNSUPPORTED}, VerdictKind.FAIL, DiffKind.STATUS, "got unsupported"),
    row("status-is-not-excused-by-a-difference",
        {"expect": {"stdout": "x\n"},
         "differences": {"micropython": {"stdout": "", "category": "core", "reason": "r"}}},
        {"status": Status.TIMEOUT}, VerdictKind.FAIL, DiffKind.STATUS),
    # -- by_capability ----------------------------------------------------------------------------
    row("by-capability-branch-used",
        {"expect": {"stdout": "1.0\n", "by_capability": {"float-single": {"stdout": "1.00000\n"}}}},
        {"stdout": "1.00000\n", "capabilities": BASE_CAPS - {"float-double"} | {"float-single"}}, VerdictKind.PASS),
    row("by-capability-base-when-no-branch-matches",
        {"expect": {"stdout": "1.0\n", "by_capability": {"float-single": {"stdout": "1.00000\n"}}}},
        {"stdout": "1.00000\n"}, VerdictKind.FAIL, DiffKind.STDOUT, "expected '1.0\\n', got '1.00000\\n'"),
    row("by-capability-first-listed-wins",
        {"expect": {"raises": "ValueError", "message": "detailed",
                    "by_capability": {"error-terse": {"message": ""}, "error-detailed": {"message": "d2"}}}},
        {"exc_type": "ValueError", "exc_message": "", "capabilities": BASE_CAPS | {"error-terse"}}, VerdictKind.PASS),
    row("by-capability-branch-can-change-the-exception",
        {"expect": {"stdout": "big\n", "by_capability": {"wordsize-32": {"raises": "OverflowError"}}}},
        {"exc_type": "OverflowError", "exc_message": "x", "stdout": "big\n"}, VerdictKind.PASS),
    row("by-capability-raises-null",
        {"expect": {"raises": "OverflowError", "stdout": "",
                    "by_capability": {"wordsize-64": {"raises": None}}}},
        {"identity": UNIX, "stdout": "", "capabilities": frozenset({"wordsize-64"})}, VerdictKind.PASS),
]


@pytest.mark.parametrize(("case", "outcome", "kind", "diff_kind", "diff", "note"), TABLE)
def test_pass_rule(case: dict[str, Any], outcome: dict[str, Any], kind: VerdictKind,
                   diff_kind: DiffKind | None, diff: str, note: str) -> None:
    verdict = compare(make_case(case), make_outcome(**outcome))
    assert verdict.kind is kind, verdict
    assert verdict.diff_kind is diff_kind, verdict
    assert diff in verdict.diff
    assert note in verdict.note
    assert verdict.passed is (kind in (VerdictKind.PASS, VerdictKind.DOCUMENTED))
    if kind is VerdictKind.PASS and not note:
        assert verdict == Verdict(VerdictKind.PASS)


def test_skip_names_every_missing_capability_and_the_runner() -> None:
    verdict = compare(make_case(expect={"stdout": ""}, requires=["complex", "gc-mem", "set"]), make_outcome())
    assert verdict.kind is VerdictKind.SKIP
    assert verdict.missing == ("complex", "gc-mem")
    assert verdict.note == "wasm lacks complex, gc-mem"


def test_multiline_stdout_gives_a_unified_diff() -> None:
    verdict = compare(make_case(expect={"stdout": "a\nb\nc\n"}), make_outcome(stdout="a\nB\nc\n"))
    assert verdict.diff_kind is DiffKind.STDOUT
    lines = verdict.diff.splitlines()
    assert lines[0] == "stdout differs:"
    assert "-b" in lines and "+B" in lines


def test_long_diffs_are_cut() -> None:
    expected = "".join(f"{i}\n" for i in range(200))
    actual = "".join(f"{i}!\n" for i in range(200))
    diff = stdout_diff(expected, actual)
    assert len(diff.splitlines()) <= 42
    assert "more diff lines" in diff


class TestMemory:
    BUDGET = {"expect": {"stdout": ""}, "memory": {"allocated": 100, "retained": 40}}

    @pytest.mark.parametrize(("identity", "allocated", "retained", "kind", "diff"), [
        (WASM, 100, 40, VerdictKind.PASS, ""),
        (WASM, 101, 0, VerdictKind.FAIL, "memory: expected allocated <= 100 bytes (32-bit words), got 101"),
        (WASM, 50, 41, VerdictKind.FAIL, "memory: expected retained <= 40 bytes (32-bit words), got 41"),
        (WASM, 50, None, VerdictKind.PASS, ""),     # the WASI build reports no retained figure
        (WASM, None, 10, VerdictKind.PASS, ""),     # retried with collection on: no allocated figure
        (UNIX, 200, 80, VerdictKind.PASS, ""),      # 64-bit words: budgets double
        (UNIX, 201, 0, VerdictKind.FAIL, "memory: expected allocated <= 200 bytes (64-bit words), got 201"),
        (UNIX, 0, 81, VerdictKind.FAIL, "memory: expected retained <= 80 bytes (64-bit words), got 81"),
    ])
    def test_gc_heap_budget(self, identity: Any, allocated: int | None, retained: int | None,
                            kind: VerdictKind, diff: str) -> None:
        heap = HeapFigures("gc", identity.word_bits, allocated, retained)
        verdict = compare(make_case(self.BUDGET), make_outcome(identity, heap=heap))
        assert verdict.kind is kind
        assert verdict.diff == diff
        assert verdict.diff_kind is (DiffKind.MEMORY if kind is VerdictKind.FAIL else None)

    def test_tracemalloc_figures_are_not_judged(self) -> None:
        heap = HeapFigures("tracemalloc", 64, 10_000, 10_000)
        assert compare(make_case(self.BUDGET), make_outcome(CPYTHON, heap=heap)).kind is VerdictKind.PASS

    def test_no_heap_figures_are_not_judged(self) -> None:
        assert compare(make_case(self.BUDGET), make_outcome(heap=None)).kind is VerdictKind.PASS

    def test_behaviour_failure_is_reported_before_memory(self) -> None:
        heap = HeapFigures("gc", 32, 10_000, 10_000)
        verdict = compare(make_case(self.BUDGET), make_outcome(stdout="x\n", heap=heap))
        assert verdict.diff_kind is DiffKind.STDOUT

    def test_no_budget_no_memory_verdict(self) -> None:
        heap = HeapFigures("gc", 32, 10**9, 10**9)
        assert compare(make_case(expect={"stdout": ""}), make_outcome(heap=heap)).kind is VerdictKind.PASS


def test_compare_is_pure_and_imports_no_runner() -> None:
    # `conformance.compare` the attribute is the function (re-exported); fetch the module itself.
    module = importlib.import_module("conformance.compare")
    source = Path(str(module.__file__)).read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not {m for m in imported if m.split(".")[0] in ("runners", "subprocess", "os", "pathlib")}, imported


def test_compare_does_not_change_its_inputs() -> None:
    case = make_case(expect={"stdout": "a\n"})
    outcome = make_outcome(stdout="b\n")
    before = (case, outcome.to_json())
    compare(case, outcome)
    assert (case, outcome.to_json()) == before
