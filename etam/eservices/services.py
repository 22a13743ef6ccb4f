"""Business operations of the electronic-services module.

One function per operation, keyword-only, ``<entity>_<verb>(*, actor, ...)``: each
checks permission, changes state, writes the audit event in the same transaction and
schedules side effects (notifications, document generation) with ``on_commit``.
HTML views, the API, jobs and management commands all come through here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from etam.core import audit, crypto
from etam.core.models import Agency, Role, RoleGrant
from etam.core.permissions import Scope, has_perm, require
from etam.eservices import definitions, formengine, notifications, tracking, workdays
from etam.eservices.models import (
    Application,
    ApplicationEvent,
    Draft,
    IssuedDocument,
    Service,
    ServiceVersion,
    UploadedFile,
)
from etam.eservices.workflow import Workflow, actor_roles, staff_roles_over

PERM_MANAGE = "eservices.manage_service"
PERM_PROCESS = "eservices.process_application"
PERM_VIEW = "eservices.view_application"
PERM_STATS = "eservices.view_statistics"
PERM_REVOKE = "eservices.revoke_document"
PERM_ESCALATION = "eservices.receive_escalation"
PERM_SIGN = "eservices.sign_document"

ROLE_PERMISSIONS = {
    Role.SERVICE_OFFICER: {PERM_PROCESS, PERM_VIEW},
    Role.AGENCY_ADMIN: {PERM_MANAGE, PERM_PROCESS, PERM_VIEW, PERM_STATS, PERM_REVOKE, PERM_ESCALATION},
    Role.INSTITUTION_ADMIN: {PERM_VIEW, PERM_STATS},
    Role.SPBE_COORDINATOR: {PERM_STATS},
    Role.SIGNATORY: {PERM_SIGN, PERM_VIEW},
}


class ApplicationRefused(Exception):
    """A submission or action that cannot be accepted; ``errors`` maps field → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


# ======================================================================================
# Catalogue and definitions


SERVICE_FIELDS = (
    "name",
    "summary",
    "eligibility",
    "requirements",
    "legal_basis",
    "fee",
    "sla_days",
    "output_document",
    "sector",
    "contact",
    "code",
)


def _service_snapshot(service: Service) -> dict[str, Any]:
    return {f: getattr(service, f) for f in (*SERVICE_FIELDS, "status", "slug")}


def _unique_slug(name: str, agency: Agency) -> str:
    base = slugify(f"{name}-{agency.code}-{agency.institution.region_code}")[:70] or "layanan"
    slug, n = base, 2
    while Service.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def service_create(*, actor: Any, agency: Agency, data: dict[str, Any]) -> Service:
    require(actor, PERM_MANAGE, agency)
    with transaction.atomic():
        service = Service(agency=agency, institution_id=agency.institution_id)
        for name in SERVICE_FIELDS:
            if name in data:
                setattr(service, name, data[name])
        service.slug = data.get("slug") or _unique_slug(service.name, agency)
        service.full_clean()
        service.save()
        audit.record(actor=actor, action="eservices.service_create", target=service, after=_service_snapshot(service))
    return service


def service_update(*, actor: Any, service: Service, data: dict[str, Any]) -> Service:
    require(actor, PERM_MANAGE, service)
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        before = _service_snapshot(service)
        for name in SERVICE_FIELDS:
            if name in data:
                setattr(service, name, data[name])
        service.full_clean()
        service.save()
        audit.record(
            actor=actor,
            action="eservices.service_update",
            target=service,
            before=before,
            after=_service_snapshot(service),
        )
    return service


def version_create(
    *,
    actor: Any,
    service: Service,
    form: Any,
    workflow: Any,
    document_template: Any,
    notes: str = "",
) -> ServiceVersion:
    """A new draft version; the definition is checked against the JSON Schemas."""
    require(actor, PERM_MANAGE, service)
    errors = definitions.validate_version(form, workflow, document_template)
    if errors:
        raise definitions.InvalidDefinition(errors)
    with transaction.atomic():
        last = ServiceVersion.objects.filter(service=service).aggregate(n=Max("number"))["n"] or 0
        version = ServiceVersion.objects.create(
            service=service,
            number=last + 1,
            form=form,
            workflow=workflow,
            document_template=document_template,
            notes=notes,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor=actor,
            action="eservices.version_create",
            target=version,
            institution_id=service.institution_id,
            agency_id=service.agency_id,
            after={"service": service.pk, "number": version.number},
        )
    return version


