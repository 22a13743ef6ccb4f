"""The kecamatan connectivity map, drawn by the shared choropleth (``etam.core.charts``).

A 320-pixel-wide viewBox simplified at 1 px fits 105 kecamatan in a few KB. The projected
paths are cached (shared cache), keyed by the boundary load; v3 since every ring (holes
too) is drawn (ADR 0090).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Max

from etam.core.charts import choropleth, geo
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


def projected_districts() -> tuple[list[tuple[str, str]], int]:
    """[(kecamatan code, SVG path data)], height of the viewBox; cached per boundary load."""
    boundaries = RegionBoundary.objects.filter(level="kecamatan", code__startswith="64.")
    version = boundaries.aggregate(v=Max("load_id"))["v"]
    key = f"inventory:kecamatan-svg:v3:{version}:{WIDTH}:{TOLERANCE}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = list(boundaries.values_list("code", "geometry"))
    paths, height = geo.project(rows, width=WIDTH, tolerance=TOLERANCE)
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
    areas = []
    for code, _d in paths:
        unserved, total = shares.get(code, (0, 0))
        label = names.get(code, code)
        title = f"{label}: {unserved}/{total}" if total else label
        areas.append(choropleth.Area(code=code, title=title, css_class=bucket(unserved / total if total else None)))
    svg = choropleth.svg(paths, areas, width=WIDTH, height=height, labelledby="peta-judul", css_class="peta")
    return {"svg": svg, "height": height}
