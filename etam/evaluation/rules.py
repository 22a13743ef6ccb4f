"""The suggestion rules that work with what core holds today (role grants, OPDs).

Both stop at level 3: the platform can show that roles are filled and that OPDs work on
one shared platform, not that anything was reviewed or improved (levels 4–5 need the
review minutes only people can supply).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from etam.core.models import Agency, Role, RoleGrant
from etam.evaluation.loader import CODE_59_2020
from etam.evaluation.registry import Proposal, register_indicator_rules

ORGANISATION_PAGE = "/staf/organisasi/"


def coordination_team(evaluation: Any, indicator: Any) -> Proposal | None:
    """Tim Koordinasi SPBE: a koordinator SPBE is granted (L2); with a walidata too (L3)."""
    grants = RoleGrant.objects.active().filter(institution_id=evaluation.institution_id)
    coordinators = grants.filter(role=Role.SPBE_COORDINATOR).count()
    if not coordinators:
        return None
    stewards = grants.filter(role=Role.DATA_STEWARD).count()
    assessors = grants.filter(role=Role.ASSESSOR).count()
    level = 3 if stewards else 2
    rationale = _(
        "Etam holds active role grants in %(institution)s: %(coordinators)s SPBE coordinator(s), "
        "%(stewards)s data steward(s) (walidata), %(assessors)s internal assessor(s)."
    ) % {
        "institution": evaluation.institution,
        "coordinators": coordinators,
        "stewards": stewards,
        "assessors": assessors,
    }
    return Proposal(level=level, rationale=rationale, links=[(_("Role grants in Etam"), ORGANISATION_PAGE)])


def shared_platform(evaluation: Any, indicator: Any) -> Proposal | None:
    """Kolaborasi: OPDs of the instansi working on one shared SPBE platform.

    Two or more OPDs with staff on Etam → L2; every active OPD → L3."""
    agencies = Agency.objects.filter(institution_id=evaluation.institution_id, is_active=True)
    total = agencies.count()
    active = agencies.filter(role_grants__revoked_at__isnull=True, role_grants__user__is_active=True).distinct().count()
    if active < 2:
        return None
    level = 3 if active == total else 2
    rationale = _("%(active)s of %(total)s active OPDs of %(institution)s have staff working on Etam.") % {
        "active": active,
        "total": total,
        "institution": evaluation.institution,
    }
    return Proposal(level=level, rationale=rationale, links=[(_("OPDs and their staff in Etam"), ORGANISATION_PAGE)])


def register() -> None:
    register_indicator_rules(
        CODE_59_2020,
        [
            (19, "core.coordination_team", coordination_team, "Tim Koordinasi SPBE dari hak akses"),
            (20, "core.shared_platform", shared_platform, "Kolaborasi OPD pada platform bersama"),
        ],
    )
    register_indicator_rules(
        "indeks-pemdi-2025-konsep",
        [
            (6, "core.coordination_team.pemdi", coordination_team, "Skalabilitas koordinasi internal dari hak akses"),
            (7, "core.shared_platform.pemdi", shared_platform, "Kolaborasi OPD pada platform bersama"),
        ],
    )