def version_update(
    *, actor: Any, version: ServiceVersion, form: Any, workflow: Any, document_template: Any, change: str = ""
) -> ServiceVersion:
    """Replace a draft's definition; ``change`` (e.g. ``field_add pages[0].fields[3] nik``,
    from the composer) is kept in the audit event."""
    require(actor, PERM_MANAGE, version.service)
    if version.status != ServiceVersion.Status.DRAFT:
        raise ValidationError(_("A published version cannot be changed; create a new version."), code="version_frozen")
    errors = definitions.validate_version(form, workflow, document_template)
    if errors:
        raise definitions.InvalidDefinition(errors)
    with transaction.atomic():
        version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != ServiceVersion.Status.DRAFT:
            raise ValidationError(_("A published version cannot be changed; create a new version."))
        version.form, version.workflow, version.document_template = form, workflow, document_template
        version.save()
        audit.record(
            actor=actor,
            action="eservices.version_update",
            target=version,
            institution_id=version.service.institution_id,
            agency_id=version.service.agency_id,
            after={"number": version.number, **({"change": change[:300]} if change else {})},
        )
    return version


def version_publish(*, actor: Any, version: ServiceVersion) -> ServiceVersion:
    """Publish a draft: it becomes the version new applications use; the previous one is
    superseded (cases already on it stay on it)."""
    service = version.service
    require(actor, PERM_MANAGE, service)
    errors = definitions.validate_version(version.form, version.workflow, version.document_template)
    if errors:
        raise definitions.InvalidDefinition(errors)
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != ServiceVersion.Status.DRAFT:
            raise ValidationError(_("Only a draft version can be published."), code="not_draft")
        ServiceVersion.objects.filter(service=service, status=ServiceVersion.Status.PUBLISHED).update(
            status=ServiceVersion.Status.SUPERSEDED
        )
        version.status = ServiceVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.published_by = actor if getattr(actor, "pk", None) else None
        version.save(update_fields=["status", "published_at", "published_by"])
        before = {"published_version": service.published_version_id, "status": service.status}
        service.published_version = version
        service.status = Service.Status.ACTIVE
        service.save(update_fields=["published_version", "status", "updated_at"])
        audit.record(
            actor=actor,
            action="eservices.version_publish",
            target=service,
            before=before,
            after={"published_version": version.pk, "status": service.status},
        )
    return version


def service_set_status(*, actor: Any, service: Service, status: str) -> Service:
    require(actor, PERM_MANAGE, service)
    if status not in Service.Status.values:
        raise ValidationError(_("Unknown status."))
    if status == Service.Status.ACTIVE and not service.published_version_id:
        raise ValidationError(_("Publish a version before opening the service."), code="no_version")
    with transaction.atomic():
        before = service.status
        Service.objects.filter(pk=service.pk).update(status=status, updated_at=timezone.now())
        service.status = status
        audit.record(
            actor=actor,
            action="eservices.service_status",
            target=service,
            before={"status": before},
            after={"status": status},
        )
    return service


def service_export(service: Service, version: ServiceVersion | None = None) -> dict[str, Any]:
    version = version or service.published_version
    if version is None:
        raise ValidationError(_("This service has no published version to export."))
    return {
        "format": definitions.EXPORT_FORMAT,
        "service": {
            "code": service.code,
            "slug": service.slug,
            "name": service.name,
            "summary": service.summary,
            "eligibility": service.eligibility,
            "requirements": service.requirement_list,
            "legal_basis": service.legal_basis_list,
            "fee": service.fee,
            "sla_days": service.sla_days,
            "output_document": service.output_document,
            "sector": service.sector,
            "contact": service.contact,
        },
        "version": version.number,
        "form": version.form,
        "workflow": version.workflow,
        "document_template": version.document_template,
    }


