"""Compatibility reports (JSON and Markdown) built from verdicts only.

Input is ``RunResults`` read from results.jsonl, never live runners, so any
saved run can be re-reported. The JSON layout is documented by the JSON
Schema conformance/schema/report.schema.json and versioned by REPORT_FORMAT
(2 added ``runs``, ``differences`` and ``problems``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from conformance.compare import VerdictKind
from conformance.documented import difference_statuses
from conformance.results import Record, RunResults

REPORT_FORMAT = 2
_KINDS = ("pass", "documented", "fail", "skip")


@dataclass(frozen=True)
class Cell:
    """Counts of one area x runner cell."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def judged(self) -> int:
        return self.total - self.counts.get("skip", 0)

    @property
    def passing(self) -> int:
        return self.counts.get("pass", 0) + self.counts.get("documented", 0)

    def percent(self) -> float | None:
        return None if self.judged == 0 else 100.0 * self.passing / self.judged


def _runners_in_order(records: list[Record]) -> list[str]:
    order: dict[str, None] = {}
    for record in records:
        order.setdefault(record.runner, None)
    return list(order)


def matrix(records: list[Record]) -> dict[str, dict[str, Cell]]:
    """area -> runner -> Cell."""
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(_KINDS, 0)))
    for record in records:
        counts[record.area][record.runner][record.verdict.kind.value] += 1
    return {area: {runner: Cell(c) for runner, c in by_runner.items()} for area, by_runner in sorted(counts.items())}


def runner_identities(records: list[Record]) -> dict[str, dict[str, object]]:
    """The identity (implementation, version, word size, details) of each runner seen."""
    found: dict[str, dict[str, object]] = {}
    for record in records:
        found.setdefault(record.runner, {**record.outcome.runner.to_json(),
                                         "capabilities": sorted(record.outcome.capabilities)})
    return found


def build_report(results: RunResults) -> dict[str, object]:
    """The report.json document."""
    records = results.records
    runners = _runners_in_order(records)
    table = matrix(records)
    totals = {runner: dict.fromkeys(_KINDS, 0) for runner in runners}
    for by_runner in table.values():
        for runner, cell in by_runner.items():
            for kind, number in cell.counts.items():
                totals[runner][kind] += number
    failures = [
        {"case": r.case_id, "path": r.path, "line": r.line, "area": r.area, "runner": r.runner,
         "kind": r.verdict.diff_kind.value if r.verdict.diff_kind else None, "diff": r.verdict.diff}
        for r in records if r.verdict.kind is VerdictKind.FAIL
    ]
    return {
        "format": REPORT_FORMAT,
        "provenance": results.headers[0] if results.headers else {},
        "runs": results.headers,
        "runners": runner_identities(records),
        "runner_order": runners,
        "totals": totals,
        "matrix": {area: {runner: cell.counts for runner, cell in by_runner.items()}
                   for area, by_runner in table.items()},
        "failures": failures,
        "differences": [status.to_json() for status in difference_statuses(records)],
        "truncated": results.truncated,
        "problems": [str(problem) for problem in results.problems],
    }


def _cell_text(counts: dict[str, int] | None) -> str:
    if not counts:
        return "-"
    cell = Cell(counts)
    percent = cell.percent()
    text = f"{cell.passing}/{cell.judged}" + (f" ({percent:.0f}%)" if percent is not None else "")
    extras = []
    if counts.get("documented"):
        extras.append(f"{counts['documented']} doc")
    if counts.get("skip"):
        extras.append(f"{counts['skip']} skip")
    return text + (f", {', '.join(extras)}" if extras else "")


def render_markdown(report: dict[str, object]) -> str:
    """The report.md text: provenance, the area x runner matrix, and the failures."""
    runners: list[str] = report["runner_order"]  # type: ignore[assignment]
    identities: dict[str, dict[str, object]] = report["runners"]  # type: ignore[assignment]
    provenance: dict[str, object] = report["provenance"]  # type: ignore[assignment]
    lines = ["# MicroPython conformance report", ""]
    if provenance:
        lines.append(f"Suite {provenance.get('suite_version', '?')} (commit {provenance.get('commit', '?')}), "
                     f"run {provenance.get('started', '?')}.")
        lines.append("")
    lines += ["| runner | implementation | version | word | details |", "|---|---|---|---|---|"]
    for name in runners:
        ident = identities[name]
        lines.append(f"| {name} | {ident['implementation']} | {ident['version']} | "
                     f"{ident['word_bits']}-bit | {ident['details']} |")
    lines += ["", "Cells: passing/judged (percent), with documented differences (doc) counted as passing "
              "and skips (missing capability) not judged.", ""]
    lines.append("| area | " + " | ".join(runners) + " |")
    lines.append("|---|" + "---|" * len(runners))
    table: dict[str, dict[str, dict[str, int]]] = report["matrix"]  # type: ignore[assignment]
    for area, by_runner in table.items():
        lines.append(f"| {area} | " + " | ".join(_cell_text(by_runner.get(r)) for r in runners) + " |")
    totals: dict[str, dict[str, int]] = report["totals"]  # type: ignore[assignment]
    lines.append("| **total** | " + " | ".join(f"**{_cell_text(totals[r])}**" for r in runners) + " |")
    failures: list[dict[str, object]] = report["failures"]  # type: ignore[assignment]
    lines += ["", f"## Failures ({len(failures)})", ""]
    if not failures:
        lines.append("None.")
    for failure in failures:
        lines.append(f"### `{failure['case']}` on {failure['runner']} ({failure['kind']})")
        lines.append(f"{failure['path']}:{failure['line']}")
        lines += ["", "```", str(failure["diff"]), "```", ""]
    if report.get("truncated"):
        lines += ["", "_The results file ended with a truncated line: the run was interrupted._"]
    return "\n".join(lines) + "\n"
