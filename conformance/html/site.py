"""Writes the whole site into a folder: every page, the stylesheet, nothing else."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from conformance.baseline import Comparison
from conformance.documented import DifferenceStatus
from conformance.html.case_page import case_page
from conformance.html.changes_page import changes_page
from conformance.html.differences_page import differences_page
from conformance.html.layout import CSS, STYLESHEET, area_file, case_file, page
from conformance.html.matrix_pages import area_page, index_page
from conformance.html.memory_page import memory_page
from conformance.html.model import build_model
from conformance.results import RunResults


@dataclass(frozen=True)
class SiteSummary:
    """What was written, and how long rendering took (for the benchmark and the CLI)."""

    root: Path
    pages: int
    seconds: float

    @property
    def index(self) -> Path:
        return self.root / "index.html"


def build_site(results: RunResults, out: Path, comparison: Comparison | None = None) -> SiteSummary:
    """Render ``results`` (and optionally a baseline comparison) as static pages under ``out``."""
    start = time.perf_counter()
    model = build_model(results)
    changes = comparison is not None
    (out / "areas").mkdir(parents=True, exist_ok=True)
    (out / "cases").mkdir(exist_ok=True)
    written: set[Path] = set()

    def write(relative: str, title: str, body: str, current: str = "") -> None:
        depth = relative.count("/")
        (out / relative).write_text(page(title, body, depth, current, changes), encoding="utf-8")
        written.add(out / relative)

    (out / STYLESHEET).write_text(CSS.lstrip(), encoding="utf-8")
    write("index.html", "MicroPython conformance report", index_page(model), "index.html")
    for area in model.areas:
        write(area_file(area), f"Area {area}", area_page(model, area))
    by_case: dict[str, list[DifferenceStatus]] = {}
    for status in model.differences:
        by_case.setdefault(status.case_id, []).append(status)
    for view in model.cases.values():
        body = case_page(model, view, by_case.get(view.case_id, []))
        write(case_file(view.case_id), f"Case {view.case_id}", body)
    write("memory.html", "Heap use per case", memory_page(model), "memory.html")
    write("differences.html", "Differences from CPython", differences_page(model), "differences.html")
    if comparison is not None:
        write("changes.html", "Changes since the baseline", changes_page(comparison, set(model.cases)),
              "changes.html")
    _remove_stale_pages(out, written)
    return SiteSummary(out, len(written), time.perf_counter() - start)


def _remove_stale_pages(out: Path, written: set[Path]) -> None:
    """Pages of an earlier build into the same folder that this build did not write (a case since
    removed, a comparison not asked for again), so nothing on disk contradicts the index."""
    for leftover in [*(out / "areas").glob("*.html"), *(out / "cases").glob("*.html"), out / "changes.html"]:
        if leftover.is_file() and leftover not in written:
            leftover.unlink()
