"""conformance.baseline and `mpconform report --baseline`: what changed between two micro:bit runs.

The baseline is the recorded micro:bit run (tests/data/microbit-sample.jsonl); the "new build" is the same
run with the edits a firmware change would cause: a regression, a fix, a changed message, a bigger heap,
a case dropped and one added.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from site_support import MICROBIT_SAMPLE

from conformance.baseline import ChangeKind, compare_runs, heap_growth, render_markdown
from conformance.cli import main
from conformance.results import Record, read_results


def _edit(data: dict[str, Any]) -> dict[str, Any] | None:
    case, outcome, verdict = data.get("case"), data.get("outcome", {}), data.get("verdict", {})
    if case == "int-bitops-bool-operands":  # regression: wrong output now
        outcome["stdout"] = "1 1 0 -2 8 <class 'bool'>\n"
        verdict.update(kind="fail", diff_kind="stdout", diff="stdout: expected ..., got ...")
    elif case == "class-mro-depth-first-class-attr":  # fixed
        outcome.update(status="ok", exc_type=None, exc_message=None)
        verdict.update(kind="pass", diff_kind=None, diff="")
    elif case == "int-bitops-shift-by-non-int":  # still failing, with another message
        outcome["exc_message"] = "unsupported types for <<: 'int', 'str'"
    elif case == "str-repr-quote-selection":  # heap growth 352 -> 512
        outcome["heap"]["allocated"] = 512
    elif case == "int-bitops-small-negative-operands":  # growth of less than one 16-byte block: not reported
        outcome["heap"]["allocated"] = 72
    elif case == "float-round-nan":
        return None  # removed
    return data


@pytest.fixture
def new_run(tmp_path: Path) -> Path:
    path = tmp_path / "new.jsonl"
    lines = []
    for line in MICROBIT_SAMPLE.read_text(encoding="utf-8").splitlines():
        edited = _edit(json.loads(line))
        if edited is not None:
            lines.append(json.dumps(edited))
    added = json.loads(lines[1])
    added["case"] = "int-bitops-new-case"
    lines.append(json.dumps(added))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_changes_are_classified(new_run: Path) -> None:
    comparison = compare_runs(read_results([MICROBIT_SAMPLE]), read_results([new_run]))
    found = {(c.kind, c.case_id) for c in comparison.changes}
    assert found == {
        (ChangeKind.NEW_FAILURE, "int-bitops-bool-operands"),
        (ChangeKind.FIXED, "class-mro-depth-first-class-attr"),
        (ChangeKind.CHANGED_OUTPUT, "int-bitops-shift-by-non-int"),
        (ChangeKind.HEAP_GROWTH, "str-repr-quote-selection"),
        (ChangeKind.REMOVED, "float-round-nan"),
        (ChangeKind.ADDED, "int-bitops-new-case"),
    }
    assert comparison.unchanged == 49 - 5
    [changed] = comparison.of_kind(ChangeKind.CHANGED_OUTPUT)
    assert "exception TypeError" in changed.detail and "unsupported types for <<" in changed.detail
    [grown] = comparison.of_kind(ChangeKind.HEAP_GROWTH)
    assert grown.detail == "allocated 352 -> 512 bytes (+45%)"


def test_heap_threshold_is_a_percentage(new_run: Path) -> None:
    comparison = compare_runs(read_results([MICROBIT_SAMPLE]), read_results([new_run]), heap_threshold=50)
    assert comparison.of_kind(ChangeKind.HEAP_GROWTH) == []


def test_heap_growth_needs_comparable_figures() -> None:
    [old] = [r for r in read_results([MICROBIT_SAMPLE]).records if r.case_id == "str-repr-quote-selection"]
    data = old.to_json()
    data["outcome"]["heap"] = {"kind": "gc", "word_bits": 64, "allocated": 4000, "retained": None}
    assert heap_growth(old, Record.from_json(data), 10) is None, "another word size is not growth"


def test_markdown_for_a_ci_comment(new_run: Path) -> None:
    text = render_markdown(compare_runs(read_results([MICROBIT_SAMPLE]), read_results([new_run])))
    assert text.startswith("# Changes since the baseline\n")
    assert "1 new failure, 1 fixed, 1 changed output, 1 heap growth, 1 added, 1 removed; 44 unchanged" in text
    assert "## New failure (1)\n\n| case | runner | change |\n|---|---|---|\n| `int-bitops-bool-operands` | " \
           "qemu-microbit | pass -> fail (stdout)" in text
    assert "## Fixed (1)" in text and "fail (exception-type) -> pass" in text


def test_cli_prints_and_writes_the_comparison_and_the_changes_page(new_run: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", "--baseline", str(MICROBIT_SAMPLE), str(new_run), "--out", str(tmp_path / "out"),
                 "--html", str(tmp_path / "site")])
    out = capsys.readouterr().out
    assert code == 0
    assert "## New failure (1)" in out
    assert (tmp_path / "out" / "changes.md").read_text(encoding="utf-8") in out
    page = (tmp_path / "site" / "changes.html").read_text(encoding="utf-8")
    assert '<a href="cases/int-bitops-bool-operands.html">int-bitops-bool-operands</a>' in page
    assert "float-round-nan" in page and 'href="cases/float-round-nan.html"' not in page, "removed: no link"
    assert 'href="changes.html"' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
