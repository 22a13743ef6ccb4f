"""The risk heat map (likelihood × impact) drawn by ``core.charts.heatmap``; the level palette."""

from __future__ import annotations

from django.utils.translation import gettext as _

from etam.core.charts import heatmap
from etam.governance.models import RiskBand

# Level 1 (very low) → 5 (very high): green → red, dark text readable on each (contrast ≥ 4.5).
LEVEL_COLOURS = {1: "#9fd5b3", 2: "#cfe8a0", 3: "#ffe08a", 4: "#ffb37a", 5: "#f28b82"}


def risk_heatmap(
    cells: dict[tuple[int, int], int], bands: dict[int, RiskBand], counts: dict[tuple[int, int], int], *, title: str
) -> str:
    def level_of(magnitude: int) -> RiskBand | None:
        return next((b for b in bands.values() if b.low <= magnitude <= b.high), None)

    def cell(r: int, c: int) -> tuple[str, str, str]:
        likelihood, impact = 5 - r, c + 1
        magnitude = cells.get((likelihood, impact), 0)
        band = level_of(magnitude)
        n = counts.get((likelihood, impact), 0)
        tip = _("Likelihood %(l)s × impact %(i)s: magnitude %(m)s (%(level)s), %(n)s risks") % {
            "l": likelihood,
            "i": impact,
            "m": magnitude,
            "level": band.name if band else "–",
            "n": n,
        }
        text = f"{magnitude}" + (f" · {n}" if n else "")
        return LEVEL_COLOURS.get(band.level if band else 0, "#eeeeee"), text, tip

    return heatmap.matrix(
        [str(5 - r) for r in range(5)],
        [str(c + 1) for c in range(5)],
        cell,
        title=title,
        row_title=_("Likelihood"),
        column_title=_("Impact"),
    )
