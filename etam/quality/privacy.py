"""Small-group rules of the survey reports, on the Satu Data suppression mechanism
(``etam.core.suppression``): a group below the minimum shows no index, a profile count below
the threshold is shown as suppressed."""

from __future__ import annotations

from typing import Any

try:
    from etam.core import suppression  # type: ignore[attr-defined,unused-ignore]
except ImportError:  # pragma: no cover - until core.suppression (issue on main) is merged
    suppression = None

# Fewer respondents than this in a report's group: a warning, not an index (ADR 0137).
MIN_RESPONDENTS = 10


def too_few(respondents: int) -> bool:
    if suppression is None:  # pragma: no cover
        return respondents < MIN_RESPONDENTS
    return bool(suppression.too_small(respondents, minimum=MIN_RESPONDENTS))


def count(value: int) -> Any:
    if suppression is None:  # pragma: no cover
        return value if value == 0 or value >= 3 else "<3"
    return suppression.suppress_count(value)
