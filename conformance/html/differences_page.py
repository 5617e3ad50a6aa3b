"""'Differences from CPython', generated from the cases' documented differences.

Unlike a hand-written page it cannot go stale silently: each entry shows on
which runners the difference still holds and on which it no longer does, and
a difference that no runner shows any more is flagged.
"""

from __future__ import annotations

from itertools import groupby

from conformance.documented import DifferenceState, DifferenceStatus
from conformance.html.layout import case_file, esc, href_to, link
from conformance.html.model import SiteModel

CATEGORY_TITLES = {
    "syntax": "Syntax", "core": "Core language", "builtin-types": "Builtin types", "modules": "Modules",
    "messages": "Exception messages",
}
_STATE_TEXT = {
    DifferenceState.HOLDS: "still holds on",
    DifferenceState.NO_LONGER_HOLDS: "no longer holds on",
    DifferenceState.NEITHER: "neither outcome (a failure) on",
    DifferenceState.SKIPPED: "skipped on",
}


def _outcome_text(outcome: dict[str, object]) -> str:
    return "; ".join("finishes normally" if key == "raises" and value is None else f"{key}: {value!r}"
                     for key, value in outcome.items())


def _expected_text(model: SiteModel, status: DifferenceStatus) -> str:
    """What a conforming MicroPython does for the keys the difference changes (from a MicroPython record)."""
    view = model.cases.get(status.case_id)
    records = list(view.records.values()) if view else []
    records.sort(key=lambda r: r.outcome.runner.implementation != "micropython")
    for record in records:
        if record.expect:
            return _outcome_text({k: v for k, v in record.expect.items() if k in status.difference.outcome})
    return ""


def _entry_html(model: SiteModel, status: DifferenceStatus) -> str:
    diff = status.difference
    expected = _expected_text(model, status)
    states = [f"{_STATE_TEXT[state]} {esc(', '.join(status.runners_in(state)))}"
              for state in DifferenceState if status.runners_in(state)]
    where = "; ".join(states) or "not tested: no runner in these results matches the selector"
    flag = '<p class="flag">No runner shows this difference any more: update or remove it.</p>' \
        if status.stale else ""
    css = "stale" if status.stale else ""
    return (f'<div class="difference {css}"><h4>{link(href_to(case_file(status.case_id)), status.case_id)} '
            f'<span class="small">({esc(diff.selector)})</span></h4>'
            f"<p>{esc(diff.reason)}</p>"
            + (f"<p><b>Workaround:</b> {esc(diff.workaround)}</p>" if diff.workaround else "")
            + (f'<p class="small">MicroPython: <code>{esc(expected)}</code></p>' if expected else "")
            + f'<p class="small">{esc(diff.selector)}: <code>{esc(_outcome_text(diff.outcome))}</code>. '
            f"Case at <code>{esc(status.path)}:{status.line}</code>.</p>"
            f"<p>{where}.</p>{flag}</div>")


def _by_category(model: SiteModel, prefix: str, statuses: list[DifferenceStatus]) -> list[str]:
    parts = []
    for category, group in groupby(statuses, key=lambda s: s.difference.category):
        entries = list(group)
        parts.append(f'<h3 id="{prefix}-{esc(category)}">{esc(CATEGORY_TITLES.get(category, category))} '
                     f'<span class="small">({len(entries)})</span></h3>')
        parts += [_entry_html(model, status) for status in entries]
    return parts


def differences_page(model: SiteModel) -> str:
    """Body of differences.html."""
    statuses = model.differences
    if not statuses:
        return ("<p>No documented differences in these results (results written before format 2 do not "
                "record them; re-run with this suite version).</p>")
    stale = [s for s in statuses if s.stale]
    parts = [f"<p>{len(statuses)} documented differences from the cases, grouped by category. "
             f"{len(stale)} no longer shown by any runner that they apply to.</p>"]
    if stale:
        parts.append("<h2>Flagged: no runner shows these any more</h2><ul>"
                     + "".join(f"<li>{link(href_to(case_file(s.case_id)), s.case_id)} ({esc(s.difference.selector)})"
                               "</li>" for s in stale) + "</ul>")
    sections = (("cpython", "From CPython", [s for s in statuses if s.difference.selector.startswith("cpython")]),
                ("micropython", "Of other MicroPython versions and builds",
                 [s for s in statuses if not s.difference.selector.startswith("cpython")]))
    parts.append("<p>Contents: " + "; ".join(
        f"{esc(title)}: " + ", ".join(
            f'<a href="#{prefix}-{esc(category)}">{esc(CATEGORY_TITLES.get(category, category))}</a>'
            for category in dict.fromkeys(s.difference.category for s in entries))
        for prefix, title, entries in sections if entries) + "</p>")
    for prefix, title, entries in sections:
        if entries:
            parts.append(f'<h2 id="{prefix}">{esc(title)} <span class="small">({len(entries)})</span></h2>')
            parts += _by_category(model, prefix, sorted(entries, key=lambda s: s.difference.category))
    return "\n".join(parts)
