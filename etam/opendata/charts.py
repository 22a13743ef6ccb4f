"""Server-rendered SVG: bar and line charts, and choropleth maps from RegionBoundary.

No JavaScript, no external fonts or tiles: the SVG is plain markup the page embeds
(chart) or links as an image (map). Coordinates are rounded to whole pixels and
near-duplicate points dropped, so a kab/kota map stays a few kilobytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.utils.html import escape

PALETTE = ["#e8f4f2", "#b9e0d9", "#7cc4b8", "#3f9e8f", "#17766a", "#06403c"]
NO_DATA = "#eeeeee"


def _fmt(value: float) -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 1000 or float(value).is_integer() else f"{value:,.2f}"
    return text.replace(",", "\u2009").replace(".", ",")  # Indonesian decimal comma, thin-space groups


def bar_or_line(
    labels: Sequence[str], values: Sequence[float | None], *, kind: str = "bar", title: str = "", width: int = 640
) -> str:
    count = max(len(labels), 1)
    row_h = 22
    if kind == "bar":
        left = min(220, 12 + 7 * max((len(str(x)) for x in labels), default=4))
        height = 30 + count * row_h
        top = max((v for v in values if v is not None), default=0) or 1
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}" class="chart" font-size="12" font-family="sans-serif">',
            f"<title>{escape(title)}</title>",
        ]
        span = width - left - 80
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            y = 10 + i * row_h
            w = 0 if value is None or top <= 0 else max(1, round(span * max(value, 0) / top))
            parts.append(
                f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(str(label)[:32])}</text>'
                f'<rect x="{left}" y="{y + 3}" width="{w}" height="{row_h - 6}" fill="#17766a"/>'
                f'<text x="{left + w + 4}" y="{y + 14}">{_fmt(value) if value is not None else "–"}</text>'
            )
        parts.append("</svg>")
        return "".join(parts)
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
        f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end">{_fmt(high)}</text>',
        f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end">{_fmt(low)}</text>',
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


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def choropleth(
    shapes: Sequence[tuple[str, str, dict[str, Any]]],
    values: dict[str, float],
    *,
    title: str = "",
    width: int = 480,
) -> str:
    """``shapes``: (code, name, GeoJSON geometry). Equirectangular projection scaled to fit."""
    coords = [pt for _c, _n, g in shapes for ring in _rings(g) for pt in ring]
    if not coords:
        return ""
    min_x, max_x = min(p[0] for p in coords), max(p[0] for p in coords)
    min_y, max_y = min(p[1] for p in coords), max(p[1] for p in coords)
    mid_lat = math.radians((min_y + max_y) / 2)
    sx = math.cos(mid_lat)
    scale = width / max((max_x - min_x) * sx, 1e-9)
    height = round((max_y - min_y) * scale) + 1
    present = sorted(v for v in values.values() if v is not None)
    low, high = (present[0], present[-1]) if present else (0.0, 1.0)

    def colour(value: float | None) -> str:
        if value is None:
            return NO_DATA
        if high == low:
            return PALETTE[-1]
        index = min(len(PALETTE) - 1, int((value - low) / (high - low) * len(PALETTE)))
        return PALETTE[index]

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 40}" role="img" '
        f'aria-label="{escape(title)}" font-size="11" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for code, name, geometry in shapes:
        path: list[str] = []
        for ring in _rings(geometry):
            last: tuple[int, int] | None = None
            points: list[str] = []
            for lon, lat in ring:
                point = (round((lon - min_x) * sx * scale), round((max_y - lat) * scale))
                if point != last:
                    points.append(f"{point[0]} {point[1]}")
                    last = point
            if len(points) >= 3:
                path.append("M" + "L".join(points) + "Z")
        value = values.get(code)
        label = f"{name} ({code}): {_fmt(value) if value is not None else '–'}"
        parts.append(
            f'<path d="{"".join(path)}" fill="{colour(value)}" stroke="#fff" stroke-width="0.7">'
            f"<title>{escape(label)}</title></path>"
        )
    for i, shade in enumerate(PALETTE):
        parts.append(f'<rect x="{10 + i * 28}" y="{height + 10}" width="28" height="10" fill="{shade}"/>')
    parts.append(f'<text x="10" y="{height + 34}">{_fmt(low)}</text>')
    parts.append(f'<text x="{10 + len(PALETTE) * 28}" y="{height + 34}" text-anchor="end">{_fmt(high)}</text>')
    parts.append("</svg>")
    return "".join(parts)
