"""A line diff of the expected output against a runner's output, as HTML.

Only the runner's column gets a diff, and only where the two differ, so a
reader's eye goes to the lines that matter.
"""

from __future__ import annotations

import difflib

from conformance.html.layout import esc


def diff_html(expected: str, actual: str, context: int = 3) -> str:
    """A unified diff with added/removed lines marked; empty when the texts are equal."""
    if expected == actual:
        return ""
    rows = []
    for line in difflib.unified_diff(expected.splitlines(), actual.splitlines(), "expected", "actual",
                                     lineterm="", n=context):
        if line.startswith(("---", "+++")):
            continue
        css = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "")
        shown = line if line.strip() or not line else line + "\u23ce"
        rows.append(f'<span class="{css}">{esc(shown)}</span>' if css else esc(shown))
    if expected.rstrip("\n") == actual.rstrip("\n"):
        rows.append('<span class="hunk">(only the trailing newlines differ)</span>')
    return '<pre class="diff">' + "\n".join(rows) + "</pre>"
