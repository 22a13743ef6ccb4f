"""Dukcapil NIK verification of e-service cases, after the submission is stored (ADR 0153).

``nik_verification_request`` (the e-services ``case_submitted`` hook) records the check and
queues it; ``nik_verification_run`` asks Dukcapil through the connector; a periodic job retries
the ones Dukcapil could not answer, with back-off. A case is never refused or held up: the
officer sees "Verifikasi NIK tertunda" in the inbox until an answer comes.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from etam.interop.connectors import dukcapil
from etam.interop.models import NikVerification

RETRY_BASE = timedelta(minutes=10)
RETRY_CAP = timedelta(hours=6)


def nik_verification_request(
    *, application_id: int, agency_id: int, institution_id: int, nik: str, full_name: str, birth_date: date | None
) -> NikVerification | None:
    """Record and queue a check (system action; idempotent per case). Nothing when the form asks
    for no NIK or no birth date to compare with."""
    if not nik or birth_date is None:
        return None
    check, created = NikVerification.objects.get_or_create(
        application_id=application_id,
        defaults={
            "agency_id": agency_id,
            "institution_id": institution_id,
            "subject": {"nik": nik, "name": full_name, "birth_date": birth_date.isoformat()},
            "next_attempt_at": timezone.now(),
        },
    )
    if created:
        from etam.interop.tasks import verify_nik

        transaction.on_commit(lambda: verify_nik.enqueue(check.pk))
    return check


def nik_verification_run(check_id: int) -> NikVerification | None:
    """One attempt. A final answer drops the NIK; "unavailable" schedules the next attempt."""
    with transaction.atomic():
        check = NikVerification.objects.select_for_update().filter(pk=check_id).first()
        if check is None or check.status in (NikVerification.Status.VERIFIED, NikVerification.Status.MISMATCH):
            return check
        subject = check.subject or {}
    result = dukcapil.verify_nik(
        nik=str(subject.get("nik", "")),
        full_name=str(subject.get("name", "")),
        birth_date=date.fromisoformat(str(subject.get("birth_date"))),
    )
    now = timezone.now()
    check.attempts += 1
    check.checked_at = now
    check.reason = result.reason[:60]
    if result.final:
        check.status = result.status
        check.subject = None
        check.next_attempt_at = None
    else:
        check.status = NikVerification.Status.UNAVAILABLE
        check.next_attempt_at = now + min(RETRY_CAP, RETRY_BASE * 2 ** min(check.attempts - 1, 6))
    check.save(update_fields=["attempts", "checked_at", "reason", "status", "subject", "next_attempt_at"])
    return check


def nik_verifications_retry_due(*, limit: int = 500) -> int:
    """Attempt every check whose next attempt is due (the periodic job); how many were tried."""
    due = list(
        NikVerification.objects.filter(
            status__in=[NikVerification.Status.PENDING, NikVerification.Status.UNAVAILABLE],
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        nik_verification_run(pk)
    return len(due)
