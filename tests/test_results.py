"""conformance.results: results.jsonl is streamed line by line and read back strictly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import CPYTHON, WASM, make_case

from conformance.compare import DiffKind, Verdict, VerdictKind
from conformance.errors import ConformanceError, ResultsFileError
from conformance.outcome import HeapFigures, Outcome, Status
from conformance.results import FORMAT_VERSION, Record, ResultsWriter, read_results


def record(case_id: str = "demo", runner=WASM, kind: VerdictKind = VerdictKind.PASS) -> Record:
    case = make_case(id=case_id, expect={"stdout": "1\n"})
    diff_kind = DiffKind.STDOUT if kind is VerdictKind.FAIL else None
    outcome = Outcome(runner, Status.OK, stdout="1\n", heap=HeapFigures("gc", 32, 16, None), duration=0.5)
    return Record.of(case, Verdict(kind, diff_kind), outcome)


def test_writer_flushes_every_line_before_close(tmp_path: Path) -> None:
    path = tmp_path / "out" / "results.jsonl"
    writer = ResultsWriter(path, {"runners": ["wasm"]})
    try:
        header = path.read_text(encoding="utf-8").splitlines()
        assert len(header) == 1
        assert json.loads(header[0]) == {"type": "header", "format": FORMAT_VERSION, "runners": ["wasm"]}
        writer.add(record("one"))
        assert len(path.read_text(encoding="utf-8").splitlines()) == 2, "a record is on disk as soon as it is added"
        writer.add(record("two"))
        lines = path.read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["case"] for line in lines[1:]] == ["one", "two"]
        # a reader during the run sees every record so far
        assert [r.case_id for r in read_results([path]).records] == ["one", "two"]
    finally:
        writer.close()


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    written = [record("a"), record("b", CPYTHON, VerdictKind.FAIL), record("c", kind=VerdictKind.SKIP)]
    writer = ResultsWriter(path, {"suite_version": "0.1.0"})
    for r in written:
        writer.add(r)
    writer.close()
    results = read_results([path])
    assert results.records == written
    assert results.headers == [{"type": "header", "format": FORMAT_VERSION, "suite_version": "0.1.0"}]
    assert results.truncated is False


def test_several_files_are_concatenated(tmp_path: Path) -> None:
    paths = []
    for name in ("first", "second"):
        path = tmp_path / f"{name}.jsonl"
        writer = ResultsWriter(path, {"name": name})
        writer.add(record(name))
        writer.close()
        paths.append(path)
    results = read_results(paths)
    assert [r.case_id for r in results.records] == ["first", "second"]
    assert [h["name"] for h in results.headers] == ["first", "second"]


def test_truncated_last_line_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    writer = ResultsWriter(path)
    writer.add(record("kept"))
    writer.close()
    full = json.dumps(record("lost").to_json())
    with path.open("a", encoding="utf-8") as handle:
        handle.write(full[: len(full) // 2])  # the run was killed mid-line
    results = read_results([path])
    assert [r.case_id for r in results.records] == ["kept"]
    assert results.truncated is True


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text("\n" + json.dumps(record("a").to_json()) + "\n\n", encoding="utf-8")
    assert [r.case_id for r in read_results([path]).records] == ["a"]


@pytest.mark.parametrize("bad", [
    pytest.param("{not json", id="not-json"),
    pytest.param('{"type": "result", "case": "x"}', id="missing-fields"),
    pytest.param('{"type": "result", "case": "x", "path": "p", "line": 1, "area": "a", "tags": [], '
                 '"verdict": {"kind": "maybe"}, "outcome": {}}', id="bad-enum"),
    pytest.param("[1, 2]", id="not-an-object"),
])
def test_malformed_middle_line_names_path_and_line(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "results.jsonl"
    good = json.dumps(record("a").to_json())
    path.write_text("\n".join([good, bad, good]) + "\n", encoding="utf-8")
    with pytest.raises(ResultsFileError) as info:
        read_results([path])
    error = info.value
    assert isinstance(error, ConformanceError)
    assert (error.path, error.line) == (str(path), 2)
    assert f"{path}:2: " in str(error)
    assert "truncated last line" in str(error), "the message explains what a valid file looks like"


def test_malformed_complete_last_line_is_an_error(tmp_path: Path) -> None:
    """Only a line cut short (no newline) counts as a killed run."""
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps(record("a").to_json()) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(ResultsFileError) as info:
        read_results([path])
    assert info.value.line == 2


def test_format_2_records_carry_what_the_html_report_needs() -> None:
    case = make_case(id="msg", code="1 // 0", expect={"raises": "ZeroDivisionError", "message": "divide by zero"},
                     differences={"cpython": {"message": "integer division or modulo by zero",
                                              "category": "messages", "reason": "shorter texts",
                                              "workaround": "compare types"}})
    outcome = Outcome(CPYTHON, Status.RAISED, exc_type="ZeroDivisionError",
                      exc_message="integer division or modulo by zero")
    rec = Record.of(case, Verdict(VerdictKind.DOCUMENTED), outcome)
    assert rec.code == "1 // 0"
    assert rec.expect == {"raises": "ZeroDivisionError", "message": "divide by zero"}
    assert rec.difference == "cpython"
    [doc] = rec.differences
    assert (doc.selector, doc.category, doc.reason, doc.workaround) == ("cpython", "messages", "shorter texts",
                                                                        "compare types")
    assert doc.outcome == {"message": "integer division or modulo by zero"}
    assert Record.from_json(json.loads(json.dumps(rec.to_json()))) == rec
    on_wasm = Record.of(case, Verdict(VerdictKind.PASS), Outcome(WASM, Status.RAISED))
    assert on_wasm.difference is None, "the cpython selector does not apply to MicroPython"


def test_format_1_files_stay_readable(tmp_path: Path) -> None:
    old = record("old").to_json()
    for key in ("code", "expect", "differences", "difference"):
        del old[key]
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps({"type": "header", "format": 1}) + "\n" + json.dumps(old) + "\n", encoding="utf-8")
    [rec] = read_results([path]).records
    assert (rec.case_id, rec.code, rec.expect, rec.differences, rec.difference) == ("old", "", {}, (), None)


def test_a_header_of_an_unknown_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps({"type": "header", "format": 99}) + "\n" + json.dumps(record().to_json()) + "\n",
                    encoding="utf-8")
    with pytest.raises(ResultsFileError) as info:
        read_results([path])
    assert info.value.line == 1 and "upgrade micropython-conformance" in str(info.value)


def test_lenient_reading_keeps_every_other_record(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    good = [json.dumps(record(name).to_json()) for name in ("a", "b")]
    path.write_text("\n".join([good[0], "{garbled", good[1]]) + "\n", encoding="utf-8")
    missing = tmp_path / "nowhere.jsonl"
    results = read_results([missing, path], strict=False)
    assert [r.case_id for r in results.records] == ["a", "b"]
    assert [(p.path, p.line) for p in results.problems] == [(str(missing), None), (str(path), 2)]
    assert str(results.problems[0]).startswith(f"{missing}: no such results file.")


def test_a_missing_file_is_named_when_strict(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError) as info:
        read_results([tmp_path / "gone.jsonl"])
    assert info.value.path == str(tmp_path / "gone.jsonl") and info.value.line is None