def service_import(*, actor: Any, agency: Agency, document: Any, publish: bool = False) -> Service:
    """Create a service (and a draft or published version) from an exported definition."""
    require(actor, PERM_MANAGE, agency)
    errors = definitions.validate_export(document)
    if errors:
        raise definitions.InvalidDefinition(errors)
    meta = document["service"]
    with transaction.atomic():
        data = {
            "code": meta["code"],
            "name": meta["name"],
            "summary": meta["summary"],
            "eligibility": meta.get("eligibility", ""),
            "requirements": "\n".join(meta.get("requirements", [])),
            "legal_basis": "\n".join(meta.get("legal_basis", [])),
            "fee": meta.get("fee", 0),
            "sla_days": meta["sla_days"],
            "output_document": meta.get("output_document", ""),
            "sector": meta["sector"],
            "contact": meta.get("contact", ""),
        }
        slug = meta.get("slug")
        if slug and not Service.objects.filter(slug=slug).exists():
            data["slug"] = slug
        service = service_create(actor=actor, agency=agency, data=data)
        version = version_create(
            actor=actor,
            service=service,
            form=document["form"],
            workflow=document["workflow"],
            document_template=document["document_template"],
            notes=_("Imported"),
        )
        if publish:
            version_publish(actor=actor, version=version)
    service.refresh_from_db()
    return service


# ======================================================================================
# Drafts and files


def draft_for(*, actor: Any, service: Service) -> Draft:
    """The citizen's draft for the service's published version (a new one if the version
    changed since: the old answers are kept where the field names still exist)."""
    version = service.published_version
    if version is None:
        raise PermissionDenied(_("This service is not open for applications."))
    draft = Draft.objects.filter(user=actor, service=service).first()
    if draft is None:
        draft, _created = Draft.objects.get_or_create(
            user=actor, service=service, defaults={"version": version, "data": {"answers": {}, "raw": {}}}
        )
    elif draft.version_id != version.pk:
        names = {f["name"] for _p, f, _g in definitions.iter_fields(version.form)}
        answers = {k: v for k, v in (draft.data or {}).get("answers", {}).items() if k in names}
        draft.version = version
        draft.data = {"answers": answers, "raw": {}}
        draft.page = 0
        draft.save()
    return draft


def draft_save(
    *, actor: Any, draft: Draft, answers: dict[str, Any], page: int, raw: dict[str, Any] | None = None
) -> Draft:
    if draft.user_id != actor.pk:
        raise PermissionDenied
    data = dict(draft.data or {})
    data["answers"] = answers
    raws = dict(data.get("raw") or {})
    page_id = draft.version.form["pages"][page]["id"] if page < len(draft.version.form["pages"]) else str(page)
    if raw is None:
        raws.pop(page_id, None)
    else:
        raws[page_id] = raw
    data["raw"] = raws
    draft.data = data
    draft.page = page
    draft.save(update_fields=["data", "page", "updated_at"])
    return draft


def draft_discard(*, actor: Any, draft: Draft) -> None:
    if draft.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        ids = formengine.file_ids(draft.version.form, (draft.data or {}).get("answers", {}))
        for upload in UploadedFile.objects.filter(pk__in=ids, owner=actor, application__isnull=True):
            upload.file.delete(save=False)
            upload.delete()
        draft.delete()


def file_store_for(actor: Any) -> formengine.FileStore:
    """Stores an accepted upload for ``actor``; returns the answer value."""

    def save(field_path: str, upload: Any, kind: str) -> dict[str, Any]:
        digest = formengine.file_digest(upload)
        stored = UploadedFile(
            owner=actor,
            field_path=field_path[:120],
            original_name=(upload.name or "berkas")[-200:],
            content_type=formengine.FILE_SIGNATURES[kind][1],
            size=upload.size,
            sha256=digest,
        )
        stored.file.save("berkas", upload, save=False)
        stored.save()
        return {"file_id": stored.pk, "name": stored.original_name, "size": stored.size, "type": kind}

    return formengine.FileStore(save=save)


# ======================================================================================
# Applications


@dataclass
class Submission:
    application: Application
    receipt_secret: str
    created: bool


