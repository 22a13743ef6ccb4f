"""Complaints (pengaduan, saran, pujian): filed with or without an account, routed to the OPD
with an SLA in working days, handled and answered (docs/adr/0138)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Actor, Person
from etam.core.models import User
from etam.core.permissions import require
from etam.eservices import (
    notifications,  # quality → eservices: the shared staff notifications (pyproject)
    workdays,  # quality → eservices: the shared working-day calendar (pyproject)
)
from etam.quality import lapor, permissions
from etam.quality.models import Complaint
from etam.quality.selectors import complaint_handlers, receipt_digest

NEW_COMPLAINT_EVENT = "complaint_received"

SLA_WORKING_DAYS = 5  # the agency's time to answer in the SP4N-LAPOR! flow
TRANSITIONS = {
    "proses": ({Complaint.State.RECEIVED}, Complaint.State.IN_PROGRESS),
    "jawab": ({Complaint.State.RECEIVED, Complaint.State.IN_PROGRESS}, Complaint.State.ANSWERED),
    "tutup": ({Complaint.State.ANSWERED}, Complaint.State.CLOSED),
}


def answer_due(day: date) -> date:
    """The day an answer is due: ``SLA_WORKING_DAYS`` working days after ``day`` (holidays and
    cuti bersama excluded, the e-services calendar)."""
    return workdays.add_working_days(day, SLA_WORKING_DAYS)


def complaint_submit(
    *, actor: Actor, data: Mapping[str, Any], service: Any | None, agency: Any | None
) -> tuple[Complaint, str]:
    """File a complaint; returns it and the receipt code (shown once). ``service`` (one of the
    published services) routes it to its OPD; without one, ``agency`` is the OPD chosen."""
    kind = str(data.get("kind") or "")
    text = str(data.get("text") or "").strip()
    name = str(data.get("reporter_name") or "").strip()
    case_reference = str(data.get("case_reference") or "").strip()
    errors: dict[str, str] = {}
    if kind not in Complaint.Kind.values:
        errors["kind"] = _("Type: choose complaint, suggestion or compliment.")
    if not text:
        errors["text"] = _("Your message: write what happened or what you suggest.")
    elif len(text) > 4000:
        errors["text"] = _("Your message: at most 4000 characters.")
    if len(name) > 200:
        errors["reporter_name"] = _("Name: at most 200 characters.")
    if len(case_reference) > 40:
        errors["case_reference"] = _("Case number: at most 40 characters.")
    target = service.agency if service is not None else agency
    if target is None:
        errors["service"] = _("Service: choose the service or the agency the message is about.")
    if errors or target is None:
        raise ValidationError(errors)
    receipt = "ADU-" + secrets.token_hex(6).upper()
    today = timezone.localdate()
    with transaction.atomic():
        complaint = Complaint(
            kind=kind,
            service=service,
            agency=target,
            institution_id=target.institution_id,
            case_reference=case_reference,
            text=text,
            reporter=actor if isinstance(actor, User) and actor.is_authenticated else None,
            reporter_name=name,
            receipt_digest=receipt_digest(receipt),
            due_date=answer_due(today),
        )
        if kind == Complaint.Kind.COMPLAINT:
            complaint.lapor_status = lapor.QUEUED  # forwarded by complaints_forward_queued, after commit
        complaint.save()
        audit.record(actor=actor, action="quality.complaint_submit", target=complaint, after={"kind": kind})
        _notify_handlers(complaint)
    return complaint, receipt


def _notify_handlers(complaint: Complaint) -> None:
    """The OPD's own handlers (petugas layanan, admin OPD) hear of a new message through the
    e-services notification outbox, sent after commit (ADR 0165). The message text is not in
    the notification (it may hold personal data and goes by SMS); the link leads to it."""
    notifications.queue_staff_message(
        NEW_COMPLAINT_EVENT,
        complaint_handlers(complaint.agency_id),
        {
            "kind": complaint.kind,
            "complaint": complaint.pk,
            "agency": complaint.agency.name,
            "about": complaint.service.name if complaint.service else complaint.agency.name,
            "due_date": complaint.due_date.isoformat(),
            "sla_days": SLA_WORKING_DAYS,
            "staff_url": reverse("quality:complaint", args=[complaint.pk]),
        },
    )


def complaint_act(*, actor: Person, complaint: Complaint, action: str, answer: str = "") -> Complaint:
    """Move a complaint on: proses, jawab (with the answer the citizen sees), tutup."""
    require(actor, permissions.HANDLE_COMPLAINT, complaint)
    answer = (answer or "").strip()
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        step = TRANSITIONS.get(action)
        if step is None or locked.state not in step[0]:
            raise ValidationError(
                {
                    "action": _("This step is not possible while the message is “%(state)s”.")
                    % {"state": locked.get_state_display()}
                }
            )
        if action == "jawab" and not answer:
            raise ValidationError({"answer": _("Answer: write the answer the citizen will read.")})
        if len(answer) > 4000:
            raise ValidationError({"answer": _("Answer: at most 4000 characters.")})
        before = {"state": locked.state}
        locked.state = step[1]
        locked.handled_by = actor
        if action == "jawab":
            locked.answer, locked.answered_at = answer, timezone.now()
        locked.save()
        changes.record_change(actor, "quality.complaint_act", locked, ["state"], before=before, also={"action": action})
    return locked


def complaints_forward_queued(*, limit: int = 200) -> int:
    """Hand queued complaints to SP4N-LAPOR! (the periodic job; system action). Returns how many
    LAPOR! accepted; the others stay queued for the next run."""
    send = lapor.connector().send
    if send is None:
        return 0
    sent = 0
    queued = Complaint.objects.filter(lapor_status=lapor.QUEUED).select_related("agency", "service").order_by("pk")
    for complaint in queued[:limit]:
        tracking = send(
            lapor.Outgoing(
                reference=f"ETAM-ADU-{complaint.pk}",
                title=(complaint.service.name if complaint.service else complaint.agency.name)[:150],
                body=complaint.text,
                category="Pelayanan Publik",
                agency_name=complaint.agency.name,
                filed_at=complaint.received_at,
            )
        )
        if not tracking:
            continue
        with transaction.atomic():
            updated = Complaint.objects.filter(pk=complaint.pk, lapor_status=lapor.QUEUED).update(
                lapor_status=lapor.SENT, lapor_tracking_id=tracking[:20]
            )
            if updated:
                audit.record(
                    actor="sistem",
                    action="quality.complaint_forwarded_lapor",
                    target=complaint,
                    after={"lapor_tracking_id": tracking[:20]},
                )
                sent += 1
    return sent


def complaints_lapor_refresh(*, limit: int = 500) -> int:
    """Read back the stage of forwarded complaints not yet closed there (the periodic job)."""
    stage_of = lapor.connector().stage
    if stage_of is None:
        return 0
    changed = 0
    forwarded = Complaint.objects.filter(lapor_status=lapor.SENT).exclude(lapor_stage="selesai").order_by("pk")
    for complaint in forwarded[:limit]:
        stage = stage_of(complaint.lapor_tracking_id)
        if stage and stage != complaint.lapor_stage:
            Complaint.objects.filter(pk=complaint.pk).update(lapor_stage=stage[:20])
            changed += 1
    return changed
