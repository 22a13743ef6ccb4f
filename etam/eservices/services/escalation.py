"""Escalating overdue cases to the OPD admins."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit
from etam.core.models import Role, RoleGrant
from etam.eservices import notifications, workdays
from etam.eservices.models import (
    Application,
    ApplicationEvent,
)
from etam.eservices.workflow import Workflow


def escalate_overdue(*, today: date | None = None) -> int:
    """Escalate open cases past their state deadline to the OPD admins (once per state
    visit), recording it on the timeline and in the audit trail. Idempotent."""
    today = today or timezone.localdate()
    count = 0
    candidates = list(
        Application.objects.filter(closed_at__isnull=True, escalated_at__isnull=True, due_date__lt=today)
        .order_by("due_date")
        .values_list("pk", flat=True)[:500]
    )
    for pk in candidates:
        with transaction.atomic():
            locked = (
                Application.objects.select_for_update()
                .select_related("version", "service", "applicant")
                .filter(pk=pk, closed_at__isnull=True, escalated_at__isnull=True, due_date__lt=today)
                .first()
            )
            if locked is None:
                continue
            workflow = Workflow(locked.version.workflow)
            if workflow.waiting_for(locked.state) == "applicant":
                continue
            admin_users = [
                grant.user
                for grant in RoleGrant.objects.active()
                .filter(role=Role.AGENCY_ADMIN, agency_id=locked.agency_id, user__is_active=True)
                .select_related("user")
                .order_by("user_id")
            ]
            admins = [user.full_name or str(user) for user in admin_users]
            overdue = workdays.working_days_between(locked.due_date, today) if locked.due_date else 0
            locked.escalated_at = timezone.now()
            locked.save(update_fields=["escalated_at", "updated_at"])
            ApplicationEvent.objects.create(
                application=locked,
                actor=None,
                actor_label="sistem",
                kind=ApplicationEvent.Kind.ESCALATED,
                from_state=locked.state,
                to_state=locked.state,
                message=_("Past its deadline by %(days)s working day(s); escalated to the OPD admin: %(admins)s.")
                % {"days": overdue, "admins": ", ".join(admins) or "—"},
                internal=True,
            )
            audit.record(
                actor=None,
                action="eservices.application_escalate",
                target=locked,
                after={"state": locked.state, "due_date": locked.due_date, "admins": admins},
            )
            notifications.queue_staff(
                locked,
                "escalated_staff",
                admin_users,
                {
                    "days": overdue,
                    "state": str(workflow.state_label(locked.state)),
                    "due_date": locked.due_date.isoformat() if locked.due_date else "",
                },
            )
            count += 1
    return count
