"""changes.html: the baseline comparison, as a table per kind of change."""

from __future__ import annotations

from conformance.baseline import ChangeKind, Comparison
from conformance.html.layout import case_file, esc, href_to, link


def changes_page(comparison: Comparison, known_cases: set[str]) -> str:
    """Body of changes.html; case links only for cases present in the new run."""
    counts = ", ".join(f"{len(comparison.of_kind(kind))} {esc(kind.value)}" for kind in ChangeKind)
    parts = [f"<p>{counts}; {comparison.unchanged} unchanged (case x runner). Heap growth means more than "
             f"{comparison.heap_threshold:g}% and at least one heap block.</p>"]
    for kind in ChangeKind:
        changes = comparison.of_kind(kind)
        if not changes:
            continue
        parts.append(f'<h2 id="{esc(kind.name.lower())}">{esc(kind.value.capitalize())} ({len(changes)})</h2>'
                     '<table class="changes"><tr><th>case</th><th>runner</th><th>change</th></tr>')
        for change in changes:
            name = (link(href_to(case_file(change.case_id)), change.case_id) if change.case_id in known_cases
                    else esc(change.case_id))
            parts.append(f"<tr><td>{name}</td><td>{esc(change.runner)}</td><td><pre>{esc(change.detail)}</pre>"
                         "</td></tr>")
        parts.append("</table>")
    return "\n".join(parts)