def _request_digest(service_id: int, answers: dict[str, Any]) -> str:
    payload = json.dumps({"service": service_id, "answers": answers}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _deadlines(start: date, state_sla: int | None, service_sla: int) -> tuple[date | None, date]:
    span = max(state_sla or 0, service_sla)
    holidays = workdays.holidays_between(start, start + timedelta(days=span * 3 + 40))
    state_due = workdays.add_working_days(start, state_sla, holidays) if state_sla is not None else None
    return state_due, workdays.add_working_days(start, service_sla, holidays)


def _existing_submission(actor: Any, key: str, digest: str) -> Submission | None:
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


def submission_replay(*, actor: Any, idempotency_key: str, request_digest: str) -> Submission | None:
    """The earlier submission made with this key by this person, if any (a retry)."""
    return _existing_submission(actor, idempotency_key.strip()[:80], request_digest)


def application_submit(
    *,
    actor: Any,
    service: Service,
    answers: dict[str, Any],
    idempotency_key: str | None = None,
    request_digest: str | None = None,
    now: datetime | None = None,
    check_replay: bool = True,
    from_draft: bool = True,
) -> Submission:
    """Store a submission: validate, number, record — nothing slow on this path (no
    external call, no PDF, no email: those run after commit).

    ``check_replay=False`` skips the up-front look-up of an earlier submission with the
    same key (the caller did it, or accepts that a replay is found through the unique
    constraint instead); ``from_draft=False`` skips clearing the web draft (API)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to apply."))
    version = service.published_version
    if not service.is_open or version is None:
        raise ApplicationRefused({"service": _("This service is not open for applications.")})
    key = (idempotency_key or "").strip()[:80] or None
    digest = request_digest or _request_digest(service.pk, answers)
    if key and check_replay:
        replay = _existing_submission(actor, key, digest)
        if replay:
            return replay
    problems = formengine.validate_all(version.form, answers)
    if problems:
        raise ApplicationRefused(problems)
    workflow = Workflow(version.workflow)
    now = now or timezone.now()
    today = timezone.localdate(now)
    public, protected = formengine.split_protected(version.form, answers)
    nik = formengine.first_of_type(version.form, answers, "nik")
    phone = formengine.first_of_type(version.form, answers, "phone")
    holder = formengine.holder_name(version.form, answers) or actor.full_name or str(actor)
    state_due, service_due = _deadlines(today, workflow.sla_days(workflow.initial), service.sla_days)
    secret = tracking.new_receipt_secret(user_id=actor.pk, idempotency_key=key)
    agency = service.agency
    file_ids = formengine.file_ids(version.form, answers)
    if connection.vendor == "postgresql" and not file_ids and not from_draft:
        # The API path: two round trips for the whole write (ADR 0059 amendment).
        return _submit_in_one_statement(
            actor=actor,
            service=service,
            version=version,
            workflow=workflow,
            key=key,
            digest=digest,
            year=today.year,
            secret=secret,
            application=Application(
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
            ),
        )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                tracking_number=tracking.provisional_number(),
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
            if file_ids:
                UploadedFile.objects.filter(pk__in=file_ids, owner=actor, application__isnull=True).update(
                    application=application
                )
            ApplicationEvent.objects.create(
                application=application,
                at=now,
                actor=actor,
                actor_label=str(actor)[:200],
                kind=ApplicationEvent.Kind.SUBMITTED,
                to_state=workflow.initial,
            )
            if from_draft:
                Draft.objects.filter(user=actor, service=service).delete()
            notifications.queue(application, "submitted", dispatch=False)
            # Numbering last: the OPD's counter row stays locked only for the rest of this
            # transaction (one statement, the audit event and the commit).
            application.tracking_number = tracking.assign_number(
                application_id=application.pk,
                institution_id=service.institution_id,
                agency_id=service.agency_id,
                region_code=agency.institution.region_code,
                agency_code=agency.code,
                year=today.year,
            )
            audit.record(
                actor=actor,
                action="eservices.application_submit",
                target=application,
                after={"service": service.pk, "version": version.number, "state": application.state},
            )
    except IntegrityError:
        # A concurrent request with the same idempotency key committed first.
        if key:
            replay = _existing_submission(actor, key, digest)
            if replay:
                return replay
        raise
    return Submission(application=application, receipt_secret=secret, created=True)


def _submit_in_one_statement(
    *,
    actor: Any,
    service: Service,
    version: ServiceVersion,
    workflow: Workflow,
    key: str | None,
    digest: str,
    year: int,
    secret: str,
    application: Application,
) -> Submission:
    """PostgreSQL, no files, no draft: the same rows as the transactional path, written
    with one round trip to reserve the id and number (``tracking.reserve``, which also
    spots a retried key) and ONE statement for the case, its timeline event, the
    applicant's outbox rows and the audit event (``tracking.insert_together``). One
    statement is atomic, so the audit event still exists exactly when the case does."""
    agency = service.agency
    new_id, sequence = tracking.reserve(
        institution_id=service.institution_id,
        agency_id=service.agency_id,
        year=year,
        applicant_id=actor.pk,
        idempotency_key=key,
    )
    if sequence is None:  # a retry: this person already has a case under this key
        replay = _existing_submission(actor, key or "", digest)
        if replay:
            return replay
        raise IntegrityError("idempotency key seen but no case found")  # pragma: no cover
    application.pk = new_id
    application.tracking_number = tracking.format_number(agency.institution.region_code, agency.code, year, sequence)
    rows: list[Any] = [
        application,
        ApplicationEvent(
            application=application,
            at=application.submitted_at,
            actor=actor,
            actor_label=str(actor)[:200],
            kind=ApplicationEvent.Kind.SUBMITTED,
            to_state=workflow.initial,
        ),
        *notifications.rows_for(application, "submitted"),
        audit.build(
            actor=actor,
            action="eservices.application_submit",
            target=application,
            after={"service": service.pk, "version": version.number, "state": application.state},
        ),
    ]
    try:
        tracking.insert_together(rows)
    except IntegrityError:
        # A concurrent request with the same idempotency key committed first (its number
        # is the one gap this path can leave: the race loser's).
        if key:
            replay = _existing_submission(actor, key, digest)
            if replay:
                return replay
        raise
    return Submission(application=application, receipt_secret=secret, created=True)


def receipt_secret_renew(*, actor: Any, application: Application) -> str:
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


def _check_staff(actor: Any, application: Application) -> None:
    if not has_perm(actor, PERM_PROCESS, Scope(application.institution_id, application.agency_id)):
        raise PermissionDenied(_("You do not have permission for this action."))


@sensitive_variables("passphrase")
def application_act(
    *,
    actor: Any,
    application: Application,
    action: str,
    reason: str = "",
    answers: dict[str, Any] | None = None,
    passphrase: str = "",
) -> Application:
    """Take a workflow action. Refused (nothing changes) when the action does not leave
    the current state, the actor holds none of its roles over the case, or a required
    reason is missing. The applicant's correction (``answers``) replaces the answers.

    A step that issues a document is taken only by a signing official (penandatangan
    grant over the OPD, a signing identity). With ``passphrase`` the document is signed
    at once; a refused signature refuses the whole action. Without it, or when the
    signing service is down, the case moves on and the document waits in "to sign"
    (``application.signing_deferred`` says so). The passphrase goes nowhere else."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .select_related("version", "service", "applicant", "agency__institution")
            .get(pk=application.pk)
        )
        workflow = Workflow(locked.version.workflow)
        step = workflow.actions.get(action)
        if step is None or locked.state not in step.sources:
            raise ApplicationRefused(
                {
                    "action": _("The action “%(action)s” is not possible while the application is “%(state)s”.")
                    % {"action": step.label_text if step else action, "state": workflow.state_label(locked.state)}
                }
            )
        roles = actor_roles(actor, locked)
        if not (step.roles & roles):
            raise PermissionDenied(_("Your role may not take this action on this application."))
        if not step.by_applicant:
            _check_staff(actor, locked)
        if step.reason_required and not reason:
            raise ApplicationRefused({"reason": _("Reason: write why, so the applicant knows what to do.")})
        if step.issues_document:
            require_signatory(actor, locked)
        before = {"state": locked.state, "assigned_to": locked.assigned_to_id}
        now = timezone.now()
        today = timezone.localdate(now)
        if step.by_applicant and answers is not None:
            problems = formengine.validate_all(locked.version.form, answers)
            if problems:
                raise ApplicationRefused(problems)
            public, protected = formengine.split_protected(locked.version.form, answers)
            locked.answers, locked.protected_answers = public, protected or None
            nik = formengine.first_of_type(locked.version.form, answers, "nik")
            phone = formengine.first_of_type(locked.version.form, answers, "phone")
            locked.nik_digest = crypto.lookup_digest(nik, kind="nik") if nik else ""
            locked.phone_digest = crypto.lookup_digest(phone, kind="phone") if phone else ""
            locked.holder_name = (formengine.holder_name(locked.version.form, answers) or locked.holder_name)[:200]
            file_ids = formengine.file_ids(locked.version.form, answers)
            if file_ids:
                UploadedFile.objects.filter(pk__in=file_ids, owner=actor, application__isnull=True).update(
                    application=locked
                )
        from_state, to_state = locked.state, step.target
        locked.state = to_state
        locked.state_entered_at = now
        locked.escalated_at = None
        state_sla = workflow.sla_days(to_state)
        if workflow.is_terminal(to_state):
            locked.closed_at = now
            locked.due_date = None
            taken = workdays.working_days_between(timezone.localdate(locked.submitted_at), today)
            locked.working_days_taken = taken
            locked.met_sla = bool(locked.service_due_date and today <= locked.service_due_date)
            locked.decision_reason = reason
        else:
            locked.due_date = workdays.add_working_days(today, state_sla) if state_sla is not None else None
        if to_state and workflow.waiting_for(to_state) == "applicant":
            locked.revision_request = reason
        elif step.by_applicant:
            locked.revision_request = ""
        locked.save()
        kind = ApplicationEvent.Kind.RESUBMITTED if step.by_applicant else ApplicationEvent.Kind.ACTION
        ApplicationEvent.objects.create(
            application=locked,
            at=now,
            actor=actor,
            actor_label=str(actor)[:200],
            kind=kind,
            action=step.name,
            from_state=from_state,
            to_state=to_state,
            message=reason,
        )
        audit.record(
            actor=actor,
            action="eservices.application_act",
            target=locked,
            before=before,
            after={"state": to_state, "action": step.name, "reason": reason},
        )
        locked.signing_deferred = False
        if step.issues_document:
            document = _document_prepare(locked, today, actor)
            if passphrase:
                locked.signing_deferred = not _sign_now(document, passphrase)
            else:
                locked.signing_deferred = True
        event = "state_changed"
        if workflow.waiting_for(to_state) == "applicant" and not workflow.is_terminal(to_state):
            event = "revision_requested"
        elif workflow.outcome(to_state) == "approved":
            event = "approved"
        elif workflow.outcome(to_state) == "rejected":
            event = "rejected"
        notifications.queue(
            locked, event, {"state": workflow.state_label(to_state), "reason": reason, "action": step.label_text}
        )
    return locked


