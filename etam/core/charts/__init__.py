"""Server-drawn SVG charts and maps: no JavaScript, no tiles, no third party.

``geo`` reads GeoJSON rings, projects and simplifies them; ``choropleth`` draws areas from
projected paths; ``bars`` draws horizontal bar charts. Every text put into the markup is
escaped here, so callers pass plain text (docs/adr/0090-shared-svg-charts-and-maps.md).
"""

from __future__ import annotations


def format_number(value: float | None) -> str:
    """Indonesian style: decimal comma, thin-space thousands; "–" for no value."""
    if value is None:
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 1000 or float(value).is_integer() else f"{value:,.2f}"
    return text.replace(",", "\u2009").replace(".", ",")
