"""conformance.cli (`mpconform`): run, lint, runners, diff, report on a tiny corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NAME_ERROR_CASE, CaseWriter

from conformance.cli import main
from conformance.results import read_results

HEAD = "schema_version: 1\ncases:\n"

PASSING = HEAD + """\
  - id: add
    code: print(1 + 1)
    expect:
      stdout: "2\\n"
""" + NAME_ERROR_CASE

FAILING = HEAD + """\
  - id: wrong
    code: print(1 + 2)
    expect:
      stdout: "4\\n"
"""

BROKEN = HEAD + "  - id: broken\n    code: pass\n    colour: red\n    expect:\n      stdout: ''\n"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_run_all_passing(in_tmp: Path, write_cases: CaseWriter, capsys: pytest.CaptureFixture[str]) -> None:
    write_cases("ints/arith.yaml", PASSING)
    code = main(["run", "-q", "--runner", "cpython,wasm", "--out", "out", "cases"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 cases x 2 runners: 0 failures, 0 bad case files" in out
    results = read_results([in_tmp / "out" / "results.jsonl"])
    assert results.headers[0]["runners"] == ["cpython", "wasm"]
    assert sorted((r.case_id, r.runner, r.verdict.kind.value) for r in results.records) == [
        ("add", "cpython", "pass"), ("add", "wasm", "pass"),
        ("name-error", "cpython", "documented"), ("name-error", "wasm", "pass"),
    ]
    report = json.loads((in_tmp / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["matrix"] == {"ints": {
        "cpython": {"pass": 1, "documented": 1, "fail": 0, "skip": 0},
        "wasm": {"pass": 2, "documented": 0, "fail": 0, "skip": 0}}}
    assert report["failures"] == []
    markdown = (in_tmp / "out" / "report.md").read_text(encoding="utf-8")
    assert "| ints | 2/2 (100%), 1 doc | 2/2 (100%) |" in markdown
    assert not (in_tmp / "out" / "artifacts").exists()


def test_run_with_a_failure_exits_1(in_tmp: Path, write_cases: CaseWriter, capsys: pytest.CaptureFixture[str]) -> None:
    write_cases("ints/arith.yaml", PASSING)
    write_cases("ints/fail.yaml", FAILING)
    code = main(["run", "-q", "--runner", "cpython", "--out", "out", "cases"])
    out = capsys.readouterr().out
    assert code == 1
    assert "3 cases x 1 runners: 1 failures" in out
    report = json.loads((in_tmp / "out" / "report.json").read_text(encoding="utf-8"))
    (failure,) = report["failures"]
    assert (failure["case"], failure["runner"], failure["kind"]) == ("wrong", "cpython", "stdout")
    assert (failure["path"], failure["line"]) == ("cases/ints/fail.yaml", 3)
    assert "stdout: expected '4\\n', got '3\\n'" in (in_tmp / "out" / "report.md").read_text(encoding="utf-8")
    assert (in_tmp / "out" / "artifacts" / "wrong.cpython.py").read_text(encoding="utf-8") == "print(1 + 2)"


def test_run_with_a_broken_file_reports_it_and_runs_the_rest(
        in_tmp: Path, write_cases: CaseWriter, capsys: pytest.CaptureFixture[str]) -> None:
    write_cases("ints/arith.yaml", PASSING)
    write_cases("strings/bad.yaml", BROKEN)
    code = main(["run", "-q", "--runner", "cpython", "--out", "out", "cases"])
    captured = capsys.readouterr()
    assert code == 1
    assert "cases/strings/bad.yaml:5: cases[0] (id broken).colour" in captured.err
    assert "2 cases x 1 runners: 0 failures, 1 bad case files" in captured.out


def test_run_with_an_unknown_runner(in_tmp: Path, write_cases: CaseWriter,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    write_cases("ints/arith.yaml", PASSING)
    assert main(["run", "-q", "--runner", "cpython,nope", "--out", "out", "cases"]) == 2
    err = capsys.readouterr().err
    assert "unknown runner 'nope'" in err
    assert all(name in err for name in ("cpython", "qemu-microbit", "serial", "unix", "wasm"))


def test_lint_reports_a_broken_file(in_tmp: Path, write_cases: CaseWriter,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    write_cases("ints/arith.yaml", PASSING)
    write_cases("strings/bad.yaml", BROKEN)
    assert main(["lint", "cases"]) == 1
    out = capsys.readouterr().out
    assert "cases/strings/bad.yaml:5: cases[0] (id broken).colour: unknown key 'colour'" in out
    assert "[UNKNOWN_KEY]" in out
    assert "2 cases valid, 1 files with errors" in out


def test_lint_clean_corpus(in_tmp: Path, write_cases: CaseWriter, capsys: pytest.CaptureFixture[str]) -> None:
    write_cases("ints/arith.yaml", PASSING)
    assert main(["lint"]) == 0, "defaults to ./cases"
    assert "2 cases valid, 0 files with errors" in capsys.readouterr().out


def test_runners_lists_cpython_and_wasm(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runners"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines if line and not line.startswith(" ")}
    assert rows["cpython"].split()[1:4] == ["yes", "cpython", sys.version.split()[0]]
    assert rows["wasm"].split()[1:3] == ["yes", "micropython"]
    assert "32-bit" in rows["wasm"]
    assert any(line.strip().startswith("capabilities: ") and "float" in line for line in lines)


def test_diff_shows_outcomes_side_by_side(in_tmp: Path, write_cases: CaseWriter,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    write_cases("ints/arith.yaml", PASSING)
    assert main(["diff", "--runner", "cpython,wasm", "name-error", "cases"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("cases/ints/arith.yaml:7: name-error\n")
    assert "== cpython: cpython" in out
    assert "== wasm: micropython 1.27" in out
    assert "raised NameError: name 'undefined_name' is not defined (case lines 2)" in out
    assert "raised NameError: name 'undefined_name' isn't defined (case lines 2)" in out
    assert out.count("   | before") == 2
    assert "agreement: cpython | wasm" in out
    assert "verdict cpython: documented (exception-message) - messages: CPython words it differently." in out
    assert "verdict wasm: pass" in out


def test_diff_accepts_options_between_positionals(in_tmp: Path, write_cases: CaseWriter,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    write_cases("ints/arith.yaml", PASSING)
    assert main(["diff", "name-error", "--runner", "cpython", "cases"]) == 0


def test_diff_unknown_case(in_tmp: Path, write_cases: CaseWriter, capsys: pytest.CaptureFixture[str]) -> None:
    write_cases("ints/arith.yaml", PASSING)
    assert main(["diff", "--runner", "cpython", "no-such-case", "cases"]) == 2
    assert "no case with id 'no-such-case' (searched 2 cases)" in capsys.readouterr().err


def test_report_rebuilds_from_jsonl(in_tmp: Path, write_cases: CaseWriter,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    write_cases("ints/arith.yaml", PASSING)
    write_cases("ints/fail.yaml", FAILING)
    assert main(["run", "-q", "--runner", "cpython", "--out", "out", "cases"]) == 1
    capsys.readouterr()
    assert main(["report", "out/results.jsonl", "--out", "again", "--markdown", "docs/README.md"]) == 0
    assert "3 verdicts, 1 failures" in capsys.readouterr().out
    original = json.loads((in_tmp / "out" / "report.json").read_text(encoding="utf-8"))
    rebuilt = json.loads((in_tmp / "again" / "report.json").read_text(encoding="utf-8"))
    assert rebuilt == original
    markdown = (in_tmp / "again" / "report.md").read_text(encoding="utf-8")
    assert markdown == (in_tmp / "out" / "report.md").read_text(encoding="utf-8")
    assert (in_tmp / "docs" / "README.md").read_text(encoding="utf-8") == markdown


def test_report_of_a_corrupt_file_names_path_and_line(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "bad.jsonl").write_text('{"type": "header"}\n{oops\n{"type": "header"}\n', encoding="utf-8")
    assert main(["report", "bad.jsonl"]) == 2
    assert "bad.jsonl:2: unreadable record" in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("mpconform")
    if not script.exists():
        pytest.skip(f"no mpconform script beside {sys.executable} (package not installed with pip)")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for command in ("run", "runners", "lint", "diff", "report"):
        assert command in done.stdout
