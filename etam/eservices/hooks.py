"""Seams other modules hook into at points of a case's life; eservices imports none of them.

- ``register_case_submitted(callback)``: ``callback(SubmittedCase)`` runs after the submission's
  transaction committed (never in the way of the receipt; a failing callback is logged, not
  raised), e.g. the interoperability node's Dukcapil NIK verification.
- ``register_case_badges(callback)``: ``callback(application_ids) -> {id: [Badge, ...]}`` adds
  small labels beside a case's workflow state in the officer's inbox and on the case page
  (e.g. "Verifikasi NIK tertunda").
- ``register_case_finished(callback)``: ``callback(application)`` runs inside the transaction that
  closes the case (after it is saved) and returns lines to add to the applicant's notification
  (e.g. the satisfaction-survey link of issue 17), or nothing.
- ``register_case_links(callback)``: ``callback(application) -> [CaseLink, ...]`` adds links for
  the applicant on their own case page (e.g. the satisfaction survey once the case is finished).
- ``register_composer_sections(callback)``: ``callback(actor, service, version) ->
  [ComposerSection, ...]`` adds sections to the service composer's overview of a draft version,
  each linking to an editor another module keeps for that version (e.g. the standar pelayanan
  of issue 17). The callback checks the actor's own permission and returns nothing otherwise.

A module registers from its ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

C = TypeVar("C", bound=Callable[..., Any])


@dataclass(frozen=True)
class SubmittedCase:
    application_id: int
    agency_id: int
    institution_id: int
    nik: str  # "" when the form asks for none
    full_name: str
    birth_date: date | None  # the birth date the form pairs with the NIK, when it has one


@dataclass(frozen=True)
class Badge:
    label: str
    tone: str = "info"  # "info", "ok", "warn": the tag's colour


class _Callbacks(Generic[C]):
    """The callbacks registered for one hook, in registration order; registering one twice keeps one."""

    def __init__(self) -> None:
        self._callbacks: list[C] = []

    def register(self, callback: C) -> None:
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def __iter__(self) -> Iterator[C]:
        return iter(self._callbacks)


CaseSubmitted = Callable[[SubmittedCase], None]
_CASE_SUBMITTED: _Callbacks[CaseSubmitted] = _Callbacks()
register_case_submitted = _CASE_SUBMITTED.register


def case_submitted(case: SubmittedCase) -> None:
    for callback in _CASE_SUBMITTED:
        callback(case)


CaseBadges = Callable[[list[int]], "dict[int, list[Badge]]"]
_CASE_BADGES: _Callbacks[CaseBadges] = _Callbacks()
register_case_badges = _CASE_BADGES.register


def case_badges(application_ids: Iterable[int]) -> dict[int, list[Badge]]:
    ids = list(application_ids)
    badges: dict[int, list[Badge]] = {}
    if not ids:
        return badges
    for callback in _CASE_BADGES:
        for application_id, found in callback(ids).items():
            badges.setdefault(application_id, []).extend(found)
    return badges


CaseFinished = Callable[[Any], "list[str] | None"]
_CASE_FINISHED: _Callbacks[CaseFinished] = _Callbacks()
register_case_finished = _CASE_FINISHED.register


def case_finished(application: Any) -> list[str]:
    """Run every callback; the notification lines they return, in registration order."""
    return [line for callback in _CASE_FINISHED for line in callback(application) or []]


@dataclass(frozen=True)
class CaseLink:
    label: str
    url: str


CaseLinks = Callable[[Any], "list[CaseLink]"]
_CASE_LINKS: _Callbacks[CaseLinks] = _Callbacks()
register_case_links = _CASE_LINKS.register


def case_links(application: Any) -> list[CaseLink]:
    """The links every callback offers the applicant on the case page, in registration order."""
    return [link for callback in _CASE_LINKS for link in callback(application) or []]


@dataclass(frozen=True)
class ComposerSection:
    title: str
    url: str
    link_label: str
    summary: str = ""


ComposerSections = Callable[[Any, Any, Any], "list[ComposerSection]"]
_COMPOSER_SECTIONS: _Callbacks[ComposerSections] = _Callbacks()
register_composer_sections = _COMPOSER_SECTIONS.register


def composer_sections(actor: Any, service: Any, version: Any) -> list[ComposerSection]:
    """The sections every callback offers ``actor`` in the composer of ``version``, in registration order."""
    return [section for callback in _COMPOSER_SECTIONS for section in callback(actor, service, version) or []]
