"""The application catalogue governance works against, filled by the inventory.

Governance never imports the inventory: the inventory registers an ``ApplicationCatalogue``
from its ``AppConfig.ready`` (``etam/inventory/governance_seam.py``), as modules register
suggestion rules with the evaluation. Without it the gate reports that no duplicate check
ran and approval refuses to create an inventory entry (docs/adr/0140).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ProposedApplication:
    name: str
    purpose: str
    acronym: str = ""
    business_process_code: str = ""
    datasets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """An existing application (or national Aplikasi Umum) the proposal resembles, and why."""

    score: float
    name: str
    owner: str
    application_id: int | None
    national: bool
    reasons: Sequence[dict[str, Any]] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "name": self.name,
            "owner": self.owner,
            "application_id": self.application_id,
            "national": self.national,
            "reasons": list(self.reasons),
        }


class ApplicationCatalogue(Protocol):
    def similar(self, proposal: ProposedApplication) -> list[Match]: ...

    def reference_codes(self) -> Sequence[tuple[str, str]]: ...

    def business_process_problem(self, code: str) -> str | None: ...

    def applications(self, actor: Any) -> Any: ...

    def data_centres(self, actor: Any) -> Any: ...

    def create_planned(self, *, actor: Any, agency: Any, proposal: ProposedApplication, raa_code: str) -> int: ...


_CATALOGUE: list[ApplicationCatalogue] = []


def register_catalogue(catalogue: ApplicationCatalogue) -> None:
    _CATALOGUE[:] = [catalogue]


def catalogue() -> ApplicationCatalogue | None:
    return _CATALOGUE[0] if _CATALOGUE else None
