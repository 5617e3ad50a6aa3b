"""conformance.documented: the state of each documented difference on each runner it applies to."""

from __future__ import annotations

from factories import CPYTHON, WASM, make_case

from conformance.case import Case
from conformance.compare import compare
from conformance.documented import DifferenceState, difference_statuses
from conformance.outcome import Outcome, RunnerIdentity, Status
from conformance.results import Record

CASE = make_case(id="msg", code="1 // 0",
                 expect={"raises": "ZeroDivisionError",
                         "by_capability": {"error-detailed": {"message": "divide by zero"}}},
                 differences={"cpython": {"message": "integer division or modulo by zero", "category": "messages",
                                          "reason": "shorter texts save flash"}})


def record(identity: RunnerIdentity, message: str, capabilities: frozenset[str] = frozenset({"error-detailed"}),
           case: Case = CASE) -> Record:
    outcome = Outcome(identity, Status.RAISED, exc_type="ZeroDivisionError", exc_message=message,
                      capabilities=capabilities)
    return Record.of(case, compare(case, outcome), outcome)


def states(*records: Record) -> dict[str, DifferenceState]:
    [status] = difference_statuses(records)
    return status.states


def test_the_documented_outcome_holds() -> None:
    assert states(record(CPYTHON, "integer division or modulo by zero")) == {"cpython": DifferenceState.HOLDS}


def test_meeting_the_main_expectation_means_it_no_longer_holds() -> None:
    [status] = difference_statuses([record(CPYTHON, "divide by zero")])
    assert status.states == {"cpython": DifferenceState.NO_LONGER_HOLDS}
    assert status.stale


def test_a_pass_that_also_shows_the_documented_outcome_still_holds() -> None:
    """Without error-detailed the message is not compared, so the pass does not tell by itself."""
    held = record(CPYTHON, "integer division or modulo by zero", capabilities=frozenset())
    assert held.verdict.kind.value == "pass"
    assert states(held) == {"cpython": DifferenceState.HOLDS}


def test_neither_outcome_is_a_failure_state() -> None:
    assert states(record(CPYTHON, "something else")) == {"cpython": DifferenceState.NEITHER}


def test_runners_the_selector_does_not_match_are_left_out() -> None:
    [status] = difference_statuses([record(WASM, "divide by zero")])
    assert status.states == {} and not status.stale, "not tested is not stale"
    as_json = status.to_json()
    assert (as_json["selector"], as_json["category"], as_json["states"], as_json["stale"]) == (
        "cpython", "messages", {}, False)


def test_a_skip_is_its_own_state_and_not_stale() -> None:
    needs_gc = make_case(id="msg", code="1 // 0", requires=["gc-mem"], expect={"raises": "ZeroDivisionError"},
                         differences={"cpython": {"message": "x", "category": "messages", "reason": "r"}})
    [status] = difference_statuses([record(CPYTHON, "x", case=needs_gc)])
    assert status.states == {"cpython": DifferenceState.SKIPPED} and not status.stale
