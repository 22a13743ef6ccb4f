"""The inventory's side of the governance gate: it fills ``etam.governance.registry`` with the
duplicate check, the reference-architecture vocabulary and the planned-entry creation, so the
governance module never imports the inventory (docs/adr/0140).

Registered from ``InventoryConfig.ready`` when governance is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from etam.inventory import duplicates, selectors, services
from etam.inventory.models import Application, ApplicationKind, DataCentre, Lifecycle, NationalApplication
from etam.inventory.reference import RAA_CHOICES, rab_code_problem

PROPOSAL_ID = -1  # inventory ids are positive; the proposal is a record no row can collide with


class InventoryCatalogue:
    def similar(self, proposal: Any) -> list[Any]:
        """The inventory's own detector run over the whole inventory with the proposal added:
        the same scores and reasons a reviewer sees for two applications."""
        from etam.governance.registry import Match

        apps, nationals = services._records()
        record = duplicates.AppRecord(
            id=PROPOSAL_ID,
            name=proposal.name,
            purpose=proposal.purpose,
            institution_id=0,
            agency_id=0,
            acronym=proposal.acronym,
            business_process_code=proposal.business_process_code,
            datasets=tuple(proposal.datasets),
        )
        found = duplicates.detect([*apps, record], nationals, only_ids={PROPOSAL_ID})
        app_ids = [c.b if c.a == PROPOSAL_ID else c.a for c in found if c.b is not None]
        by_id = {a.pk: a for a in Application.objects.select_related("agency", "institution").filter(pk__in=app_ids)}
        national_names = dict(
            NationalApplication.objects.filter(pk__in=[c.national for c in found if c.national]).values_list(
                "pk", "name"
            )
        )
        out = []
        for cand in found:
            if cand.national is not None:
                out.append(
                    Match(
                        cand.score,
                        national_names.get(cand.national, ""),
                        _("National Aplikasi Umum"),
                        None,
                        True,
                        tuple(cand.reasons),
                    )
                )
                continue
            other = by_id.get((cand.b if cand.a == PROPOSAL_ID else cand.a) or 0)
            if other is not None:
                owner = f"{other.institution.short_name} — {other.agency.name}"
                out.append(Match(cand.score, other.name, owner, other.pk, False, tuple(cand.reasons)))
        return out

    def reference_codes(self) -> Sequence[tuple[str, str]]:
        return [(code, str(label)) for code, label in RAA_CHOICES]

    def business_process_problem(self, code: str) -> str | None:
        return rab_code_problem(code) if code else None

    def create_planned(self, *, actor: Any, agency: Any, proposal: Any, raa_code: str) -> int:
        app = services.application_create(
            actor=actor,
            data={
                "agency": agency,
                "name": proposal.name,
                "acronym": proposal.acronym,
                "purpose": proposal.purpose,
                "kind": ApplicationKind.SPECIFIC,
                "raa_code": raa_code,
                "business_process_code": proposal.business_process_code,
                "datasets": list(proposal.datasets),
                "lifecycle": Lifecycle.PLANNED,
            },
        )
        return app.pk

    def applications(self, actor: Any) -> QuerySet[Application]:
        return selectors.applications_visible_to(actor).select_related("agency")

    def data_centres(self, actor: Any) -> QuerySet[DataCentre]:
        return selectors.data_centres_visible_to(actor)


def register_with_governance() -> None:
    try:
        from etam.governance.registry import register_catalogue
    except ImportError:
        return
    register_catalogue(InventoryCatalogue())
