"""Small-group rules of the survey reports, on the shared suppression mechanism
(``etam.core.suppression``, ADR 0150): a group below the minimum shows no index, a profile count
below the threshold is shown as suppressed (docs/adr/0137)."""

from __future__ import annotations

from typing import Any

from etam.core import suppression

# Fewer respondents than this in a report's group: a warning, not an index (ADR 0137).
MIN_RESPONDENTS = 10


def too_few(respondents: int) -> bool:
    return suppression.too_small(respondents, minimum=MIN_RESPONDENTS)


def count(value: int) -> Any:
    return suppression.suppress_count(value)
