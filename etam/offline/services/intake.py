"""An outbox item becomes an eservices case exactly once, under the version it was filled in."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from etam.core import audit, crypto
from etam.core.actors import Person
from etam.core.validators import normalise_phone
from etam.eservices import formengine
from etam.eservices import services as eservices
from etam.eservices.models import Application, Service, ServiceVersion
from etam.eservices.submission_form import FormData, clean_submission
from etam.offline.models import AssistedSubmission, Bundle, ChunkedUpload
from etam.offline.services._base import (
    KEY_PATTERN,
    Refused,
    can_assist,
    grace_days,
)

# ======================================================================================
# Versions


def version_for(service: Service, number: int | None, *, now: datetime | None = None) -> ServiceVersion:
    """The version an item is filed under, or ``Refused`` saying what to do."""
    if not service.is_open or service.published_version is None:
        raise Refused(
            "service_closed",
            _(
                "The service “%(service)s” is not accepting applications at the moment. Your answers stay on this "
                "device; contact the office or try again later."
            )
            % {"service": service.name},
            {"service": _("Service: not accepting applications now.")},
        )
    current = service.published_version
    if number is None or number == current.number:
        return current
    version = ServiceVersion.objects.filter(service=service, number=number).first()
    if version is None or version.status == ServiceVersion.Status.DRAFT:
        raise Refused(
            "version_unknown",
            _("Form version %(n)s of “%(service)s” does not exist. Open the current form and fill it in again.")
            % {"n": number, "service": service.name},
            {"version": _("Version: no published version %(n)s.") % {"n": number}},
        )
    if version.status == ServiceVersion.Status.PUBLISHED:  # pragma: no cover - equals current
        return version
    successor = (
        ServiceVersion.objects.filter(service=service, number__gt=version.number, published_at__isnull=False)
        .order_by("number")
        .first()
    )
    replaced_at = successor.published_at if successor else None
    now = now or timezone.now()
    if replaced_at is not None and now - replaced_at <= timedelta(days=grace_days()):
        return version
    when = timezone.localtime(replaced_at).strftime("%d-%m-%Y") if replaced_at else "?"
    raise Refused(
        "version_expired",
        _(
            "The form of “%(service)s” you filled in (version %(old)s) was replaced on %(date)s and no longer "
            "accepts applications. Open the current form (version %(new)s), check your answers and send it again; "
            "your saved answers stay on this device until you delete them."
        )
        % {"service": service.name, "old": version.number, "date": when, "new": current.number},
        {
            "version": _("Version: version %(old)s no longer accepts; use version %(new)s.")
            % {"old": version.number, "new": current.number}
        },
        status=409,
    )


# ======================================================================================
# Assisted entry


@dataclass
class Assisted:
    citizen_name: str
    nik: str
    phone: str
    consent: bool
    consent_text: str
    consent_at: datetime
    place: str = ""

    def as_digest_input(self) -> dict[str, Any]:
        return {"name": self.citizen_name, "nik": self.nik, "phone": self.phone, "place": self.place}


def parse_assisted(raw: dict[str, Any] | None) -> Assisted | None:
    if raw is None:
        return None
    errors: dict[str, str] = {}
    name = str(raw.get("citizen_name") or "").strip()
    if not name:
        errors["assisted.citizen_name"] = _("Citizen's name: write the full name of the citizen you are helping.")
    elif len(name) > 200:
        errors["assisted.citizen_name"] = _("Citizen's name: at most 200 characters.")
    nik = "".join(str(raw.get("nik") or "").split())
    if nik:
        try:
            nik = formengine.check_nik(nik, label=_("Citizen's NIK"))
        except formengine.FieldError as exc:
            errors["assisted.nik"] = exc.message
    phone = str(raw.get("phone") or "").strip()
    if phone:
        normalised = normalise_phone(phone, strict=False)
        if normalised is None:
            errors["assisted.phone"] = _(
                "Citizen's phone: not an Indonesian mobile number; write it like 0812xxxxxxxx."
            )
        else:
            phone = normalised
    if not nik and not phone:
        errors.setdefault(
            "assisted.nik", _("Citizen's NIK or phone: give at least one, so the citizen can be reached.")
        )
    consent = raw.get("consent") in (True, "1", "on", "ya", "true")
    if not consent:
        errors["assisted.consent"] = _(
            "Consent: tick the box only after the citizen agreed that you enter this application for them."
        )
    text = str(raw.get("consent_text") or "").strip()[:2000]
    try:
        consent_at = parse_datetime(str(raw.get("consent_at") or "")[:64]) or timezone.now()
    except ValueError:  # well formed but impossible, e.g. 30 February
        errors["assisted.consent_at"] = _("Consent time: not a real date and time.")
        consent_at = timezone.now()
    if timezone.is_naive(consent_at):
        consent_at = timezone.make_aware(consent_at)
    if errors:
        raise Refused("validation_error", _("Some input is invalid; see the list of fields."), errors)
    return Assisted(
        citizen_name=name,
        nik=nik,
        phone=phone,
        consent=True,
        consent_text=text or consent_text(),
        consent_at=consent_at,
        place=str(raw.get("place") or "").strip()[:200],
    )


def consent_text() -> str:
    return _(
        "The citizen agreed that an officer enters this application on their behalf and that the data "
        "given is processed for this service."
    )


def _record_assisted(
    *,
    actor: Person,
    application: Application,
    assisted: Assisted,
    key: str,
    channel: str,
    bundle: Bundle | None,
    imported_by: Any | None,
) -> AssistedSubmission:
    existing = AssistedSubmission.objects.filter(application=application).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        record = AssistedSubmission.objects.create(
            application=application,
            assisted_by=actor,
            citizen_name=assisted.citizen_name,
            citizen_contact={"nik": assisted.nik, "phone": assisted.phone},
            nik_digest=crypto.lookup_digest(assisted.nik, kind="nik") if assisted.nik else "",
            consent=True,
            consent_text=assisted.consent_text,
            consent_at=assisted.consent_at,
            place=assisted.place,
            channel=channel,
            bundle=bundle,
            imported_by=imported_by,
            idempotency_key=key,
        )
        audit.record(
            actor=imported_by or actor,
            action="offline.assisted_record",
            target=application,
            after={
                "assisted_by": actor.pk,
                "consent": True,
                "channel": channel,
                "bundle": bundle.bundle_id if bundle else None,
            },
        )
    return record


# ======================================================================================
# Intake


@dataclass
class Intake:
    application: Application
    receipt_secret: str
    created: bool
    version_number: int
    assisted: AssistedSubmission | None = None


def item_digest(
    service_id: int, version: int | None, data: FormData, files: dict[str, str], assisted: Assisted | None
) -> str:
    body = {
        "service": service_id,
        "version": version,
        "fields": data.pairs(),
        "files": dict(sorted(files.items())),
        "assisted": assisted.as_digest_input() if assisted else None,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _clean_key(key: str | None) -> str:
    key = (key or "").strip()
    if not KEY_PATTERN.match(key):
        raise Refused(
            "idempotency_key_missing",
            _("Idempotency-Key: send the item's own key (8–120 letters, digits, - _ . :)."),
            {"Idempotency-Key": _("Idempotency-Key: required, 8–120 letters, digits, - _ . :.")},
        )
    return key


def application_intake(
    *,
    actor: Person,
    service_id: int,
    version_number: int | None,
    fields: FormData,
    idempotency_key: str | None,
    uploads: dict[str, str] | None = None,
    inline_files: dict[str, tuple[str, bytes]] | None = None,
    assisted: dict[str, Any] | None = None,
    channel: str = AssistedSubmission.Channel.DEVICE,
    bundle: Bundle | None = None,
    imported_by: Any | None = None,
    now: datetime | None = None,
) -> Intake:
    """File one outbox item exactly once. A retry (same key, same content) returns the
    first result without checking anything again — an item already received stays
    received even if its form version expired since."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to send applications."))
    key = _clean_key(idempotency_key)
    parsed = parse_assisted(assisted)
    if parsed is not None and not can_assist(actor):
        raise PermissionDenied(_("Only officers with the assisted-entry role may enter applications for citizens."))
    uploads = dict(uploads or {})
    inline_files = dict(inline_files or {})
    file_marks = {name: f"upload:{ref}" for name, ref in uploads.items()}
    file_marks.update(
        {name: "sha256:" + hashlib.sha256(content).hexdigest() for name, (_n, content) in inline_files.items()}
    )
    digest = item_digest(service_id, version_number, fields, file_marks, parsed)
    try:
        replay = eservices.submission_replay(actor=actor, idempotency_key=key, request_digest=digest)
    except eservices.ApplicationRefused as refused:
        raise Refused("idempotency_key_reused", "; ".join(refused.errors.values()), dict(refused.errors)) from None
    if replay is not None:
        return _finish(actor, replay, parsed, key, channel, bundle, imported_by)

    service = Service.objects.select_related("agency__institution", "published_version").filter(pk=service_id).first()
    if service is None:
        raise Refused(
            "service_unknown",
            _("This service no longer exists. Contact the office that offered it."),
            {"service": _("Service: no service with this id.")},
        )
    version = version_for(service, version_number, now=now)
    files: dict[str, Any] = {}
    for name, ref in uploads.items():
        upload = ChunkedUpload.objects.filter(owner=actor, upload_key=ref, service=service).first()
        if upload is None or upload.status != ChunkedUpload.Status.COMPLETE:
            raise Refused(
                "upload_incomplete",
                _("A file of this application has not fully arrived yet; it will be sent again."),
                {name: _("File: not fully received yet.")},
                status=409,
            )
        handle = File(default_storage.open(upload.stored_name, "rb"), name=upload.original_name)
        files[name] = handle
    for name, (filename, content) in inline_files.items():
        files[name] = SimpleUploadedFile(filename[:200] or "berkas", content)
    try:
        answers, errors = clean_submission(version.form, fields, files, file_store=eservices.file_store_for(actor))
    finally:
        for handle in files.values():
            handle.close()
    if errors:
        raise Refused(
            "validation_error", _("Some answers are invalid; open the form, correct them and send again."), errors
        )
    try:
        submission = eservices.application_submit(
            actor=actor, service=service, version=version, answers=answers, idempotency_key=key, request_digest=digest
        )
    except eservices.ApplicationRefused as refused:
        raise Refused("validation_error", _("Some answers are invalid."), dict(refused.errors)) from None
    return _finish(actor, submission, parsed, key, channel, bundle, imported_by)


def _finish(
    actor: Person,
    submission: eservices.Submission,
    parsed: Assisted | None,
    key: str,
    channel: str,
    bundle: Bundle | None,
    imported_by: Any | None,
) -> Intake:
    record = None
    if parsed is not None:
        record = _record_assisted(
            actor=actor,
            application=submission.application,
            assisted=parsed,
            key=key,
            channel=channel,
            bundle=bundle,
            imported_by=imported_by,
        )
    return Intake(
        application=submission.application,
        receipt_secret=submission.receipt_secret,
        created=submission.created,
        version_number=submission.application.version.number,
        assisted=record,
    )
