"""The index (provenance, headlines, area x runner matrix) and one page per area."""

from __future__ import annotations

from collections import Counter

from conformance.compare import VerdictKind
from conformance.html.layout import area_file, case_file, esc, href_to, link, percent_style, plural, verdict_cell
from conformance.html.model import SiteModel
from conformance.report import Cell


def _cell_html(cell: Cell | None, href: str) -> str:
    if cell is None or cell.total == 0:
        return '<td class="cell v-none">-</td>'
    percent = cell.percent()
    counts = cell.counts
    share = f"{percent:.0f}%" if percent is not None else "n/a"
    extras = [f"{counts[k]} {label}" for k, label in (("fail", "fail"), ("documented", "doc"), ("skip", "skip"))
              if counts.get(k)]
    return (f'<td class="cell num" style="{percent_style(cell)}"><a href="{esc(href)}">'
            f"<b>{share}</b> {cell.passing}/{cell.judged}"
            f'<br><span class="small">{esc(", ".join(extras))}</span></a></td>')


def _provenance_html(model: SiteModel) -> str:
    rows = []
    for header in model.headers:
        names = header.get("runners")
        runs = ", ".join(map(str, names)) if isinstance(names, list) else ""
        rows.append(f"<tr><td>{esc(header.get('suite_version', '?'))}</td><td><code>"
                    f"{esc(header.get('commit', '?'))}</code></td><td>{esc(header.get('started', '?'))}</td>"
                    f"<td>{esc(runs)}</td><td>{esc(header.get('host', ''))}</td></tr>")
    if not rows:
        return "<p>No provenance header in the results (an old or hand-made file).</p>"
    return ("<table><tr><th>suite</th><th>commit</th><th>run started (UTC)</th><th>runners</th>"
            "<th>host</th></tr>" + "".join(rows) + "</table>")


def _runners_html(model: SiteModel) -> str:
    rows = []
    for runner in model.runners:
        capabilities = ", ".join(runner.capabilities) or "none recorded"
        rows.append(f"<tr><th>{esc(runner.name)}</th><td>{esc(runner.implementation)}</td><td>"
                    f"{esc(runner.version)}</td><td class=\"num\">{runner.word_bits}-bit</td>"
                    f"<td>{esc(runner.details)}</td><td><details><summary>{len(runner.capabilities)} capabilities"
                    f"</summary><span class=\"small\">{esc(capabilities)}</span></details></td></tr>")
    return ("<table><tr><th>runner</th><th>implementation</th><th>version</th><th>word</th><th>details</th>"
            "<th>capability profile</th></tr>" + "".join(rows) + "</table>")


def headline(model: SiteModel, runner: str) -> str:
    """One sentence per runner: share passing, failures by kind, documented differences, skips."""
    total = model.totals(runner)
    percent = total.percent()
    kinds = Counter(r.verdict.diff_kind.value for view in model.cases.values()
                    if (r := view.records.get(runner)) is not None and r.verdict.kind is VerdictKind.FAIL
                    and r.verdict.diff_kind is not None)
    failing = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) or "none"
    share = f"{percent:.1f}%" if percent is not None else "n/a"
    return (f"<b>{esc(runner)}</b>: {share} of judged cases pass ({total.passing}/{total.judged}); "
            f"{plural(total.counts.get('fail', 0), 'failure')} ({esc(failing)}); "
            f"{plural(total.counts.get('documented', 0), 'documented difference')}; "
            f"{total.counts.get('skip', 0)} skipped for missing capabilities.")


def index_page(model: SiteModel) -> str:
    """Body of index.html."""
    names = model.runner_names
    parts = []
    for problem in model.problems:
        parts.append(f'<p class="problem">Skipped while reading: {esc(problem)}</p>')
    if model.truncated:
        parts.append('<p class="problem">A results file ends with a truncated line: that run was interrupted.</p>')
    parts += ["<h2>Headlines</h2>"] + [f'<p class="headline">{headline(model, n)}</p>' for n in names]
    parts += ["<h2>Area x runner</h2>",
              '<p class="small">Cells: share of judged cases passing (documented differences count as passing; '
              "skips for a missing capability are not judged). Each cell opens the area.</p>",
              '<table id="matrix"><tr><th>area</th><th class="num">cases</th>'
              + "".join(f'<th class="runner">{esc(n)}</th>' for n in names) + "</tr>"]
    for area, by_runner in model.matrix.items():
        count = len(model.areas.get(area, ()))
        parts.append(f'<tr class="area"><th>{link(href_to(area_file(area)), area)}</th><td class="num">{count}</td>'
                     + "".join(_cell_html(by_runner.get(n), href_to(area_file(area))) for n in names) + "</tr>")
    parts.append(f'<tr class="total"><th>total</th><td class="num">{len(model.cases)}</td>'
                 + "".join(_cell_html(model.totals(n), "#matrix") for n in names) + "</tr></table>")
    parts += ["<h2>Runners</h2>", _runners_html(model), "<h2>Provenance</h2>", _provenance_html(model)]
    return "\n".join(parts)


def area_page(model: SiteModel, area: str) -> str:
    """Body of areas/<area>.html: one row per case, one cell per runner."""
    names = model.runner_names
    views = model.areas[area]
    rows = ['<table id="cases"><tr><th>case</th>' + "".join(f'<th class="runner">{esc(n)}</th>' for n in names)
            + "</tr>"]
    for view in sorted(views, key=lambda v: (not v.failed, v.path, v.line)):
        href = href_to(case_file(view.case_id), depth=1)
        rows.append(f'<tr><th>{link(href, view.case_id)}<br><span class="small">{esc(view.path)}:{view.line}'
                    "</span></th>" + "".join(verdict_cell(view.records.get(n), href) for n in names) + "</tr>")
    rows.append("</table>")
    failing = sum(view.failed for view in views)
    return (f"<p>{len(views)} cases, {failing} failing on at least one runner (listed first). "
            "Each cell opens the case.</p>\n" + "\n".join(rows))
