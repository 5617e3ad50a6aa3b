"""conformance.report: the area x runner matrix and failures, from verdicts only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from factories import CPYTHON, WASM, make_case

from conformance.compare import DiffKind, Verdict, VerdictKind
from conformance.outcome import Outcome, RunnerIdentity, Status
from conformance.report import REPORT_FORMAT, Cell, build_report, matrix, render_markdown
from conformance.results import FORMAT_VERSION, Record, ResultsWriter, RunResults, read_results


def rec(case_id: str, area: str, runner: RunnerIdentity, kind: VerdictKind,
        diff_kind: DiffKind | None = None, diff: str = "") -> Record:
    case = make_case(id=case_id, expect={"stdout": ""})
    case = type(case)(**{**case.__dict__, "area": area})
    outcome = Outcome(runner, Status.OK, capabilities=frozenset({"float"}))
    return Record.of(case, Verdict(kind, diff_kind, diff), outcome)


RECORDS = [
    rec("add", "ints", CPYTHON, VerdictKind.PASS),
    rec("add", "ints", WASM, VerdictKind.PASS),
    rec("name", "ints", CPYTHON, VerdictKind.DOCUMENTED, DiffKind.EXC_MESSAGE, "message differs"),
    rec("name", "ints", WASM, VerdictKind.FAIL, DiffKind.STDOUT, "stdout: expected '4\\n', got '3\\n'"),
    rec("upper", "strings", CPYTHON, VerdictKind.SKIP),
    rec("upper", "strings", WASM, VerdictKind.PASS),
    rec("center", "strings", CPYTHON, VerdictKind.FAIL, DiffKind.EXC_TYPE, "exception: expected X, got Y"),
    rec("center", "strings", WASM, VerdictKind.PASS),
]
HEADER = {"type": "header", "format": FORMAT_VERSION, "suite_version": "9.9", "commit": "abc1234",
          "started": "2025-01-01"}


def test_matrix_counts() -> None:
    table = matrix(RECORDS)
    assert list(table) == ["ints", "strings"]
    assert table["ints"]["cpython"].counts == {"pass": 1, "documented": 1, "fail": 0, "skip": 0}
    assert table["ints"]["wasm"].counts == {"pass": 1, "documented": 0, "fail": 1, "skip": 0}
    assert table["strings"]["cpython"].counts == {"pass": 0, "documented": 0, "fail": 1, "skip": 1}
    assert table["strings"]["wasm"].counts == {"pass": 2, "documented": 0, "fail": 0, "skip": 0}


def test_cell_arithmetic() -> None:
    cell = Cell({"pass": 3, "documented": 1, "fail": 2, "skip": 4})
    assert (cell.total, cell.judged, cell.passing) == (10, 6, 4)
    assert cell.percent() == 100.0 * 4 / 6
    assert Cell({"pass": 0, "documented": 0, "fail": 0, "skip": 2}).percent() is None


def test_build_report() -> None:
    report = build_report(RunResults([HEADER], RECORDS))
    assert report["format"] == REPORT_FORMAT
    assert report["provenance"] == HEADER
    assert report["runner_order"] == ["cpython", "wasm"]
    assert report["totals"] == {
        "cpython": {"pass": 1, "documented": 1, "fail": 1, "skip": 1},
        "wasm": {"pass": 3, "documented": 0, "fail": 1, "skip": 0},
    }
    assert report["runners"]["wasm"]["implementation"] == "micropython"  # type: ignore[index]
    assert report["runners"]["wasm"]["capabilities"] == ["float"]  # type: ignore[index]
    failures = report["failures"]
    assert [(f["case"], f["runner"], f["kind"]) for f in failures] == [  # type: ignore[union-attr]
        ("name", "wasm", "stdout"), ("center", "cpython", "exception-type")]
    assert failures[0]["path"] == "cases/demo/demo.yaml" and failures[0]["line"] == 3  # type: ignore[index]
    assert report["truncated"] is False
    json.dumps(report)  # plain data


def test_markdown_has_provenance_runners_matrix_and_failures() -> None:
    text = render_markdown(build_report(RunResults([HEADER], RECORDS)))
    assert text.startswith("# MicroPython conformance report\n")
    assert "Suite 9.9 (commit abc1234), run 2025-01-01." in text
    assert "| cpython | cpython | 3.12.1 | 64-bit | test identity |" in text
    assert "| wasm | micropython | 1.27.0 | 32-bit | test identity |" in text
    assert "| area | cpython | wasm |" in text
    assert "| ints | 2/2 (100%), 1 doc | 1/2 (50%) |" in text
    assert "| strings | 0/1 (0%), 1 skip | 2/2 (100%) |" in text
    assert "| **total** | **2/3 (67%), 1 doc, 1 skip** | **3/4 (75%)** |" in text
    assert "## Failures (2)" in text
    assert "### `name` on wasm (stdout)\ncases/demo/demo.yaml:3" in text
    assert "stdout: expected '4\\n', got '3\\n'" in text
    assert "### `center` on cpython (exception-type)" in text


def test_markdown_without_failures_or_records() -> None:
    text = render_markdown(build_report(RunResults()))
    assert "## Failures (0)" in text and "None." in text


def test_a_runner_missing_from_an_area_shows_a_dash() -> None:
    records = [rec("a", "ints", CPYTHON, VerdictKind.PASS), rec("b", "floats", WASM, VerdictKind.PASS)]
    text = render_markdown(build_report(RunResults([], records)))
    assert "| floats | - | 1/1 (100%) |" in text


def test_report_rebuilds_from_a_saved_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    writer = ResultsWriter(path, {k: v for k, v in HEADER.items() if k not in ("type", "format")})
    for r in RECORDS:
        writer.add(r)
    writer.close()
    rebuilt = build_report(read_results([path]))
    assert rebuilt == build_report(RunResults([HEADER], RECORDS))


def test_truncated_results_are_flagged_in_the_report(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    writer = ResultsWriter(path)
    writer.add(RECORDS[0])
    writer.close()
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"type": "res')
    report = build_report(read_results([path]))
    assert report["truncated"] is True
    assert "truncated line" in render_markdown(report)


def test_rebuilding_a_report_runs_nothing(tmp_path: Path) -> None:
    """In a fresh interpreter: read a saved jsonl, render; no runner module or wasmtime gets imported."""
    path = tmp_path / "results.jsonl"
    writer = ResultsWriter(path, {"suite_version": "9.9"})
    for r in RECORDS:
        writer.add(r)
    writer.close()
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from conformance.report import build_report, render_markdown\n"
        "from conformance.results import read_results\n"
        f"text = render_markdown(build_report(read_results([Path({str(path)!r})])))\n"
        "heavy = ('runners', 'wasmtime', 'serial', 'subprocess')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print(repr(loaded))\n"
        "print(text)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    first, _, text = done.stdout.partition("\n")
    assert first == "[]"
    assert "| ints | 2/2 (100%), 1 doc | 1/2 (50%) |" in text
