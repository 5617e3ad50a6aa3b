"""What the pages show, gathered once from the records.

Pages read this model, never the records directly, so each page is a plain
function of the model and stays small.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.compare import VerdictKind
from conformance.documented import DifferenceStatus, difference_statuses
from conformance.report import Cell, matrix
from conformance.results import DocumentedDifference, Record, RunResults


@dataclass
class CaseView:
    """One case with its record on each runner that ran it."""

    case_id: str
    area: str
    path: str
    line: int
    tags: tuple[str, ...]
    code: str
    records: dict[str, Record] = field(default_factory=dict)

    @property
    def differences(self) -> tuple[DocumentedDifference, ...]:
        for record in self.records.values():
            if record.differences:
                return record.differences
        return ()

    @property
    def failed(self) -> bool:
        return any(r.verdict.kind is VerdictKind.FAIL for r in self.records.values())


@dataclass(frozen=True)
class RunnerView:
    """A runner's identity and capability profile, as the report states it."""

    name: str
    implementation: str
    version: str
    word_bits: int
    details: str
    capabilities: tuple[str, ...]


@dataclass
class SiteModel:
    """Everything the pages need, keyed for quick lookup."""

    headers: list[dict[str, object]]
    runners: list[RunnerView]
    cases: dict[str, CaseView]
    areas: dict[str, list[CaseView]]
    matrix: dict[str, dict[str, Cell]]
    differences: list[DifferenceStatus]
    problems: list[str]
    truncated: bool
    duplicates: int = 0

    @property
    def runner_names(self) -> list[str]:
        return [runner.name for runner in self.runners]

    def totals(self, runner: str) -> Cell:
        counts = dict.fromkeys(("pass", "documented", "fail", "skip"), 0)
        for by_runner in self.matrix.values():
            cell = by_runner.get(runner)
            if cell is not None:
                for kind, number in cell.counts.items():
                    counts[kind] += number
        return Cell(counts)


def _runner_views(results: RunResults) -> list[RunnerView]:
    declared_capabilities: dict[str, tuple[str, ...]] = {}
    for header in results.headers:
        declared = header.get("runner_profiles")
        for name, profile in declared.items() if isinstance(declared, dict) else ():
            if isinstance(profile, dict):
                declared_capabilities[name] = tuple(map(str, profile.get("capabilities", ())))
    views: dict[str, RunnerView] = {}
    for record in results.records:
        if record.runner in views:
            continue
        ident = record.outcome.runner
        capabilities = tuple(sorted(record.outcome.capabilities)) or declared_capabilities.get(record.runner, ())
        views[record.runner] = RunnerView(ident.name, ident.implementation, ident.version, ident.word_bits,
                                          ident.details, capabilities)
    return list(views.values())


def build_model(results: RunResults) -> SiteModel:
    """Index the records by case and area; a later record of the same case and runner replaces an earlier one."""
    cases: dict[str, CaseView] = {}
    duplicates = 0
    for record in results.records:
        view = cases.get(record.case_id)
        if view is None:
            view = cases[record.case_id] = CaseView(record.case_id, record.area, record.path, record.line,
                                                    record.tags, record.code)
        if record.runner in view.records:
            duplicates += 1
        view.records[record.runner] = record
        if not view.code and record.code:
            view.code = record.code
    kept = [record for view in cases.values() for record in view.records.values()]
    areas: dict[str, list[CaseView]] = {}
    for view in cases.values():
        areas.setdefault(view.area, []).append(view)
    return SiteModel(
        headers=results.headers,
        runners=_runner_views(results),
        cases=cases,
        areas=dict(sorted(areas.items())),
        matrix=matrix(kept),
        differences=difference_statuses(kept),
        problems=[str(problem) for problem in results.problems],
        truncated=results.truncated,
        duplicates=duplicates,
    )
