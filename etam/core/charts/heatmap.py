"""A matrix heat map as inline SVG: rows × columns of coloured cells, each with its text.

Used by the risk register (likelihood × impact); any caller passes the cell colours and texts,
so the domain's palette stays with the domain. Every text is escaped here."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.html import escape

CELL = 56


def matrix(
    rows: Sequence[str],
    columns: Sequence[str],
    cell: Callable[[int, int], tuple[str, str, str]],
    *,
    title: str,
    row_title: str = "",
    column_title: str = "",
) -> str:
    """``rows`` top to bottom, ``columns`` left to right; ``cell(r, c)`` (indexes) gives
    (fill colour, text in the cell, tooltip). Axis titles are written along the axes."""
    left, top = 110, 10
    width = left + CELL * len(columns) + 10
    height = top + CELL * len(rows) + 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart heatmap" font-size="12" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for r, label in enumerate(rows):
        y = top + r * CELL
        parts.append(f'<text x="{left - 6}" y="{y + CELL // 2 + 4}" text-anchor="end">{escape(label)}</text>')
        for c in range(len(columns)):
            fill, text, tip = cell(r, c)
            x = left + c * CELL
            parts.append(
                f'<g><title>{escape(tip)}</title><rect x="{x}" y="{y}" width="{CELL - 2}" height="{CELL - 2}" '
                f'fill="{escape(fill)}"/><text x="{x + CELL // 2 - 1}" y="{y + CELL // 2 + 4}" '
                f'text-anchor="middle">{escape(text)}</text></g>'
            )
    base = top + CELL * len(rows)
    for c, label in enumerate(columns):
        parts.append(
            f'<text x="{left + c * CELL + CELL // 2 - 1}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    if column_title:
        parts.append(
            f'<text x="{left + CELL * len(columns) // 2}" y="{base + 38}" text-anchor="middle">'
            f"{escape(column_title)}</text>"
        )
    if row_title:
        parts.append(f'<text x="4" y="{top + 12}">{escape(row_title)}</text>')
    parts.append("</svg>")
    return "".join(parts)
