"""A choropleth of the kab/kota drawn server-side as SVG, from RegionBoundary GeoJSON.

Projection: equirectangular, x scaled by cos(mean latitude) so Kaltim (on the equator)
keeps its shape. Coordinates are rounded to whole units of a 400-wide viewBox and each
ring is simplified (Douglas–Peucker, 0.8 unit tolerance), which keeps the 10 kab/kota of
Kaltim to a few kilobytes (docs/adr/0024-server-side-svg-choropleth.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape

Point = tuple[float, float]

NO_DATA = "#d5dcda"
PREDICATE_COLOURS = {
    "Memuaskan": "#0b5d57",
    "Sangat Baik": "#3f8f6b",
    "Baik": "#9cc16a",
    "Cukup": "#f0b44c",
    "Kurang": "#d1553f",
}


@dataclass(frozen=True)
class Area:
    code: str
    geometry: Mapping[str, Any]
    title: str
    fill: str
    href: str = ""


def _polygons(geometry: Mapping[str, Any]) -> list[list[list[Sequence[float]]]]:
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        return [coordinates]
    if kind == "MultiPolygon":
        return list(coordinates)
    return []


def _perpendicular(p: Point, a: Point, b: Point) -> float:
    if a == b:
        return math.dist(p, a)
    (x, y), (x1, y1), (x2, y2) = p, a, b
    return abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / math.dist(a, b)


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker, iterative; keeps the first and last point."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        worst, index = 0.0, -1
        for i in range(start + 1, end):
            d = _perpendicular(points[i], points[start], points[end])
            if d > worst:
                worst, index = d, i
        if index != -1 and worst > tolerance:
            keep[index] = True
            stack.append((start, index))
            stack.append((index, end))
    return [p for p, k in zip(points, keep, strict=True) if k]


def choropleth(areas: Iterable[Area], *, width: int = 400, tolerance: float = 0.8, label: str = "") -> str:
    areas = list(areas)
    rings_by_area: list[tuple[Area, list[list[Sequence[float]]]]] = []
    lons: list[float] = []
    lats: list[float] = []
    for area in areas:
        rings = [ring for polygon in _polygons(area.geometry) for ring in polygon]
        rings_by_area.append((area, rings))
        for ring in rings:
            for lon, lat, *_rest in ring:
                lons.append(lon)
                lats.append(lat)
    if not lons:
        return ""
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    k = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * k, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    scale = width / span_x
    height = math.ceil(span_y * scale)

    def project(lon: float, lat: float) -> Point:
        return (round((lon - min_lon) * k * scale), round((max_lat - lat) * scale))

    parts = []
    for area, rings in rings_by_area:
        d = []
        for ring in rings:
            projected: list[Point] = []
            for lon, lat, *_rest in ring:
                p = project(lon, lat)
                if not projected or projected[-1] != p:
                    projected.append(p)
            points = simplify(projected, tolerance)
            if len(points) < 3:
                continue
            (x0, y0), rest = points[0], points[1:]
            moves = []
            px, py = x0, y0
            for x, y in rest:  # relative moves keep the numbers short
                moves.append(f"{int(x - px)} {int(y - py)}")
                px, py = x, y
            d.append(f"M{int(x0)} {int(y0)}l" + " ".join(moves) + "z")
        if not d:
            continue
        title = f"<title>{escape(area.title)}</title>"
        path = f'<path d="{"".join(d)}" fill="{area.fill}">{title}</path>'
        if area.href:
            path = f'<a href="{escape(area.href)}">{path}</a>'
        parts.append(path)
    aria = f' aria-label="{escape(label)}"' if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img"{aria} '
        f'stroke="#fff" stroke-width="1" stroke-linejoin="round">' + "".join(parts) + "</svg>"
    )