def signing_identity(actor: Any) -> Any:
    from etam.core.models import SigningIdentity

    pk = getattr(actor, "pk", None)
    return SigningIdentity.objects.filter(user_id=pk).first() if pk is not None else None


def require_signatory(actor: Any, application: Application) -> None:
    """Only an official with the penandatangan grant over the case's OPD and a signing
    identity may take a step that issues a document."""
    scope = Scope(application.institution_id, application.agency_id)
    if not has_perm(actor, PERM_SIGN, scope) or Role.SIGNATORY not in staff_roles_over(actor, scope):
        raise PermissionDenied(_("Only a signing official (penandatangan) of this OPD may approve and sign."))
    if signing_identity(actor) is None:
        raise PermissionDenied(_("You have no signing identity (NIK, NIP, position): ask your administrator."))


def signing_error_message(exc: Exception) -> str:
    from etam.eservices.signing import pki

    code = getattr(exc, "code", 0)
    if code == pki.WRONG_PASSPHRASE:
        return _("Passphrase: the signing service says the passphrase is wrong. Nothing was signed.")
    if code == pki.UNKNOWN_NIK:
        return _("Passphrase: your NIK is not registered at the signing service. Ask your administrator.")
    if code == pki.CERTIFICATE_REVOKED:
        return _("Passphrase: your electronic certificate is revoked at the signing service. Nothing was signed.")
    return _("Passphrase: the signing service refused the request. Nothing was signed.")


