"""Inline SVG bar charts: no script, no framework, readable when printed."""

from __future__ import annotations

from conformance.html.layout import esc

#: Distinguishable series colours (colour-blind safe palette).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")


def grouped_bar_chart(rows: list[tuple[str, list[int | None]]], series: list[str], unit: str = "B",
                      width: int = 760) -> str:
    """Horizontal bars, one group per row and one bar per series; a missing value draws no bar."""
    label_width, bar_height, gap, legend_height = 260, 9, 8, 22
    group_height = bar_height * len(series) + gap
    height = legend_height + group_height * len(rows) + 10
    peak = max((v for _, values in rows for v in values if v is not None), default=0) or 1
    scale = (width - label_width - 80) / peak
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="heap use per case">',
             '<style>text{font:11px sans-serif;fill:#1d2125}</style>']
    for index, name in enumerate(series):
        x = label_width + index * 120
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{PALETTE[index % len(PALETTE)]}"/>'
                     f'<text x="{x + 14}" y="13">{esc(name)}</text>')
    for row_index, (label, values) in enumerate(rows):
        top = legend_height + row_index * group_height
        shown = label if len(label) <= 40 else label[:39] + "\u2026"
        parts.append(f'<text x="{label_width - 6}" y="{top + group_height / 2 + 2:.0f}" text-anchor="end">'
                     f"<title>{esc(label)}</title>{esc(shown)}</text>")
        for index, value in enumerate(values):
            if value is None:
                continue
            y = top + index * bar_height
            length = max(1.0, value * scale)
            parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height - 1}" '
                         f'fill="{PALETTE[index % len(PALETTE)]}"><title>{esc(series[index])}: {value:,} {unit}'
                         f"</title></rect>"
                         f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 1}">{value:,}</text>')
    parts.append("</svg>")
    return "".join(parts)
