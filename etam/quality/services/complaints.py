"""Complaints (pengaduan, saran, pujian): filed with or without an account, routed to the OPD
with an SLA in working days, handled and answered (docs/adr/0138)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit
from etam.core.actors import Actor, Person
from etam.core.models import User
from etam.core.permissions import require
from etam.eservices import workdays  # quality → eservices: the shared working-day calendar (pyproject)
from etam.quality import lapor, permissions
from etam.quality.models import Complaint
from etam.quality.selectors import receipt_digest

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
            complaint.lapor_status = lapor.forwarder().forward(complaint)
        complaint.save()
        audit.record(actor=actor, action="quality.complaint_submit", target=complaint, after={"kind": kind})
    return complaint, receipt


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
        audit.record(
            actor=actor,
            action="quality.complaint_act",
            target=locked,
            before=before,
            after={"state": locked.state, "action": action},
        )
    return locked
