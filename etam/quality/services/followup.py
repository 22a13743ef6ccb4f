"""Rencana tindak lanjut: the follow-up plan for the lowest elements of a survey period."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from etam.core import changes
from etam.core.actors import Person
from etam.core.fieldvalues import stored_values
from etam.core.permissions import require
from etam.quality import periods, permissions
from etam.quality.models import FollowUpPlan

FIELDS = ("action", "owner", "due_date", "status")


def followup_save(
    *,
    actor: Person,
    agency: Any,
    period: str,
    element: int,
    action: str,
    owner: str,
    due_date: date | None,
    status: str = FollowUpPlan.Status.PLANNED,
) -> FollowUpPlan:
    """Create or update the plan of one element of an OPD's period (one per element)."""
    require(actor, permissions.MANAGE_FOLLOWUP, agency)
    action, owner = (action or "").strip(), (owner or "").strip()
    errors: dict[str, str] = {}
    if periods.bounds(period) is None:
        errors["period"] = _("Period: write a year (2026) or a half-year (2026-S1).")
    if not 1 <= element <= 9:
        errors["element"] = _("Element: choose one of the nine elements.")
    if not action:
        errors["action"] = _("Action: write what will be done.")
    elif len(action) > 2000:
        errors["action"] = _("Action: at most 2000 characters.")
    if not owner:
        errors["owner"] = _("Owner: write who is responsible.")
    elif len(owner) > 200:
        errors["owner"] = _("Owner: at most 200 characters.")
    if due_date is None:
        errors["due_date"] = _("Due date: write a date (YYYY-MM-DD).")
    if status not in FollowUpPlan.Status.values:
        errors["status"] = _("Status: choose one of the options.")
    if errors or due_date is None:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = FollowUpPlan.objects.select_for_update().filter(agency=agency, period=period, element=element).first()
        before = stored_values(plan, FIELDS) if plan else None
        if plan is None:
            plan = FollowUpPlan(
                agency=agency, institution_id=agency.institution_id, period=period, element=element, created_by=actor
            )
        plan.action, plan.owner, plan.due_date, plan.status = action, owner, due_date, status
        plan.save()
        changes.record_change(actor, "quality.followup_save", plan, FIELDS, before=before)
    return plan
