"""Satu Data charts: the line chart, and the bar chart and value map drawn by the shared
SVG pieces (``etam.core.charts``, ADR 0090). The page embeds the chart and links the map
as an image."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.html import escape

from etam.core.charts import bars, format_number, geo
from etam.core.charts import choropleth as choropleth_svg

# A column whose values are already a ratio of something (a density, rate, percentage,
# mean, index) is averaged by default, never summed: the sum of 34 kabupaten's population
# densities is no density (docs/adr/0122-default-aggregate-by-unit.md). Read from the
# column's unit first, then its name and label.
RATIO_UNIT_RE = re.compile(
    r"%|‰|\bper\b|/|persen|percent|rasio|ratio|rata|mean|average|avg|indeks|index|kepadatan|density|"
    r"tingkat|rate|proporsi|proportion|angka\s+(partisipasi|harapan|kematian|kelahiran)|skor|score|ipm|ipg|gini",
    re.IGNORECASE,
)


def default_aggregate(column: Any) -> str:
    """ "avg" for a density, rate, percentage, mean or index (by unit, then name/label); "sum"
    for other numbers (counts, amounts, areas); "count" when there is no numeric column."""
    if column is None or getattr(column, "type", "") not in ("integer", "number"):
        return "count"
    unit = getattr(column, "unit", "") or ""
    words = " ".join([unit, getattr(column, "name", "").replace("_", " "), getattr(column, "title", "") or ""])
    return "avg" if RATIO_UNIT_RE.search(unit) or RATIO_UNIT_RE.search(words) else "sum"


def grouped(value: float | int | None, decimals: int | None = None) -> str:
    """Indonesian grouping: 1.234.567,8 (thousands with ".", decimal comma); every decimal
    the value has unless ``decimals`` rounds it; "–" for no value."""
    if value is None or isinstance(value, bool):
        return "–" if value is None else str(value)
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if decimals is not None:
        number = round(number, decimals)
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")


def chart_number(value: float | None) -> str:
    """A chart label: grouped like the table, at most two decimals."""
    return grouped(value, 2)


def format_cell(value: Any, column_type: str) -> Any:
    """A preview cell: integers and numbers grouped Indonesian style; years, codes, text
    and dates as they are."""
    if column_type in ("integer", "number") and isinstance(value, int | float) and not isinstance(value, bool):
        return grouped(value)
    return value


PALETTE = ["#e8f4f2", "#b9e0d9", "#7cc4b8", "#3f9e8f", "#17766a", "#06403c"]
NO_DATA = "#eeeeee"


def bar_or_line(
    labels: Sequence[str], values: Sequence[float | None], *, kind: str = "bar", title: str = "", width: int = 640
) -> str:
    if kind == "bar":
        return bars.horizontal(list(zip(labels, values, strict=True)), title=title, width=width, number=chart_number)
    count = max(len(labels), 1)
    height = 260
    left, bottom, right, top_pad = 60, 40, 16, 16
    nums = [v for v in values if v is not None]
    low, high = (min([*nums, 0]), max([*nums, 0])) if nums else (0, 1)
    if high == low:
        high = low + 1
    plot_w, plot_h = width - left - right, height - bottom - top_pad

    def xy(i: int, v: float) -> tuple[int, int]:
        x = left + (plot_w * i / max(count - 1, 1))
        y = top_pad + plot_h * (1 - (v - low) / (high - low))
        return round(x), round(y)

    points = [xy(i, v) for i, v in enumerate(values) if v is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart" font-size="11" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end">{format_number(high)}</text>',
        f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end">{format_number(low)}</text>',
        '<polyline fill="none" stroke="#17766a" stroke-width="2" points="'
        + " ".join(f"{x},{y}" for x, y in points)
        + '"/>',
    ]
    step = max(1, math.ceil(count / 8))
    for i, label in enumerate(labels):
        if i % step == 0:
            x, _y = xy(i, low)
            parts.append(f'<text x="{x}" y="{height - 20}" text-anchor="middle">{escape(str(label)[:12])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def choropleth(
    shapes: Sequence[tuple[str, str, dict[str, Any]]],
    values: dict[str, float],
    *,
    title: str = "",
    width: int = 480,
) -> str:
    """``shapes``: (code, name, GeoJSON geometry), coloured by value on a six-step scale."""
    present = sorted(v for v in values.values() if v is not None)
    low, high = (present[0], present[-1]) if present else (0.0, 1.0)

    def colour(value: float | None) -> str:
        if value is None:
            return NO_DATA
        if high == low:
            return PALETTE[-1]
        index = min(len(PALETTE) - 1, int((value - low) / (high - low) * len(PALETTE)))
        return PALETTE[index]

    areas = []
    for code, name, _geometry in shapes:
        value = values.get(code)
        areas.append(
            choropleth_svg.Area(code=code, title=f"{name} ({code}): {format_number(value)}", fill=colour(value))
        )
    paths, height = geo.project([(code, geometry) for code, _n, geometry in shapes], width=width, tolerance=0.8)
    legend = [
        f'<rect x="{10 + i * 28}" y="{height + 10}" width="28" height="10" fill="{shade}"/>'
        for i, shade in enumerate(PALETTE)
    ]
    legend.append(f'<text x="10" y="{height + 34}">{escape(format_number(low))}</text>')
    legend.append(
        f'<text x="{10 + len(PALETTE) * 28}" y="{height + 34}" text-anchor="end">{escape(format_number(high))}</text>'
    )
    return choropleth_svg.svg(
        paths, areas, width=width, height=height, label=title, stroke=("#fff", 0.7), font=True, below=40, extra=legend
    )