@sensitive_variables("passphrase")
def _sign_now(document: IssuedDocument, passphrase: str) -> bool:
    """True when signed; False when the service is down (the document stays to sign).
    A refusal raises ``ApplicationRefused`` so the caller's transaction rolls back."""
    from etam.eservices import documents
    from etam.eservices.signing.signer import SigningRefused, SigningUnavailable

    try:
        documents.sign_and_issue(document, passphrase=passphrase)
    except SigningRefused as exc:
        raise ApplicationRefused({"passphrase": signing_error_message(exc)}) from None
    except SigningUnavailable:
        return False
    return True


def _document_prepare(application: Application, today: date, signer: Any) -> IssuedDocument:
    template = application.version.document_template
    sequence = application.tracking_number.rsplit("-", 1)[-1]
    prefix = template.get("number_prefix") or application.service.code
    number = f"{prefix}/{sequence}/{application.agency.code}-{application.agency.institution.region_code}/{today.year}"
    identity = signing_identity(signer)
    return IssuedDocument.objects.create(
        application=application,
        number=number,
        code=tracking.verification_code(),
        holder_name=application.holder_name,
        issued_on=today,
        status=IssuedDocument.Status.TO_SIGN,
        signer=signer,
        signer_name=str(signer)[:150],
        signer_nip=identity.nip if identity else "",
        signer_position=(identity.position if identity else "")[:200],
    )


