"""One page per case: the code, the expectation, and every runner's outcome side by side."""

from __future__ import annotations

from conformance.documented import DifferenceStatus
from conformance.html.layout import area_file, bytes_text, esc, href_to, link, verdict_label
from conformance.html.model import CaseView, SiteModel
from conformance.html.textdiff import diff_html
from conformance.results import Record


def code_html(code: str) -> str:
    """The program with line numbers (traceback line numbers refer to these)."""
    if not code:
        return "<p>The results do not carry the code (recorded before results format 2).</p>"
    rows = "".join(f'<tr><td class="ln">{n}</td><td class="src"><pre>{esc(text) or " "}</pre></td></tr>'
                   for n, text in enumerate(code.splitlines(), start=1))
    return f'<table class="code">{rows}</table>'


def expect_html(expect: dict[str, object]) -> str:
    """stdout / raises / message of an expectation, or a note when none was recorded."""
    if not expect:
        return '<span class="small">not recorded</span>'
    parts = []
    if "stdout" in expect:
        parts.append(f"<b>stdout</b><pre>{esc(expect['stdout'])}</pre>")
    if "raises" in expect:
        raised = expect["raises"]
        parts.append(f"<b>raises</b> <code>{esc(raised) if raised else 'nothing (finishes normally)'}</code>")
    if "message" in expect:
        parts.append(f"<br><b>message</b> <code>{esc(expect['message'])}</code>")
    return "".join(parts)


def _outcome_html(record: Record) -> str:
    outcome = record.outcome
    parts = [f"<b>status</b> {esc(outcome.status.value)}", f"<b>stdout</b><pre>{esc(outcome.stdout)}</pre>"]
    if outcome.exc_type:
        where = (f" at line {', '.join(map(str, outcome.traceback_lines))}" if outcome.traceback_lines else "")
        parts.append(f"<b>exception</b> <code>{esc(outcome.exc_type)}: {esc(outcome.exc_message or '')}</code>"
                     f"{esc(where)}")
    if outcome.detail:
        parts.append(f'<details><summary>detail</summary><pre>{esc(outcome.detail)}</pre></details>')
    return "<br>".join(parts)


def _diff_html(record: Record) -> str:
    expected = record.expect.get("stdout")
    parts = []
    if isinstance(expected, str):
        stdout_diff = diff_html(expected, record.outcome.stdout)
        if stdout_diff:
            parts.append(stdout_diff)
    if record.verdict.diff and not parts:
        parts.append(f"<pre>{esc(record.verdict.diff)}</pre>")
    if record.verdict.note:
        parts.append(f'<span class="small">{esc(record.verdict.note)}</span>')
    return "".join(parts) or '<span class="small">as expected</span>'


def _heap_html(record: Record) -> str:
    heap = record.outcome.heap
    if heap is None:
        return '<span class="small">no figures</span>'
    return (f"allocated {bytes_text(heap.allocated)}<br>retained {bytes_text(heap.retained)}"
            f'<br><span class="small">{esc(heap.kind)}, {heap.word_bits}-bit</span>')


_ROWS = (
    ("verdict", lambda r: f'<span class="v-{r.verdict.kind.value}">{esc(verdict_label(r))}</span>'),
    ("expected", lambda r: expect_html(r.expect)),
    ("outcome", _outcome_html),
    ("diff against the expectation", _diff_html),
    ("heap", _heap_html),
    ("duration", lambda r: f"{r.outcome.duration * 1000:.1f} ms"),
)


def _differences_html(statuses: list[DifferenceStatus]) -> str:
    if not statuses:
        return ""
    items = []
    for status in statuses:
        diff = status.difference
        states = ", ".join(f"{runner}: {state.value}" for runner, state in status.states.items()) or \
            "no runner in these results matches the selector"
        flag = ' <span class="flag">no runner shows it any more</span>' if status.stale else ""
        items.append(f"<li><code>{esc(diff.selector)}</code> ({esc(diff.category)}): {esc(diff.reason)}"
                     + (f"<br>Workaround: {esc(diff.workaround)}" if diff.workaround else "")
                     + f"<br>Shows instead: <code>{esc(diff.outcome)}</code><br>"
                     f'<span class="small">{esc(states)}</span>{flag}</li>')
    return "<h2>Documented differences</h2><ul>" + "".join(items) + "</ul>"


def case_page(model: SiteModel, view: CaseView, statuses: list[DifferenceStatus]) -> str:
    """Body of cases/<id>.html."""
    names = [n for n in model.runner_names if n in view.records]
    area = link(href_to(area_file(view.area), depth=1), view.area)
    tags = f", tags: {esc(', '.join(view.tags))}" if view.tags else ""
    head = f"<p><code>{esc(view.path)}:{view.line}</code>, area {area}{tags}</p>"
    table = ['<table class="sidebyside" id="outcomes"><tr><th></th>'
             + "".join(f'<th class="runner">{esc(n)}<br><span class="small">'
                       f"{esc(view.records[n].outcome.runner.implementation)} "
                       f"{esc(view.records[n].outcome.runner.version)}</span></th>" for n in names) + "</tr>"]
    for label, render in _ROWS:
        table.append(f"<tr><th>{esc(label)}</th>" + "".join(f"<td>{render(view.records[n])}</td>" for n in names)
                     + "</tr>")
    table.append("</table>")
    return "\n".join([head, "<h2>Code</h2>", code_html(view.code), "<h2>Outcomes</h2>", *table,
                      _differences_html(statuses)])
