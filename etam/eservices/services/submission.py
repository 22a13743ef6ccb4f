"""Filing an application: the one submit path every channel calls (docs/adr/0093)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, crypto
from etam.core.actors import Actor, Person
from etam.eservices import formengine, hooks, notifications, tracking, workdays
from etam.eservices.models import (
    Application,
    ApplicationEvent,
    Draft,
    Service,
    ServiceVersion,
    UploadedFile,
)
from etam.eservices.services._base import (
    ApplicationRefused,
)
from etam.eservices.workflow import Workflow


@dataclass
class Submission:
    application: Application
    receipt_secret: str
    created: bool


def submission_digest(service_id: int, answers: dict[str, Any]) -> str:
    """What a submission's Idempotency-Key is bound to (a key reused for other content is refused)."""
    payload = json.dumps({"service": service_id, "answers": answers}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _deadlines(start: date, state_sla: int | None, service_sla: int) -> tuple[date | None, date]:
    span = max(state_sla or 0, service_sla)
    holidays = workdays.holidays_between(start, start + timedelta(days=span * 3 + 40))
    state_due = workdays.add_working_days(start, state_sla, holidays) if state_sla is not None else None
    return state_due, workdays.add_working_days(start, service_sla, holidays)


def _existing_submission(actor: Person, key: str, digest: str) -> Submission | None:
    existing = Application.objects.filter(applicant=actor, idempotency_key=key).select_related("service").first()
    if existing is None:
        return None
    if existing.request_digest and existing.request_digest != digest:
        raise ApplicationRefused(
            {"Idempotency-Key": _("This key was already used for a different submission; use a new key.")}
        )
    return Submission(
        application=existing,
        receipt_secret=tracking.new_receipt_secret(user_id=actor.pk, idempotency_key=key),
        created=False,
    )


def submission_replay(*, actor: Person, idempotency_key: str, request_digest: str) -> Submission | None:
    """The earlier submission made with this key by this person, if any (a retry)."""
    return _existing_submission(actor, idempotency_key.strip()[:80], request_digest)


def _filing_version(service: Service, version: ServiceVersion | None) -> ServiceVersion:
    """The version a case is filed under: the published one, or the one the caller names
    (offline: the version the form was filled in, while it still accepts). Either must
    belong to this open service and have been published."""
    current = service.published_version
    if not service.is_open or current is None:
        raise ApplicationRefused({"service": _("This service is not open for applications.")})
    if version is None or version.pk == current.pk:
        return current
    if version.service_id != service.pk or version.status == ServiceVersion.Status.DRAFT:
        raise ApplicationRefused({"version": _("Version: not a published version of this service.")})
    return version


def application_submit(
    *,
    actor: Person,
    service: Service,
    answers: dict[str, Any],
    version: ServiceVersion | None = None,
    idempotency_key: str | None = None,
    request_digest: str | None = None,
    now: datetime | None = None,
    check_replay: bool = True,
    from_draft: bool = True,
    guard: tuple[str, list[Any]] | None = None,
) -> Submission:
    """Store a submission — the one submit path of the web form, the API, offline intake
    and bundles: validate, number, record; nothing slow (no external call, no PDF, no
    email: those run after commit).

    ``version`` files the case under an older published version (the caller decides it
    still accepts, e.g. ``etam.offline.services.version_for``); by default the published
    one. ``check_replay=False`` skips the up-front look-up of an earlier submission with
    the same key (the caller did it, or accepts that a replay is found through the unique
    constraint instead); ``from_draft=False`` skips clearing the web draft (API).
    ``guard`` (``selectors_api.loaded_service``) is checked where the number is taken: when
    it no longer holds, ``tracking.GuardFailed`` and nothing is written (ADR 0169)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to apply."))
    version = _filing_version(service, version)
    key = (idempotency_key or "").strip()[:80] or None
    digest = request_digest or submission_digest(service.pk, answers)
    if key and check_replay:
        replay = _existing_submission(actor, key, digest)
        if replay:
            return replay
    problems = formengine.validate_all(version.form, answers)
    if problems:
        raise ApplicationRefused(problems)
    workflow = Workflow(version.workflow)
    now = now or timezone.now()
    public, protected = formengine.split_protected(version.form, answers)
    nik = formengine.first_of_type(version.form, answers, "nik")
    phone = formengine.first_of_type(version.form, answers, "phone")
    holder = formengine.holder_name(version.form, answers) or actor.full_name or str(actor)
    state_due, service_due = _deadlines(timezone.localdate(now), workflow.sla_days(workflow.initial), service.sla_days)
    secret = tracking.new_receipt_secret(user_id=actor.pk, idempotency_key=key)
    # The case is built here, once; ``_write`` only chooses how its rows reach the database.
    application = Application(
        service=service,
        version=version,
        agency_id=service.agency_id,
        institution_id=service.institution_id,
        applicant=actor,
        holder_name=holder[:200],
        state=workflow.initial,
        answers=public,
        protected_answers=protected or None,
        nik_digest=crypto.lookup_digest(nik, kind="nik") if nik else "",
        phone_digest=crypto.lookup_digest(phone, kind="phone") if phone else "",
        receipt_secret_digest=tracking.secret_digest(tracking.secret_binding(actor.pk, digest), secret),
        idempotency_key=key,
        request_digest=digest,
        submitted_at=now,
        state_entered_at=now,
        due_date=state_due,
        service_due_date=service_due,
    )
    file_ids = formengine.file_ids(version.form, answers)
    try:
        written = _write(actor, application, file_ids=file_ids, clear_draft=from_draft, guard=guard)
    except IntegrityError:
        # A concurrent request with the same idempotency key committed first (on
        # PostgreSQL's one statement its number is the one gap: the race loser's).
        replay = _existing_submission(actor, key, digest) if key else None
        if replay:
            return replay
        raise
    if not written:  # a retry: this person already has a case under this key
        replay = _existing_submission(actor, key or "", digest)
        if replay:
            return replay
        raise IntegrityError("idempotency key seen but no case found")  # pragma: no cover
    submitted = hooks.SubmittedCase(
        application_id=application.pk,
        agency_id=application.agency_id,
        institution_id=application.institution_id,
        nik=nik or "",
        full_name=holder,
        birth_date=_nik_birth_date(version.form, answers),
    )
    # After commit and robust: a module's follow-up (e.g. the NIK check) never costs the receipt.
    transaction.on_commit(lambda: hooks.case_submitted(submitted), robust=True)
    return Submission(application=application, receipt_secret=secret, created=True)


def _nik_birth_date(form: dict[str, Any], answers: dict[str, Any]) -> date | None:
    """The birth date the form pairs with its NIK: the field a ``nik_matches`` rule on the NIK
    names, else a date field whose name says *lahir*."""
    paired = ""
    candidates = []
    for page in form.get("pages", []):
        for spec in page.get("fields", []):
            if spec.get("type") == "nik":
                for rule in spec.get("rules") or []:
                    if isinstance(rule, dict) and rule.get("kind") == "nik_matches" and rule.get("birth_date"):
                        paired = paired or str(rule["birth_date"])
            elif spec.get("type") == "date" and "lahir" in str(spec.get("name", "")):
                candidates.append(str(spec["name"]))
    for name in [paired, *candidates]:
        value = answers.get(name) if name else None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                continue
    return None


def _rows_with(actor: Person, application: Application) -> list[Any]:
    """What is written with the case: its timeline event, the applicant's outbox rows
    (sent by the ``deliver_notifications`` job, which keeps the path to one commit) and
    the audit event."""
    return [
        ApplicationEvent(
            application=application,
            at=application.submitted_at,
            actor=actor,
            actor_label=str(actor)[:200],
            kind=ApplicationEvent.Kind.SUBMITTED,
            to_state=application.state,
        ),
        *notifications.rows_for(application, "submitted"),
        audit.build(
            actor=actor,
            action="eservices.application_submit",
            target=application,
            after={
                "service": application.service_id,
                "version": application.version.number,
                "state": application.state,
            },
        ),
    ]


def _write(
    actor: Person,
    application: Application,
    *,
    file_ids: list[int],
    clear_draft: bool,
    guard: tuple[str, list[Any]] | None = None,
) -> bool:
    """Write the case and ``_rows_with`` it; False when this person already has a case
    under its Idempotency-Key (nothing written, no number taken).

    The seam: on PostgreSQL, when there are no uploads to attach and no draft to clear
    (the API and the bundle path), ONE statement writes everything after one round trip
    for the id and number (``tracking.reserve`` / ``tracking.insert_together``; a single
    statement is atomic, so the audit event exists exactly when the case does). Otherwise
    — SQLite, or uploads/draft — one transaction writes the same rows."""
    service = application.service
    region, agency_code = service.agency.institution.region_code, service.agency.code
    year = timezone.localdate(application.submitted_at).year
    scope = {"institution_id": service.institution_id, "agency_id": service.agency_id, "year": year}
    if connection.vendor == "postgresql" and not file_ids and not clear_draft:
        new_id, sequence = tracking.reserve(
            **scope, applicant_id=actor.pk, idempotency_key=application.idempotency_key, guard=guard
        )
        if sequence is None:
            return False
        application.pk = new_id
        application.tracking_number = tracking.format_number(region, agency_code, year, sequence)
        tracking.insert_together([application, *_rows_with(actor, application)])
        return True
    with transaction.atomic():
        tracking.check_guard(guard)
        application.tracking_number = tracking.format_number(region, agency_code, year, tracking.next_sequence(**scope))
        application.save(force_insert=True)
        if file_ids:
            UploadedFile.objects.filter(pk__in=file_ids, owner=actor, application__isnull=True).update(
                application=application
            )
        if clear_draft:
            Draft.objects.filter(user=actor, service=service).delete()
        for model, rows in groupby(_rows_with(actor, application), key=type):
            manager: Any = model._default_manager  # type: ignore[attr-defined]
            manager.bulk_create(list(rows))
    return True


def receipt_secret_renew(*, actor: Actor, application: Application) -> str:
    """The applicant replaces a lost receipt secret (the old one stops working)."""
    if actor.pk != application.applicant_id:
        raise PermissionDenied
    secret = tracking.new_receipt_secret(user_id=actor.pk, idempotency_key=None)
    binding = tracking.secret_binding(application.applicant_id, application.request_digest)
    with transaction.atomic():
        Application.objects.filter(pk=application.pk).update(
            receipt_secret_digest=tracking.secret_digest(binding, secret)
        )
        audit.record(actor=actor, action="eservices.receipt_renew", target=application)
    return secret
