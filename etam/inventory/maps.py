"""Server-drawn SVG maps from the RegionBoundary GeoJSON: no JavaScript, no tiles, no third party.

Projection: equirectangular with the longitude scaled by cos(latitude of the map's
centre), which is accurate enough across Kaltim (2.5°S–2.5°N). Coordinates are rounded
to whole pixels of a 320-pixel-wide viewBox, consecutive duplicates dropped and each
ring simplified (Ramer–Douglas–Peucker, 1 px), so 105 kecamatan fit in a few KB.
The projected paths are cached (shared cache), keyed by the boundary load.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

from django.core.cache import cache
from django.db.models import Max
from django.utils.html import escape

from etam.core.models import RegionBoundary

WIDTH = 320
TOLERANCE = 1.0
BUCKETS = [  # (upper bound of the share without signal or access point, CSS class)
    (0.0, "c0"),
    (0.25, "c1"),
    (0.5, "c2"),
    (0.75, "c3"),
    (1.0, "c4"),
]


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _simplify(points: list[tuple[int, int]], tolerance: float) -> list[tuple[int, int]]:
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        (x1, y1), (x2, y2) = points[start], points[end]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1.0
        best, index = 0.0, -1
        for i in range(start + 1, end):
            px, py = points[i]
            if dx == 0 and dy == 0:  # a closed ring starts and ends on the same point
                distance = math.hypot(px - x1, py - y1)
            else:
                distance = abs(dy * (px - x1) - dx * (py - y1)) / length
            if distance > best:
                best, index = distance, i
        if best > tolerance and index > 0:
            keep[index] = True
            stack.extend([(start, index), (index, end)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def projected_districts() -> tuple[list[tuple[str, str]], int]:
    """[(kecamatan code, SVG path data)], height of the viewBox; cached per boundary load."""
    boundaries = RegionBoundary.objects.filter(level="kecamatan", code__startswith="64.")
    version = boundaries.aggregate(v=Max("load_id"))["v"]
    key = f"inventory:kecamatan-svg:v2:{version}:{WIDTH}:{TOLERANCE}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = list(boundaries.values_list("code", "geometry"))
    all_points = [pt for _code, geom in rows for ring in _rings(geom) for pt in ring]
    if not all_points:
        return [], 0
    min_lon = min(p[0] for p in all_points)
    max_lon = max(p[0] for p in all_points)
    min_lat = min(p[1] for p in all_points)
    max_lat = max(p[1] for p in all_points)
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = WIDTH / ((max_lon - min_lon) * kx)
    height = math.ceil((max_lat - min_lat) * scale)
    paths = []
    for code, geometry in rows:
        parts = []
        for ring in _rings(geometry):
            pts: list[tuple[int, int]] = []
            for lon, lat, *_rest in ring:
                p = (round((lon - min_lon) * kx * scale), round((max_lat - lat) * scale))
                if not pts or pts[-1] != p:
                    pts.append(p)
            pts = _simplify(pts, TOLERANCE)
            if len(pts) < 3:
                continue
            # Relative moves: small numbers, and they repeat, so they compress well.
            steps = " ".join(f"{x - px} {y - py}" for (px, py), (x, y) in pairwise(pts))
            parts.append(f"M{pts[0][0]} {pts[0][1]}l{steps}z")
        if parts:
            paths.append((code, "".join(parts)))
    result = (paths, height)
    cache.set(key, result, 24 * 3600)
    return result


def bucket(share: float | None) -> str:
    if share is None:
        return "cx"
    for upper, css in BUCKETS:
        if share <= upper:
            return css
    return BUCKETS[-1][1]


def district_choropleth(shares: dict[str, tuple[int, int]], names: dict[str, str] | None = None) -> dict[str, Any]:
    """SVG markup (as a string, already escaped) and legend for the kecamatan map."""
    from etam.inventory.selectors import region_names

    names = names if names is not None else region_names("kecamatan")
    paths, height = projected_districts()
    if not paths:
        return {"svg": "", "height": 0}
    out = [f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="peta-judul" class="peta">']
    for code, d in paths:
        unserved, total = shares.get(code, (0, 0))
        share = unserved / total if total else None
        label = names.get(code, code)
        title = f"{label}: {unserved}/{total}" if total else label
        out.append(f'<path class="{bucket(share)}" d="{d}"><title>{escape(title)}</title></path>')
    out.append("</svg>")
    return {"svg": "".join(out), "height": height}
