"""The page frame, the stylesheet and the small pieces every page shares.

Everything that reaches the HTML goes through ``esc`` (or is built from
escaped parts): case code, outputs and runner details are untrusted text.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from conformance.compare import VerdictKind
from conformance.report import Cell
from conformance.results import Record

STYLESHEET = "style.css"

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 1.5rem 2rem; color: #1d2125; }
nav { padding: .6rem 0; border-bottom: 1px solid #ccd; margin-bottom: 1rem; }
nav a { margin-right: 1.2rem; }
nav a.here { font-weight: bold; text-decoration: none; color: inherit; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.25rem; margin-top: 1.8rem; } h3 { font-size: 1.1rem; }
h4 { font-size: 1rem; margin: 1rem 0 .3rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; }
th, td { border: 1px solid #d5d8dc; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #f3f4f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
pre, code { font: 12.5px/1.4 ui-monospace, monospace; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; }
.cell a { display: block; color: inherit; text-decoration: none; }
.v-pass { background: #d8f0d8; } .v-documented { background: #dbe8fb; }
.v-fail { background: #f8d4d0; } .v-skip { background: #eeeeee; color: #555; }
.v-none { background: #fff; color: #999; }
.small { font-size: 12px; color: #555; }
.code td.ln { color: #888; text-align: right; user-select: none; border: none; padding: 0 .6rem 0 0; }
.code td.src { border: none; padding: 0; }
.code { border-left: 3px solid #ccd; }
.diff .add { background: #e6ffec; } .diff .del { background: #ffebe9; } .diff .hunk { color: #777; }
.flag { color: #a4262c; font-weight: bold; }
.headline { margin: .2rem 0; }
.problem { background: #fff4ce; padding: .4rem .6rem; border-left: 3px solid #c19c00; }
details summary { cursor: pointer; }
.sidebyside td { min-width: 14rem; max-width: 34rem; }
"""


def esc(value: object) -> str:
    """Text for HTML content or attribute values, quotes included."""
    return html.escape(str(value), quote=True)


def area_file(area: str) -> str:
    """Where an area's page is, relative to the site root (also its file name on disk)."""
    return f"areas/{area}.html"


def case_file(case_id: str) -> str:
    """Where a case's page is, relative to the site root (also its file name on disk)."""
    return f"cases/{case_id}.html"


def href_to(relative_file: str, depth: int = 0) -> str:
    """A relative URL to a site file from a page ``depth`` folders below the root (names percent-encoded)."""
    return "../" * depth + quote(relative_file)


def link(href: str, text: str) -> str:
    """An anchor; ``href`` is built from safe names (ids, areas), the text is escaped."""
    return f'<a href="{esc(href)}">{esc(text)}</a>'


NAV_PAGES = (("index.html", "Matrix"), ("differences.html", "Differences from CPython"),
             ("memory.html", "Memory"), ("changes.html", "Changes"))


def page(title: str, body: str, depth: int = 0, current: str = "", has_changes: bool = False) -> str:
    """A whole HTML document; ``depth`` is how many folders below the site root it sits."""
    up = "../" * depth
    items = []
    for href, label in NAV_PAGES:
        if href == "changes.html" and not has_changes:
            continue
        css = ' class="here"' if href == current else ""
        items.append(f'<a{css} href="{up}{href}">{esc(label)}</a>')
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{esc(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{up}{STYLESHEET}"></head>\n'
        f"<body><nav>{''.join(items)}</nav>\n<h1>{esc(title)}</h1>\n{body}\n</body></html>\n"
    )


def percent_style(cell: Cell) -> str:
    """A background from red (0 %) through yellow to green (100 %) for a matrix cell."""
    percent = cell.percent()
    if percent is None:
        return "background:#eeeeee"
    return f"background:hsl({percent * 1.2:.0f},65%,82%)"


def verdict_label(record: Record) -> str:
    """Short cell text: pass, documented (category), fail (kind), skip (missing capability)."""
    verdict = record.verdict
    if verdict.kind is VerdictKind.FAIL:
        return f"fail: {verdict.diff_kind.value if verdict.diff_kind else '?'}"
    if verdict.kind is VerdictKind.SKIP:
        return f"skip: {', '.join(verdict.missing) or 'unsupported'}"
    if verdict.kind is VerdictKind.DOCUMENTED:
        category = verdict.note.split(":", 1)[0] if verdict.note else "difference"
        return f"documented: {category}"
    return "pass"


def verdict_cell(record: Record | None, href: str) -> str:
    """One matrix-style cell linking to the case page, with the diff or note as its tooltip."""
    if record is None:
        return '<td class="cell v-none">-</td>'
    verdict = record.verdict
    tip = verdict.diff or verdict.note
    title = f' title="{esc(tip)}"' if tip else ""
    return (f'<td class="cell v-{verdict.kind.value}"{title}><a href="{esc(href)}">'
            f"{esc(verdict_label(record))}</a></td>")


def plural(count: int, word: str, many: str = "") -> str:
    """'1 failure', '2 failures' (``many`` for irregular plurals)."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def bytes_text(value: int | None) -> str:
    return "-" if value is None else f"{value:,} B"
