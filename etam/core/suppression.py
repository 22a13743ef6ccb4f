"""Small-count suppression for published figures: one mechanism for every module (ADR 0150).

A count of people between 1 and the threshold minus one can point at someone ("2 pemohon
difabel di Desa X"), so published tables show it as "<5" instead. Zero stays zero: it names
nobody. The threshold is the setting ``SMALL_COUNT_THRESHOLD`` (default 5). Satu Data's system
datasets and the service-quality survey reports use this module; nothing else hides counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from django.conf import settings


def small_count_threshold() -> int:
    """Counts below this (and above zero) are suppressed."""
    return int(getattr(settings, "SMALL_COUNT_THRESHOLD", 5))


@dataclass(frozen=True)
class Suppressed:
    """A cell hidden because its count is under the threshold; it prints as ``<5``."""

    threshold: int

    def __str__(self) -> str:
        return f"<{self.threshold}"


def _threshold(threshold: int | None) -> int:
    return small_count_threshold() if threshold is None else threshold


def _is_small(value: object, threshold: int) -> bool:
    # bool is an Integral too; True is not a count.
    return isinstance(value, Integral) and not isinstance(value, bool) and 0 < int(value) < threshold


def suppress_count(value: Any, *, threshold: int | None = None) -> Any:
    """``Suppressed`` for a count in 1..threshold-1; every other value (0, None, text, a big count) unchanged."""
    limit = _threshold(threshold)
    return Suppressed(limit) if _is_small(value, limit) else value


def suppress_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    total_columns: Sequence[str] = (),
    threshold: int | None = None,
) -> list[dict[str, Any]]:
    """Copies of ``rows`` with small counts in ``columns`` (and ``total_columns``) suppressed.

    When a row also shows a total and only one of its cells was hidden, that cell could be got back
    by subtraction, so the smallest other non-zero cell of the row is hidden too (complementary
    suppression). Totals across rows are the caller's to leave out: a column total would undo this.
    """
    limit = _threshold(threshold)
    published: list[dict[str, Any]] = []
    for row in rows:
        out = dict(row)
        hidden = [name for name in columns if _is_small(out.get(name), limit)]
        for name in (*hidden, *(t for t in total_columns if _is_small(out.get(t), limit))):
            out[name] = Suppressed(limit)
        if total_columns and len(hidden) == 1:
            others = [
                name
                for name in columns
                if name not in hidden
                and isinstance(out.get(name), Integral)
                and not isinstance(out.get(name), bool)
                and int(out[name]) > 0
            ]
            if others:
                out[min(others, key=lambda name: int(out[name]))] = Suppressed(limit)
        published.append(out)
    return published


def too_small(count: int, *, minimum: int | None = None) -> bool:
    """A group with fewer members than ``minimum`` (default: the threshold) is not reported on its own."""
    return count < _threshold(minimum)
