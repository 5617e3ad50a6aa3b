"""Judging: a pure function from (Case, Outcome) to a Verdict.

No I/O and no knowledge of runners beyond the Outcome's identity; the rules
are the "Pass rule" of cases/README.md, in that order.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum
from typing import Any

from conformance.case import Case, Difference, OutcomeSpec
from conformance.outcome import Outcome, Status


class VerdictKind(str, Enum):
    PASS = "pass"
    SKIP = "skip"
    DOCUMENTED = "documented"  # a documented difference showed: counts as passing
    FAIL = "fail"


class DiffKind(str, Enum):
    STATUS = "status"
    EXC_TYPE = "exception-type"
    EXC_MESSAGE = "exception-message"
    STDOUT = "stdout"
    MEMORY = "memory"


@dataclass(frozen=True)
class Verdict:
    """The judgement of one outcome: its kind, what differed, and a short human diff."""

    kind: VerdictKind
    diff_kind: DiffKind | None = None
    diff: str = ""
    note: str = ""
    missing: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.kind in (VerdictKind.PASS, VerdictKind.DOCUMENTED)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "diff_kind": self.diff_kind.value if self.diff_kind else None,
            "diff": self.diff,
            "note": self.note,
            "missing": list(self.missing),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        diff_kind = data.get("diff_kind")
        return cls(
            kind=VerdictKind(data["kind"]),
            diff_kind=DiffKind(diff_kind) if diff_kind else None,
            diff=str(data.get("diff", "")),
            note=str(data.get("note", "")),
            missing=tuple(data.get("missing", ())),
        )


def missing_capabilities(case: Case, capabilities: frozenset[str]) -> tuple[str, ...]:
    """The capabilities a case requires that a runner lacks, sorted."""
    return tuple(sorted(case.requires - capabilities))


def stdout_diff(expected: str, actual: str) -> str:
    """A short unified diff of two outputs, with a one-line form for one-line outputs."""
    if "\n" not in expected.rstrip("\n") and "\n" not in actual.rstrip("\n"):
        return f"stdout: expected {expected!r}, got {actual!r}"
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True),
        "expected", "actual", lineterm="", n=2,
    )
    body = [line.rstrip("\n") if not line.endswith("\n") or line.strip() else repr(line) for line in lines]
    if len(body) > 40:
        body = [*body[:40], f"... ({len(body) - 40} more diff lines)"]
    return "stdout differs:\n" + "\n".join(body)


def _describe_end(raises: str | None, message: str | None) -> str:
    if raises is None:
        return "normal finish"
    return f"{raises}: {message}" if message is not None else raises


def mismatch(spec: OutcomeSpec, outcome: Outcome) -> tuple[DiffKind, str] | None:
    """The first way ``outcome`` differs from ``spec`` (type, message, stdout), or None."""
    if outcome.status not in (Status.OK, Status.RAISED):
        detail = f" ({outcome.detail.strip().splitlines()[-1]})" if outcome.detail.strip() else ""
        return DiffKind.STATUS, (
            f"status: expected {_describe_end(spec.raises, spec.message)}, got {outcome.status.value}{detail}"
        )
    actual_type = outcome.exc_type if outcome.status is Status.RAISED else None
    if actual_type == "MemoryError" and spec.raises != "MemoryError":
        # A board too small for the case: a memory difference, not a behavioural one.
        return DiffKind.MEMORY, (f"memory: the heap ran out ({outcome.exc_message}); "
                                 f"expected {_describe_end(spec.raises, spec.message)}")
    if spec.raises != actual_type:
        return DiffKind.EXC_TYPE, (
            f"exception: expected {_describe_end(spec.raises, spec.message)}, "
            f"got {_describe_end(actual_type, outcome.exc_message)}"
        )
    if spec.message is not None and spec.raises is not None and spec.message != outcome.exc_message:
        return DiffKind.EXC_MESSAGE, (
            f"message of {spec.raises}: expected {spec.message!r}, got {outcome.exc_message!r}"
        )
    if spec.stdout is not None and spec.stdout != outcome.stdout:
        return DiffKind.STDOUT, stdout_diff(spec.stdout, outcome.stdout)
    return None


def _memory_verdict(case: Case, outcome: Outcome) -> tuple[DiffKind, str] | None:
    if case.memory is None or outcome.heap is None or outcome.heap.kind != "gc":
        return None
    for figure in ("allocated", "retained"):
        limit = case.memory.limit(figure, outcome.heap.word_bits)
        value = getattr(outcome.heap, figure)
        if limit is not None and value is not None and value > limit:
            return DiffKind.MEMORY, (
                f"memory: expected {figure} <= {limit} bytes ({outcome.heap.word_bits}-bit words), got {value}"
            )
    return None


def _documented(difference: Difference, expected: OutcomeSpec, outcome: Outcome) -> bool:
    return mismatch(expected.overlay(difference.outcome), outcome) is None


def compare(case: Case, outcome: Outcome) -> Verdict:
    """Judge one outcome against the case's expectation and documented differences."""
    missing = missing_capabilities(case, outcome.capabilities)
    if missing:
        return Verdict(VerdictKind.SKIP, missing=missing,
                       note=f"{outcome.runner.name} lacks {', '.join(missing)}")
    expected = case.expect.resolve(outcome.capabilities)
    difference = case.difference_for(outcome.runner.implementation, outcome.runner.version, outcome.capabilities)
    found = mismatch(expected, outcome)
    if found is None:
        memory = _memory_verdict(case, outcome)
        if memory is not None:
            return Verdict(VerdictKind.FAIL, memory[0], memory[1])
        note = f"documented difference ({difference.selector.text}) not shown" if difference else ""
        return Verdict(VerdictKind.PASS, note=note)
    if difference is not None and _documented(difference, expected, outcome):
        return Verdict(VerdictKind.DOCUMENTED, found[0], found[1],
                       note=f"{difference.category}: {difference.reason}")
    return Verdict(VerdictKind.FAIL, found[0], found[1])
