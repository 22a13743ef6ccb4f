"""Seams other modules hook into when a case reaches a final state.

``register_case_finished(callback)``: ``callback(application)`` runs inside the transaction
that closes the case (after it is saved) and returns lines to add to the applicant's
notification (e.g. the satisfaction-survey link), or nothing. A module registers from its
``AppConfig.ready``; eservices imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CaseFinished = Callable[[Any], "list[str] | None"]
_CASE_FINISHED: list[CaseFinished] = []


def register_case_finished(callback: CaseFinished) -> None:
    if callback not in _CASE_FINISHED:
        _CASE_FINISHED.append(callback)


def case_finished(application: Any) -> list[str]:
    """Run every callback; the notification lines they return, in registration order."""
    lines: list[str] = []
    for callback in _CASE_FINISHED:
        lines.extend(callback(application) or [])
    return lines