@dataclass
class SigningOutcome:
    signed: list[IssuedDocument]
    waiting: list[IssuedDocument]


@sensitive_variables("passphrase")
def documents_sign(*, actor: Any, documents_: list[IssuedDocument], passphrase: str) -> SigningOutcome:
    """Sign several documents from the official's "to sign" list with one passphrase
    entry. Each document is its own transaction; a refusal stops the batch (the same
    passphrase would be refused again) and is raised as ``ApplicationRefused``."""
    outcome = SigningOutcome([], [])
    if not passphrase:
        raise ApplicationRefused({"passphrase": _("Passphrase: enter your signing passphrase.")})
    for document in documents_:
        if document.signer_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("This document waits for another official's signature."))
        require_signatory(actor, document.application)
        if document.status == IssuedDocument.Status.ISSUED:
            continue
        with transaction.atomic():
            signed = _sign_now(document, passphrase)
        (outcome.signed if signed else outcome.waiting).append(document)
        if not signed:
            # The service is down: no point hammering it for the rest of the batch.
            outcome.waiting += [d for d in documents_ if d not in outcome.signed and d not in outcome.waiting]
            break
    return outcome


def application_assign(*, actor: Any, application: Application, assignee: Any | None) -> Application:
    _check_staff(actor, application)
    if assignee is not None and not has_perm(
        assignee, PERM_PROCESS, Scope(application.institution_id, application.agency_id)
    ):
        raise ApplicationRefused({"assignee": _("Assignee: this person does not handle applications of this OPD.")})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = locked.assigned_to_id
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to", "updated_at"])
        ApplicationEvent.objects.create(
            application=locked,
            actor=actor,
            actor_label=str(actor)[:200],
            kind=ApplicationEvent.Kind.ASSIGNED,
            message=str(assignee) if assignee else _("(unassigned)"),
            internal=True,
        )
        audit.record(
            actor=actor,
            action="eservices.application_assign",
            target=locked,
            before={"assigned_to": before},
            after={"assigned_to": assignee.pk if assignee else None},
        )
    return locked


def application_note(*, actor: Any, application: Application, text: str) -> ApplicationEvent:
    _check_staff(actor, application)
    text = (text or "").strip()
    if not text:
        raise ApplicationRefused({"note": _("Note: write something.")})
    with transaction.atomic():
        event = ApplicationEvent.objects.create(
            application=application,
            actor=actor,
            actor_label=str(actor)[:200],
            kind=ApplicationEvent.Kind.NOTE,
            message=text[:4000],
            internal=True,
        )
        audit.record(actor=actor, action="eservices.application_note", target=application, after={"note": event.pk})
    return event


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


def document_revoke(*, actor: Any, document: IssuedDocument, reason: str) -> IssuedDocument:
    application = document.application
    if not has_perm(actor, PERM_REVOKE, Scope(application.institution_id, application.agency_id)):
        raise PermissionDenied(_("You do not have permission for this action."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationRefused({"reason": _("Reason: write why the document is revoked.")})
    with transaction.atomic():
        locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
        if locked.revoked_at:
            raise ApplicationRefused({"document": _("This document is already revoked.")})
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.revoke_reason = reason[:2000]
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        ApplicationEvent.objects.create(
            application=application,
            actor=actor,
            actor_label=str(actor)[:200],
            kind=ApplicationEvent.Kind.DOCUMENT_REVOKED,
            message=reason,
        )
        audit.record(
            actor=actor,
            action="eservices.document_revoke",
            target=application,
            object_type="eservices.issueddocument",
            object_id=locked.pk,
            object_repr=locked.number,
            after={"revoked": True, "reason": reason},
        )
    return locked
