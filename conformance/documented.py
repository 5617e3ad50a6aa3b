"""Which documented differences still hold, on which runners, from verdicts only.

A case's documented difference applies to a runner when its selector matched
that runner (recorded as ``Record.difference``). The verdict then tells the
state: ``documented`` means the runner showed the documented outcome (the
difference holds); ``pass`` means it met the main expectation, and then the
difference holds only if the outcome also equals the documented one (when
the expectation leaves the differing key open for that runner, e.g. a message
compared only on ports with detailed errors); otherwise it no longer holds
there (e.g. a newer CPython changed its message). A difference that applies somewhere but holds nowhere is stale: the
documentation should be updated or removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from conformance.case import OutcomeSpec
from conformance.compare import VerdictKind, mismatch
from conformance.results import DocumentedDifference, Record


class DifferenceState(str, Enum):
    HOLDS = "holds"                  # the runner showed the documented outcome
    NO_LONGER_HOLDS = "no-longer-holds"  # the selector applies, but the runner met the main expectation
    NEITHER = "neither"              # the selector applies, but the runner showed something else (a failure)
    SKIPPED = "skipped"              # the runner lacks a capability the case needs


_STATE_OF_VERDICT = {
    VerdictKind.DOCUMENTED: DifferenceState.HOLDS,
    VerdictKind.PASS: DifferenceState.NO_LONGER_HOLDS,
    VerdictKind.FAIL: DifferenceState.NEITHER,
    VerdictKind.SKIP: DifferenceState.SKIPPED,
}


@dataclass(frozen=True)
class DifferenceStatus:
    """One documented difference of one case, with its state on each runner it applies to."""

    case_id: str
    area: str
    path: str
    line: int
    difference: DocumentedDifference
    states: dict[str, DifferenceState] = field(default_factory=dict)

    def runners_in(self, state: DifferenceState) -> list[str]:
        return [runner for runner, found in self.states.items() if found is state]

    @property
    def stale(self) -> bool:
        """Applies to some runner that judged it, yet no runner shows it any more."""
        judged = [s for s in self.states.values() if s is not DifferenceState.SKIPPED]
        return bool(judged) and DifferenceState.HOLDS not in judged

    def to_json(self) -> dict[str, object]:
        return {
            "case": self.case_id, "area": self.area, "path": self.path, "line": self.line,
            **self.difference.to_json(),
            "states": {runner: state.value for runner, state in self.states.items()},
            "stale": self.stale,
        }


def state_on(record: Record, difference: DocumentedDifference) -> DifferenceState:
    """The state of a difference on the runner of ``record`` (whose selector matched it)."""
    state = _STATE_OF_VERDICT[record.verdict.kind]
    if state is DifferenceState.NO_LONGER_HOLDS:
        documented = OutcomeSpec.from_mapping(record.expect).overlay(OutcomeSpec.from_mapping(difference.outcome))
        if mismatch(documented, record.outcome) is None:
            return DifferenceState.HOLDS
    return state


def difference_statuses(records: Iterable[Record]) -> list[DifferenceStatus]:
    """Every documented difference found in the records, in category, area and case order."""
    found: dict[tuple[str, str], DifferenceStatus] = {}
    for record in records:
        for difference in record.differences:
            key = (record.case_id, difference.selector)
            if key not in found:
                found[key] = DifferenceStatus(record.case_id, record.area, record.path, record.line, difference)
            if record.difference == difference.selector:
                found[key].states[record.runner] = state_on(record, difference)
    return sorted(found.values(), key=lambda s: (s.difference.category, s.area, s.case_id, s.difference.selector))
