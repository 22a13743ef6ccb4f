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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any


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


CaseSubmitted = Callable[[SubmittedCase], None]
CaseBadges = Callable[[list[int]], "dict[int, list[Badge]]"]
_CASE_SUBMITTED: list[CaseSubmitted] = []
_CASE_BADGES: list[CaseBadges] = []


def register_case_submitted(callback: CaseSubmitted) -> None:
    if callback not in _CASE_SUBMITTED:
        _CASE_SUBMITTED.append(callback)


def case_submitted(case: SubmittedCase) -> None:
    for callback in _CASE_SUBMITTED:
        callback(case)


def register_case_badges(callback: CaseBadges) -> None:
    if callback not in _CASE_BADGES:
        _CASE_BADGES.append(callback)


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


@dataclass(frozen=True)
class CaseLink:
    label: str
    url: str


CaseLinks = Callable[[Any], "list[CaseLink]"]
_CASE_LINKS: list[CaseLinks] = []


def register_case_links(callback: CaseLinks) -> None:
    if callback not in _CASE_LINKS:
        _CASE_LINKS.append(callback)


def case_links(application: Any) -> list[CaseLink]:
    """The links every callback offers the applicant on the case page, in registration order."""
    links: list[CaseLink] = []
    for callback in _CASE_LINKS:
        links.extend(callback(application) or [])
    return links


@dataclass(frozen=True)
class ComposerSection:
    title: str
    url: str
    link_label: str
    summary: str = ""


ComposerSections = Callable[[Any, Any, Any], "list[ComposerSection]"]
_COMPOSER_SECTIONS: list[ComposerSections] = []


def register_composer_sections(callback: ComposerSections) -> None:
    if callback not in _COMPOSER_SECTIONS:
        _COMPOSER_SECTIONS.append(callback)


def composer_sections(actor: Any, service: Any, version: Any) -> list[ComposerSection]:
    """The sections every callback offers ``actor`` in the composer of ``version``, in registration order."""
    sections: list[ComposerSection] = []
    for callback in _COMPOSER_SECTIONS:
        sections.extend(callback(actor, service, version) or [])
    return sections
