"""What changed between two runs: new failures, fixes, changed outputs, heap growth.

Records are matched by (case id, runner). Both runs are read from their
results files only, so two firmware builds can be compared long after they ran.
The Markdown form is meant for a CI comment; the HTML site shows the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from conformance.compare import VerdictKind
from conformance.results import Record, RunResults

DEFAULT_HEAP_THRESHOLD = 10.0  # percent


class ChangeKind(str, Enum):
    NEW_FAILURE = "new failure"
    FIXED = "fixed"
    CHANGED_OUTPUT = "changed output"
    HEAP_GROWTH = "heap growth"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class Change:
    """One case on one runner that differs between the baseline and the new run."""

    kind: ChangeKind
    case_id: str
    runner: str
    area: str
    detail: str
    old: Record | None = None
    new: Record | None = None


@dataclass
class Comparison:
    """All changes, with the provenance of both runs."""

    old_headers: list[dict[str, object]]
    new_headers: list[dict[str, object]]
    heap_threshold: float
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def of_kind(self, kind: ChangeKind) -> list[Change]:
        return [change for change in self.changes if change.kind is kind]


def _index(results: RunResults) -> dict[tuple[str, str], Record]:
    return {(record.case_id, record.runner): record for record in results.records}


def _behaviour(record: Record) -> tuple[object, ...]:
    outcome = record.outcome
    return outcome.status, outcome.stdout, outcome.exc_type, outcome.exc_message


def _describe(record: Record) -> str:
    verdict = record.verdict
    if verdict.kind is VerdictKind.FAIL:
        return f"fail ({verdict.diff_kind.value if verdict.diff_kind else '?'})"
    return verdict.kind.value


def _output_change(old: Record, new: Record) -> str:
    before, after = old.outcome, new.outcome
    if before.status != after.status:
        return f"status {before.status.value} -> {after.status.value}"
    if (before.exc_type, before.exc_message) != (after.exc_type, after.exc_message):
        return f"exception {before.exc_type}: {before.exc_message!r} -> {after.exc_type}: {after.exc_message!r}"
    return f"stdout {before.stdout!r} -> {after.stdout!r}"


def heap_growth(old: Record, new: Record, threshold: float) -> str | None:
    """A description when the allocated figure grew by more than ``threshold`` percent and one heap block."""
    before, after = old.outcome.heap, new.outcome.heap
    if before is None or after is None or (before.kind, before.word_bits) != (after.kind, after.word_bits):
        return None
    if before.allocated is None or after.allocated is None:
        return None
    block = after.word_bits // 2 if after.kind == "gc" else 1  # 16-byte blocks on 32-bit ports, 32 on 64-bit
    grown = after.allocated - before.allocated
    if grown >= block and grown > before.allocated * threshold / 100:
        share = f"+{100 * grown / before.allocated:.0f}%" if before.allocated else "from 0"
        return f"allocated {before.allocated:,} -> {after.allocated:,} bytes ({share})"
    return None


def _change(key: tuple[str, str], old: Record | None, new: Record | None, threshold: float) -> Change | None:
    case_id, runner = key
    area = (new or old).area  # type: ignore[union-attr]
    if old is None or new is None:
        kind = ChangeKind.ADDED if old is None else ChangeKind.REMOVED
        return Change(kind, case_id, runner, area, _describe(new or old), old, new)  # type: ignore[arg-type]
    was_failing, is_failing = old.verdict.kind is VerdictKind.FAIL, new.verdict.kind is VerdictKind.FAIL
    if is_failing and not was_failing:
        return Change(ChangeKind.NEW_FAILURE, case_id, runner, area,
                      f"{_describe(old)} -> {_describe(new)}: {new.verdict.diff}", old, new)
    if was_failing and not is_failing:
        return Change(ChangeKind.FIXED, case_id, runner, area, f"{_describe(old)} -> {_describe(new)}", old, new)
    if _behaviour(old) != _behaviour(new) and VerdictKind.SKIP not in (old.verdict.kind, new.verdict.kind):
        verdicts = f"{_describe(old)} -> {_describe(new)}; " if _describe(old) != _describe(new) else ""
        return Change(ChangeKind.CHANGED_OUTPUT, case_id, runner, area, verdicts + _output_change(old, new),
                      old, new)
    grown = heap_growth(old, new, threshold)
    if grown is not None:
        return Change(ChangeKind.HEAP_GROWTH, case_id, runner, area, grown, old, new)
    return None


def compare_runs(old: RunResults, new: RunResults, heap_threshold: float = DEFAULT_HEAP_THRESHOLD) -> Comparison:
    """Every change from ``old`` to ``new``, in the new run's order (removed cases last)."""
    before, after = _index(old), _index(new)
    comparison = Comparison(old.headers, new.headers, heap_threshold)
    for key in [*after, *(k for k in before if k not in after)]:
        change = _change(key, before.get(key), after.get(key), heap_threshold)
        if change is None:
            comparison.unchanged += 1
        else:
            comparison.changes.append(change)
    return comparison


def _run_name(headers: list[dict[str, object]]) -> str:
    if not headers:
        return "unknown run"
    return "; ".join(f"commit {h.get('commit', '?')}, {h.get('started', '?')}" for h in headers)


def render_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown, for a CI comment."""
    counts = ", ".join(f"{len(comparison.of_kind(kind))} {kind.value}" for kind in ChangeKind)
    lines = ["# Changes since the baseline", "",
             f"Baseline: {_run_name(comparison.old_headers)}. New: {_run_name(comparison.new_headers)}.", "",
             f"{counts}; {comparison.unchanged} unchanged. Heap growth threshold: "
             f"{comparison.heap_threshold:g}% and at least one heap block.", ""]
    for kind in ChangeKind:
        changes = comparison.of_kind(kind)
        if not changes:
            continue
        lines += [f"## {kind.value.capitalize()} ({len(changes)})", "", "| case | runner | change |",
                  "|---|---|---|"]
        lines += [f"| `{c.case_id}` | {c.runner} | {_cell(c.detail)} |" for c in changes]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _cell(text: str) -> str:
    """Markdown table cell text: one line, pipes escaped, long diffs shortened."""
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= 200 else flat[:199] + "\u2026"
