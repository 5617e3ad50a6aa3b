"""Heap use per case, compared only across runners whose figures are comparable.

Figures of different kinds (MicroPython GC heap vs CPython tracemalloc) or
word sizes (16- vs 32-byte heap blocks) are never put side by side. Within a
group, the cases where runners disagree most come first: those are where a
port's memory behaviour differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.html.layout import bytes_text, case_file, esc, href_to, link
from conformance.html.model import CaseView, SiteModel
from conformance.html.svg import grouped_bar_chart

TABLE_ROWS = 300
CHART_ROWS = 15


@dataclass(frozen=True)
class HeapRow:
    """One case's allocated bytes on each runner of a group (None: no figure)."""

    case: CaseView
    figures: list[int | None]

    @property
    def spread(self) -> int:
        """How far the runners disagree; for a single runner, the figure itself."""
        present = [f for f in self.figures if f is not None]
        if not present:
            return 0
        return max(present) - min(present) if len(present) > 1 else present[0]


def heap_groups(model: SiteModel) -> dict[tuple[str, int], list[str]]:
    """(heap kind, word bits) -> runners reporting such figures, in report order."""
    groups: dict[tuple[str, int], list[str]] = {}
    for runner in model.runner_names:
        kinds = {(r.outcome.heap.kind, r.outcome.heap.word_bits) for view in model.cases.values()
                 if (r := view.records.get(runner)) is not None and r.outcome.heap is not None}
        for key in sorted(kinds):
            groups.setdefault(key, []).append(runner)
    # MicroPython's GC heap first (what ports are compared on), then by word size.
    return dict(sorted(groups.items(), key=lambda item: (item[0][0] != "gc", item[0][1])))


def _figure(view: CaseView, runner: str, key: tuple[str, int]) -> int | None:
    record = view.records.get(runner)
    heap = record.outcome.heap if record is not None else None
    if heap is None or (heap.kind, heap.word_bits) != key:
        return None
    return heap.allocated


def outlier_rows(model: SiteModel, key: tuple[str, int], runners: list[str]) -> list[HeapRow]:
    """Cases with a figure on some runner of the group, largest disagreement first."""
    rows = [HeapRow(view, [_figure(view, r, key) for r in runners]) for view in model.cases.values()]
    rows = [row for row in rows if any(f is not None for f in row.figures)]
    return sorted(rows, key=lambda row: (-row.spread, row.case.case_id))


def _group_html(model: SiteModel, key: tuple[str, int], runners: list[str]) -> str:
    kind, bits = key
    rows = outlier_rows(model, key, runners)
    order = "largest difference between runners" if len(runners) > 1 else "largest figure"
    parts = [f"<h2>{esc(kind)} heap, {bits}-bit words: {esc(', '.join(runners))}</h2>",
             f"<p>{len(rows)} cases with figures; ordered by {order}. Bytes allocated by the case "
             "(collection paused), corrected by the runner's empty-case baseline.</p>",
             grouped_bar_chart([(row.case.case_id, row.figures) for row in rows[:CHART_ROWS]], runners),
             '<table class="memory"><tr><th>case</th><th>area</th>'
             + "".join(f'<th class="num runner">{esc(r)}</th>' for r in runners)
             + ('<th class="num">spread</th>' if len(runners) > 1 else "") + "</tr>"]
    for row in rows[:TABLE_ROWS]:
        parts.append(f"<tr><td>{link(href_to(case_file(row.case.case_id)), row.case.case_id)}</td>"
                     f"<td>{esc(row.case.area)}</td>"
                     + "".join(f'<td class="num">{bytes_text(f)}</td>' for f in row.figures)
                     + (f'<td class="num">{bytes_text(row.spread)}</td>' if len(runners) > 1 else "") + "</tr>")
    parts.append("</table>")
    if len(rows) > TABLE_ROWS:
        parts.append(f'<p class="small">{len(rows) - TABLE_ROWS} further cases with smaller figures are not '
                     "listed; every figure is in results.jsonl and on each case page.</p>")
    return "\n".join(parts)


def memory_page(model: SiteModel) -> str:
    """Body of memory.html: one section per comparable group of runners."""
    groups = heap_groups(model)
    if not groups:
        return "<p>No runner in these results reported heap figures.</p>"
    intro = ("<p>Figures are compared only between runners of the same heap kind and word size: "
             "MicroPython's GC heap uses 16-byte blocks on 32-bit ports and 32-byte blocks on 64-bit ports, "
             "and CPython's tracemalloc figures measure something else again.</p>")
    return intro + "\n".join(_group_html(model, key, runners) for key, runners in groups.items())
