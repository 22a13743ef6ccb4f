"""Survey periods: a year (``2026``) or a half-year (``2026-S1``, ``2026-S2``)."""

from __future__ import annotations

import re
from datetime import date

PERIOD_RE = re.compile(r"^(?P<year>20\d\d)(?:-S(?P<half>[12]))?$")


def bounds(period: str) -> tuple[date, date] | None:
    """First and last day of a period, or None when it is not a period."""
    match = PERIOD_RE.match(period or "")
    if match is None:
        return None
    year = int(match["year"])
    if match["half"] == "1":
        return date(year, 1, 1), date(year, 6, 30)
    if match["half"] == "2":
        return date(year, 7, 1), date(year, 12, 31)
    return date(year, 1, 1), date(year, 12, 31)


def label(period: str) -> str:
    match = PERIOD_RE.match(period or "")
    if match is None:
        return period
    return f"Semester {match['half']} {match['year']}" if match["half"] else match["year"]
