"""Counting working days: Monday–Friday, minus national holidays and cuti bersama
(the editable ``Holiday`` table). All SLA figures in Etam are in these days."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

_CACHE: dict[str, Any] = {"loaded": 0.0, "days": frozenset()}
CACHE_SECONDS = 60


def holidays_between(start: date, end: date) -> set[date]:
    """Holidays in [start, end]. The whole (small) table is read at most once a minute
    per process, so an edit in the admin counts from the next minute on."""
    from etam.eservices.models import Holiday

    now = time.monotonic()
    if now - _CACHE["loaded"] > CACHE_SECONDS:
        _CACHE["days"] = frozenset(Holiday.objects.values_list("date", flat=True))
        _CACHE["loaded"] = now
    return {day for day in _CACHE["days"] if start <= day <= end}


def forget_holidays() -> None:
    _CACHE["loaded"] = 0.0


def is_working_day(day: date, holidays: Iterable[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: set[date] | None = None) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted).

    With 0 days, the deadline is the first working day on or after ``start``."""
    if holidays is None:
        holidays = holidays_between(start, start + timedelta(days=days * 3 + 40))
    current = start
    if days == 0:
        while not is_working_day(current, holidays):
            current += timedelta(days=1)
        return current
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, holidays: set[date] | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    if end <= start:
        return 0
    if holidays is None:
        holidays = holidays_between(start, end)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            count += 1
    return count


def working_days_left(today: date, due: date, holidays: set[date] | None = None) -> int:
    """Positive: working days still available; negative: working days overdue."""
    if due >= today:
        return working_days_between(today, due, holidays)
    return -working_days_between(due, today, holidays)
