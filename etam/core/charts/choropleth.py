"""A choropleth as inline SVG: one ``<path>`` per area, each with a ``<title>`` for screen
readers and hover, holes drawn as holes (``fill-rule="evenodd"``, see ``geo``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape

from etam.core.charts import geo


@dataclass(frozen=True)
class Area:
    """How one area is drawn: its title, and a fill colour or a CSS class; a link if any."""

    code: str
    title: str
    fill: str = ""
    css_class: str = ""
    href: str = ""


def svg(
    paths: Sequence[tuple[str, str]],
    areas: Iterable[Area],
    *,
    width: int,
    height: int,
    label: str = "",
    labelledby: str = "",
    css_class: str = "",
    stroke: tuple[str, float] | None = None,
    font: bool = False,
    below: int = 0,
    extra: Sequence[str] = (),
) -> str:
    """The SVG markup for projected ``paths`` [(code, path data)] styled by ``areas``.

    ``below`` adds that many units under the map for ``extra`` markup (a legend the caller
    built; it must already be escaped). An area without an ``Area`` is titled by its code."""
    if not paths:
        return ""
    style = {area.code: area for area in areas}
    attrs = ['xmlns="http://www.w3.org/2000/svg"', f'viewBox="0 0 {width} {height + below}"', 'role="img"']
    if label:
        attrs.append(f'aria-label="{escape(label)}"')
    if labelledby:
        attrs.append(f'aria-labelledby="{escape(labelledby)}"')
    if css_class:
        attrs.append(f'class="{escape(css_class)}"')
    attrs.append('fill-rule="evenodd"')
    if stroke is not None:
        attrs.append(f'stroke="{stroke[0]}" stroke-width="{stroke[1]:g}" stroke-linejoin="round"')
    if font:
        attrs.append('font-size="11" font-family="sans-serif"')
    out = [f"<svg {' '.join(attrs)}>"]
    if label:
        out.append(f"<title>{escape(label)}</title>")
    for code, d in paths:
        area = style.get(code) or Area(code=code, title=code)
        paint = f' fill="{escape(area.fill)}"' if area.fill else ""
        css = f' class="{escape(area.css_class)}"' if area.css_class else ""
        path = f'<path{css} d="{d}"{paint}><title>{escape(area.title)}</title></path>'
        if area.href:
            path = f'<a href="{escape(area.href)}">{path}</a>'
        out.append(path)
    out.extend(extra)
    out.append("</svg>")
    return "".join(out)


def draw(
    shapes: Sequence[tuple[str, Mapping[str, Any] | None]],
    areas: Iterable[Area],
    *,
    width: int,
    tolerance: float = 0.8,
    **options: Any,
) -> tuple[str, int]:
    """Project ``shapes`` [(code, GeoJSON geometry)] and draw them: (markup, map height)."""
    paths, height = geo.project(shapes, width=width, tolerance=tolerance)
    return svg(paths, areas, width=width, height=height, **options), height
