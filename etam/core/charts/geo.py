"""GeoJSON rings → projected, simplified SVG path data.

Rings: every ring of a Polygon or MultiPolygon, outer rings and holes alike; the choropleth
draws them with ``fill-rule="evenodd"`` so a hole (a kota enclosed by its kabupaten) stays a
hole whatever the ring's winding (docs/adr/0090-shared-svg-charts-and-maps.md).

Projection: equirectangular, longitude scaled by cos(latitude of the map's centre), which is
accurate enough across Kaltim (2.5°S–2.5°N). Points are rounded to whole units of the
viewBox, consecutive duplicates dropped, and each ring simplified (Ramer–Douglas–Peucker)
before it is written as relative moves, which keep the numbers short and compress well.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

Point = tuple[float, float]
Ring = Sequence[Sequence[float]]


def rings(geometry: Mapping[str, Any] | None) -> list[Ring]:
    """Every ring (outer and holes) of a Polygon or MultiPolygon; [] for anything else."""
    if not geometry:
        return []
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coordinates)
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    return []


def _distance(p: Point, a: Point, b: Point) -> float:
    """Distance of ``p`` from the line through ``a`` and ``b`` (from ``a`` when they coincide,
    as at a closed ring's two ends)."""
    if a == b:
        return math.dist(p, a)
    (x, y), (x1, y1), (x2, y2) = p, a, b
    return abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / math.dist(a, b)


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Ramer–Douglas–Peucker, iterative (no recursion limit); keeps the first and last point."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        worst, index = 0.0, -1
        for i in range(start + 1, end):
            d = _distance(points[i], points[start], points[end])
            if d > worst:
                worst, index = d, i
        if index != -1 and worst > tolerance:
            keep[index] = True
            stack.append((start, index))
            stack.append((index, end))
    return [p for p, k in zip(points, keep, strict=True) if k]


@dataclass(frozen=True)
class Projection:
    min_lon: float
    max_lat: float
    kx: float
    scale: float
    width: int
    height: int

    def __call__(self, lon: float, lat: float) -> tuple[int, int]:
        return round((lon - self.min_lon) * self.kx * self.scale), round((self.max_lat - lat) * self.scale)


def fit(geometries: Iterable[Mapping[str, Any] | None], width: int) -> Projection | None:
    """The projection that fits every ring of ``geometries`` into ``width``; None when there is
    no point at all."""
    lons: list[float] = []
    lats: list[float] = []
    for geometry in geometries:
        for ring in rings(geometry):
            for lon, lat, *_rest in ring:
                lons.append(lon)
                lats.append(lat)
    if not lons:
        return None
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = width / max((max_lon - min_lon) * kx, 1e-9)
    height = math.ceil(max(max_lat - min_lat, 1e-9) * scale)
    return Projection(min_lon, max_lat, kx, scale, width, height)


def path_data(geometry: Mapping[str, Any] | None, projection: Projection, tolerance: float) -> str:
    """SVG path data of every ring of ``geometry``; "" when no ring keeps three points."""
    parts = []
    for ring in rings(geometry):
        points: list[Point] = []
        for lon, lat, *_rest in ring:
            p = projection(lon, lat)
            if not points or points[-1] != p:
                points.append(p)
        points = simplify(points, tolerance)
        if len(points) < 3:
            continue
        steps = " ".join(f"{int(x - px)} {int(y - py)}" for (px, py), (x, y) in pairwise(points))
        parts.append(f"M{int(points[0][0])} {int(points[0][1])}l{steps}z")
    return "".join(parts)


def project(
    shapes: Sequence[tuple[str, Mapping[str, Any] | None]], *, width: int, tolerance: float
) -> tuple[list[tuple[str, str]], int]:
    """[(code, path data)] for the shapes that draw, and the viewBox height (0 when none)."""
    projection = fit((geometry for _code, geometry in shapes), width)
    if projection is None:
        return [], 0
    paths = [(code, path_data(geometry, projection, tolerance)) for code, geometry in shapes]
    return [(code, d) for code, d in paths if d], projection.height
