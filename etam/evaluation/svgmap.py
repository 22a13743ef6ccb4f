"""The kab/kota map of SPBE index predicates: the colours, and the areas drawn by the shared
choropleth (``etam.core.charts``; docs/adr/0024-server-side-svg-choropleth.md, ADR 0090).

A 400-wide viewBox simplified at 0.8 unit keeps the 10 kab/kota of Kaltim to a few kilobytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from etam.core.charts import choropleth as charts_choropleth

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


def choropleth(areas: Iterable[Area], *, width: int = 400, tolerance: float = 0.8, label: str = "") -> str:
    areas = list(areas)
    markup, _height = charts_choropleth.draw(
        [(area.code, area.geometry) for area in areas],
        [charts_choropleth.Area(code=a.code, title=a.title, fill=a.fill, href=a.href) for a in areas],
        width=width,
        tolerance=tolerance,
        label=label,
        stroke=("#fff", 1),
    )
    return markup
