"""A horizontal bar chart as inline SVG: one row per label, the value written after its bar.

A missing value draws no bar and shows "–". Long labels are cut to 32 characters with "…";
the full label is the page's table fallback's job, as is any wider explanation."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.html import escape

from etam.core.charts import format_number

ROW = 22
LABEL_MAX = 32


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def horizontal(
    rows: Sequence[tuple[str, float | None]],
    *,
    title: str,
    width: int = 640,
    unit: str = "",
    colour: str = "#17766a",
    number: Callable[[float | None], str] = format_number,
) -> str:
    """``rows`` [(label, value or None)]; the bars scale to the largest value (negatives draw none)."""
    labels = [_short(str(label)) for label, _v in rows]
    left = min(220, 12 + 7 * max((len(label) for label in labels), default=4))
    height = 30 + max(len(rows), 1) * ROW
    top = max((v for _l, v in rows if v is not None), default=0) or 1
    span = width - left - 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart" font-size="12" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for i, ((_label, value), label) in enumerate(zip(rows, labels, strict=True)):
        y = 10 + i * ROW
        bar = 0 if value is None or top <= 0 else max(1, round(span * max(value, 0) / top))
        shown = number(value) + (unit if value is not None else "")
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{bar}" height="{ROW - 6}" fill="{escape(colour)}"/>'
            f'<text x="{left + bar + 4}" y="{y + 14}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
