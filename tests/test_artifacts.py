"""conformance.artifacts: a repro pair per failing case x runner."""

from __future__ import annotations

import json
from pathlib import Path

from factories import WASM, make_case

from conformance.artifacts import save_failure
from conformance.compare import compare
from conformance.outcome import Outcome, Status
from conformance.results import Record


def test_save_failure(tmp_path: Path) -> None:
    case = make_case(id="floordiv", code="print(7 // 2)\n", expect={"stdout": "4\n"})
    outcome = Outcome(WASM, Status.OK, "3\n")
    record = Record.of(case, compare(case, outcome), outcome)
    program = save_failure(tmp_path / "art", case, record)
    assert program == tmp_path / "art" / "floordiv.wasm.py"
    assert program.read_text(encoding="utf-8") == "print(7 // 2)\n"
    saved = json.loads((tmp_path / "art" / "floordiv.wasm.fail.json").read_text(encoding="utf-8"))
    assert Record.from_json(saved) == record
