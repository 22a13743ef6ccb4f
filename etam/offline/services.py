"""Business operations of the blank-spot module.

- ``application_intake``: an outbox item (from a device, or from a bundle) becomes an
  eservices case exactly once. The idempotency store is the eservices one (a unique
  ``(applicant, idempotency_key)`` on ``Application``), so an item retried through any
  path — device, bundle, or ``POST /api/v1/applications`` — never makes a second case.
- the version rule: an item is checked and filed under the service version its form was
  filled in, while that version still accepts (``OFFLINE_VERSION_GRACE_DAYS`` after it
  was replaced); otherwise it is refused with an actionable message.
- resumable uploads in pieces, handed to the eservices file store when the item is filed.
- device keys and signed store-and-forward bundles.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import inspect
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from etam.core import audit, crypto
from etam.core.models import Role
from etam.core.permissions import has_perm
from etam.core.validators import normalise_phone
from etam.eservices import formengine
from etam.eservices import services as eservices
from etam.eservices.models import Application, Service, ServiceVersion
from etam.offline.formdata import DeferredStore, FormData, process_all
from etam.offline.models import AssistedSubmission, Bundle, ChunkedUpload, DeviceKey

PERM_ASSIST = "offline.assisted_entry"
logger = logging.getLogger(__name__)

PERM_IMPORT = "offline.import_bundle"

ROLE_PERMISSIONS = {
    Role.SERVICE_OFFICER: {PERM_ASSIST, PERM_IMPORT},
    Role.AGENCY_ADMIN: {PERM_ASSIST, PERM_IMPORT},
}

BUNDLE_FORMAT = "etam-bundel/1"
BUNDLE_MAX_BYTES = 64 * 1024 * 1024
CHUNK_MAX_BYTES = 512 * 1024
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,120}$")


def grace_days() -> int:
    return int(getattr(settings, "OFFLINE_VERSION_GRACE_DAYS", 30))


class Refused(Exception):
    """An item the server cannot accept; nothing was stored. ``fields`` maps a field
    (html name, or ``service``/``version``/``assisted.<x>``) to a message."""

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None, status: int = 422) -> None:
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.status = status
        super().__init__(message)


def can_assist(user: Any) -> bool:
    """Assisted entry is a capability of the person (a village or MPP counter serves every
    OPD's services), so any grant that carries it counts (docs/adr/0062)."""
    return has_perm(user, PERM_ASSIST)


def can_import(user: Any) -> bool:
    return has_perm(user, PERM_IMPORT)


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


def _submit(
    *, actor: Any, service: Service, version: ServiceVersion, answers: dict[str, Any], key: str, digest: str
) -> eservices.Submission:
    """File under ``version`` through the eservices service (numbering, audit, notification
    all stay there). The eservices submit files under ``service.published_version``; for a
    still-accepting older version we hand it a copy of the service whose published version
    is the one the form was filled in (nothing is saved on that copy)."""
    params = inspect.signature(eservices.application_submit).parameters
    if "version" in params:  # pragma: no cover - if eservices grows the parameter, use it
        kwargs: dict[str, Any] = {"version": version}
        return eservices.application_submit(
            actor=actor, service=service, answers=answers, idempotency_key=key, request_digest=digest, **kwargs
        )
    target = service
    if version.pk != service.published_version_id:
        target = copy.copy(service)
        target.published_version = version
    return eservices.application_submit(
        actor=actor, service=target, answers=answers, idempotency_key=key, request_digest=digest
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
    actor: Any,
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
    actor: Any,
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
    deferred = DeferredStore()
    try:
        result = process_all(version.form, fields, files, store=deferred.store())
        if result.errors:
            raise Refused(
                "validation_error",
                _("Some answers are invalid; open the form, correct them and send again."),
                dict(result.errors),
            )
        answers = deferred.resolve(result.answers, eservices.file_store_for(actor))
    finally:
        for handle in files.values():
            handle.close()
    try:
        submission = _submit(actor=actor, service=service, version=version, answers=answers, key=key, digest=digest)
    except eservices.ApplicationRefused as refused:
        raise Refused("validation_error", _("Some answers are invalid."), dict(refused.errors)) from None
    return _finish(actor, submission, parsed, key, channel, bundle, imported_by)


def _finish(
    actor: Any,
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


# ======================================================================================
# Resumable uploads


def _file_spec(service: Service, field_path: str) -> dict[str, Any] | None:
    parts = field_path.split(formengine.SEP)
    forms = [v.form for v in ServiceVersion.objects.filter(service=service).exclude(status="draf")]
    for form in forms:
        for page in form["pages"]:
            for spec in page["fields"]:
                if len(parts) == 1 and spec["name"] == parts[0] and spec["type"] == "file":
                    return dict(spec)
                if len(parts) == 3 and spec["type"] == "group" and spec["name"] == parts[0] and parts[1].isdigit():
                    for child in spec["fields"]:
                        if child["name"] == parts[2] and child["type"] == "file":
                            return dict(child)
    return None


def upload_limit(spec: dict[str, Any]) -> int:
    return int(spec.get("max_size_kb", settings.ESERVICES_UPLOAD_MAX_BYTES // 1024)) * 1024


def upload_start(
    *, actor: Any, upload_key: str, service_id: int, field_path: str, name: str, size: int, sha256: str
) -> ChunkedUpload:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to send files."))
    if not KEY_PATTERN.match(upload_key or ""):
        raise Refused("validation_error", _("Upload key: 8–120 letters, digits, - _ . :."), {"key": _("Invalid.")})
    existing = ChunkedUpload.objects.filter(owner=actor, upload_key=upload_key).first()
    if existing is not None:
        if existing.size != size or existing.sha256 != sha256.lower():
            raise Refused(
                "upload_key_reused",
                _("This upload key was used for a different file; start a new upload."),
                {"key": _("Key already used for another file.")},
            )
        return existing
    service = Service.objects.filter(pk=service_id).first()
    spec = _file_spec(service, field_path) if service else None
    if service is None or spec is None:
        raise Refused(
            "validation_error",
            _("Some input is invalid; see the list of fields."),
            {"field": _("Field: this service has no file field “%(name)s”.") % {"name": field_path}},
        )
    label = formengine.localise(spec["label"])
    limit = min(upload_limit(spec), UPLOAD_MAX_BYTES)
    if size <= 0:
        raise Refused(
            "validation_error", _("The file is empty."), {"size": _("%(label)s: the file is empty.") % {"label": label}}
        )
    if size > limit:
        raise Refused(
            "file_too_large",
            _(
                "%(label)s: the file is %(size)s KB, larger than the %(limit)s KB allowed. Choose a smaller file "
                "(photos can be taken at a lower resolution)."
            )
            % {"label": label, "size": (size + 1023) // 1024, "limit": limit // 1024},
            {"size": _("Larger than %(limit)s KB.") % {"limit": limit // 1024}},
            status=413,
        )
    if not re.fullmatch(r"[0-9a-fA-F]{64}", sha256 or ""):
        raise Refused("validation_error", _("sha256: 64 hexadecimal digits."), {"sha256": _("Invalid.")})
    upload, _created = ChunkedUpload.objects.get_or_create(
        owner=actor,
        upload_key=upload_key,
        defaults={
            "service": service,
            "field_path": field_path[:120],
            "original_name": (name or "berkas")[-200:],
            "size": size,
            "sha256": sha256.lower(),
        },
    )
    return upload


def upload_append(*, actor: Any, upload_key: str, offset: int, data: bytes) -> ChunkedUpload:
    """Add one piece at ``offset``. A piece already received (same offset, a retry) is
    acknowledged without storing it twice; a gap is refused with the offset to resume
    from."""
    if len(data) > CHUNK_MAX_BYTES:
        raise Refused("chunk_too_large", _("A piece may be at most 512 KB."), status=413)
    with transaction.atomic():
        upload = ChunkedUpload.objects.select_for_update().filter(owner=actor, upload_key=upload_key).first()
        if upload is None:
            raise Refused("upload_unknown", _("No such upload; start it again."), status=404)
        if upload.status != ChunkedUpload.Status.RECEIVING:
            return upload
        if offset != upload.received:
            if offset < upload.received and offset + len(data) <= upload.received:
                return upload  # a piece we already have
            raise Refused(
                "offset_mismatch",
                _("Resume from byte %(n)s.") % {"n": upload.received},
                {"offset": str(upload.received)},
                status=409,
            )
        if not data or upload.received + len(data) > upload.size:
            raise Refused("validation_error", _("The piece does not fit the declared file size."), status=422)
        part = upload.part_name(upload.chunk_count)
        if default_storage.exists(part):  # left by an attempt that rolled back
            default_storage.delete(part)
        default_storage.save(part, ContentFile(data))
        upload.received += len(data)
        upload.chunk_count += 1
        if upload.received == upload.size:
            _assemble(upload)
        upload.save()
    return upload


def _assemble(upload: ChunkedUpload) -> None:
    digest = hashlib.sha256()
    target = f"offline/berkas/{upload.pk}"
    if default_storage.exists(target):
        default_storage.delete(target)
    parts = [upload.part_name(i) for i in range(upload.chunk_count)]

    class _Joined(File):  # streams the pieces in order without holding the whole file
        def chunks(self, chunk_size: int | None = None) -> Any:
            for part in parts:
                with default_storage.open(part, "rb") as handle:
                    piece = handle.read()
                    digest.update(piece)
                    yield piece

    joined = _Joined(None, name="berkas")
    joined.size = upload.size
    stored = default_storage.save(target, joined)
    for part in parts:
        default_storage.delete(part)
    if digest.hexdigest() != upload.sha256:
        default_storage.delete(stored)
        upload.status = ChunkedUpload.Status.REFUSED
        upload.error = _("The file arrived damaged (checksum differs); it will be sent again from the start.")
        return
    upload.stored_name = stored
    upload.status = ChunkedUpload.Status.COMPLETE


# ======================================================================================
# Device keys


def _b64decode(value: str) -> bytes:
    value = (value or "").strip()
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def device_key_register(*, actor: Any, public_key: str, label: str) -> DeviceKey:
    if not can_assist(actor):
        raise PermissionDenied(_("Only officers with the assisted-entry role may register a device."))
    try:
        raw = _b64decode(public_key)
        Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise ValidationError({"public_key": _("Public key: an Ed25519 public key (32 bytes, base64url).")}) from None
    label = (label or "").strip()[:100] or _("Device")
    encoded = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    with transaction.atomic():
        existing = DeviceKey.objects.filter(public_key=encoded).first()
        if existing is not None:
            if existing.user_id != actor.pk:
                raise PermissionDenied(_("This device key belongs to someone else."))
            return existing
        key = DeviceKey.objects.create(user=actor, public_key=encoded, label=label)
        audit.record(actor=actor, action="offline.device_key_register", target=key, after={"label": label})
    return key


def device_key_revoke(*, actor: Any, key: DeviceKey) -> DeviceKey:
    if key.user_id != actor.pk and not has_perm(actor, "core.manage_grants"):
        raise PermissionDenied(_("You do not have permission for this action."))
    with transaction.atomic():
        locked = DeviceKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit.record(actor=actor, action="offline.device_key_revoke", target=locked, after={"revoked": True})
    return locked


# ======================================================================================
# Bundles


class BundleRejected(Exception):
    """The bundle as a whole is refused; nothing in it was filed."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass
class ItemReport:
    key: str
    status: str  # diterima | sudah_ada | ditolak
    tracking_number: str = ""
    citizen: str = ""
    service: str = ""
    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class BundleReport:
    bundle: Bundle
    items: list[ItemReport]
    repeated: bool

    @property
    def counts(self) -> dict[str, int]:
        out = {"diterima": 0, "sudah_ada": 0, "ditolak": 0}
        for item in self.items:
            out[item.status] += 1
        return out


def _reject_damaged() -> BundleRejected:
    return BundleRejected(
        _(
            "The bundle file is damaged or incomplete (perhaps cut off while copying). Nothing in it was imported. "
            "Copy the file again from the officer's device, or ask them to export it again."
        )
    )


def verify_bundle(raw: bytes) -> tuple[DeviceKey, dict[str, Any]]:
    """Check the signature over the payload; returns the device key and the payload.
    Any change — one byte, a cut-off copy — refuses the whole bundle."""
    try:
        outer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _reject_damaged() from None
    if not isinstance(outer, dict) or outer.get("format") != BUNDLE_FORMAT:
        raise BundleRejected(_("This is not an Etam bundle file (format etam-bundel/1). Nothing was imported."))
    try:
        payload_bytes = base64.b64decode(str(outer["payload"]), validate=True)
        signature = _b64decode(str(outer["signature"]))
        key_id = str(outer["key_id"])
    except (KeyError, binascii.Error, ValueError):
        raise _reject_damaged() from None
    key = DeviceKey.objects.select_related("user").filter(key_id=key_id).first()
    if key is None:
        raise BundleRejected(
            _(
                "The bundle was signed on a device this server does not know. Nothing was imported. The officer "
                "must register the device (Mode petugas → Perangkat) while online, then export again."
            )
        )
    if key.revoked_at is not None:
        raise BundleRejected(
            _("The device that signed this bundle was withdrawn on %(date)s. Nothing was imported.")
            % {"date": timezone.localtime(key.revoked_at).strftime("%d-%m-%Y")}
        )
    try:
        Ed25519PublicKey.from_public_bytes(_b64decode(key.public_key)).verify(signature, payload_bytes)
    except (InvalidSignature, ValueError):
        raise BundleRejected(
            _(
                "The bundle's signature does not match its content: it was changed after it was exported, or "
                "damaged. Nothing was imported. Ask the officer to export the bundle again."
            )
        ) from None
    try:
        payload = json.loads(payload_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):  # pragma: no cover - signed garbage
        raise _reject_damaged() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise _reject_damaged()
    if payload.get("officer") != key.user_id:
        raise BundleRejected(_("The bundle names another officer than the owner of its device key."))
    return key, payload


_TEXT = {"type": ["string", "null"]}
_ID = {"type": ["integer", "string", "null"], "pattern": "^[0-9]{1,18}$", "minimum": 0, "maximum": 2**63 - 1}
# The shape of one bundle item, as outbox.js exports it (ADR 0061). A validly signed bundle can still
# carry an item of another shape (an old or a hand-made client): that item is refused with the field
# named in the report; the rest are filed (issue 10, finding 7).
BUNDLE_ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["key", "service", "fields"],
    "properties": {
        "key": {"type": "string"},
        "service": {**_ID, "type": ["integer", "string"]},
        "service_name": _TEXT,
        "version": _ID,
        "fields": {
            "type": ["array", "null"],
            "items": {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "prefixItems": [{"type": "string"}, {"type": ["string", "number", "boolean", "null"]}],
            },
        },
        "files": {
            "type": ["object", "null"],
            "additionalProperties": {
                "type": "object",
                "required": ["sha256", "data"],
                "properties": {"name": _TEXT, "type": _TEXT, "sha256": {"type": "string"}, "data": {"type": "string"}},
            },
        },
        "assisted": {
            "type": ["object", "null"],
            "properties": {
                "citizen_name": _TEXT,
                "nik": {"type": ["string", "integer", "null"]},
                "phone": _TEXT,
                "place": _TEXT,
                "consent": {"type": ["boolean", "string", "null"]},
                "consent_text": _TEXT,
                "consent_at": _TEXT,
            },
        },
    },
}


def _item_shape_errors(item: Any) -> dict[str, str]:
    """Field path → message (in the active language) for an item that does not have the bundle item shape."""
    from jsonschema import Draft202012Validator

    from etam.eservices.definitions import _humanise, _path  # the translated schema messages

    errors: dict[str, str] = {}
    for error in sorted(Draft202012Validator(BUNDLE_ITEM_SCHEMA).iter_errors(item), key=lambda e: list(e.path)):
        path = _path(error.absolute_path) or "item"
        errors.setdefault(path, f"{path}: {_humanise(error)}")
    return errors


def _item_files(item: dict[str, Any]) -> dict[str, tuple[str, bytes]]:
    out: dict[str, tuple[str, bytes]] = {}
    for name, meta in (item.get("files") or {}).items():
        content = base64.b64decode(str(meta.get("data") or ""), validate=True)
        if hashlib.sha256(content).hexdigest() != str(meta.get("sha256", "")).lower():
            raise Refused("file_damaged", _("An attached file is damaged."), {name: _("File damaged.")})
        out[str(name)] = (str(meta.get("name") or "berkas"), content)
    return out


def bundle_import(*, actor: Any, raw: bytes) -> BundleReport:
    """Import a bundle: verified as a whole, then filed item by item (each exactly once,
    by its idempotency key, as the officer who entered it). Importing the same bundle
    again, or one whose items were partly sent already, creates nothing twice."""
    if not can_import(actor):
        raise PermissionDenied(_("You do not have permission to import bundles."))
    if len(raw) > BUNDLE_MAX_BYTES:
        raise BundleRejected(_("The bundle is larger than 64 MB; export it in smaller parts."))
    key, payload = verify_bundle(raw)
    exporter = key.user
    if not exporter.is_active or not can_assist(exporter):
        raise BundleRejected(
            _("The officer who exported this bundle no longer has the assisted-entry role. Nothing was imported.")
        )
    digest = hashlib.sha256(raw).hexdigest()
    try:  # informational; a well-formed impossible date (30 February) raises ValueError
        exported_at = parse_datetime(str(payload.get("created_at") or "")[:64])
    except ValueError:
        exported_at = None
    with transaction.atomic():
        bundle, created = Bundle.objects.get_or_create(
            sha256=digest,
            defaults={
                "bundle_id": str(payload.get("bundle_id") or digest[:32])[:64],
                "device_key": key,
                "exported_by": exporter,
                "exported_at": exported_at,
                "size": len(raw),
                "item_count": len(payload["items"]),
                "first_imported_by": actor,
            },
        )
    reports: list[ItemReport] = []
    for item in payload["items"]:
        shape_errors = _item_shape_errors(item)
        item = item if isinstance(item, dict) else {}
        item_key = str(item.get("key") or "")
        assisted = item.get("assisted")
        report = ItemReport(
            key=item_key[:120],
            status="ditolak",
            citizen=str(assisted.get("citizen_name") or "") if isinstance(assisted, dict) else "",
            service=str(item.get("service_name") or "")[:200],
        )
        if shape_errors:
            report.message = _("This item is damaged or was made by another program: %(problems)s") % {
                "problems": "; ".join(shape_errors.values())
            }
            report.fields = shape_errors
            reports.append(report)
            continue
        try:
            intake = application_intake(
                actor=exporter,
                service_id=int(item.get("service") or 0),
                version_number=int(item["version"]) if item.get("version") else None,
                fields=FormData.from_pairs(item.get("fields")),
                idempotency_key=item_key,
                inline_files=_item_files(item),
                assisted=item.get("assisted"),
                channel=AssistedSubmission.Channel.BUNDLE,
                bundle=bundle,
                imported_by=actor,
            )
        except Refused as refused:
            report.message = refused.message
            report.fields = refused.fields
        except (PermissionDenied, ValueError, TypeError, binascii.Error) as exc:
            report.message = str(exc) or _("This item could not be filed.")
        except Exception:  # one item's unforeseen failure must not lose the others' report
            logger.exception("bundle %s: item %s could not be filed", bundle.bundle_id, item_key[:120])
            report.message = _("This item could not be filed because of an error on the server; it was logged.")
        else:
            report.status = "diterima" if intake.created else "sudah_ada"
            report.tracking_number = intake.application.tracking_number
        reports.append(report)
    with transaction.atomic():
        Bundle.objects.filter(pk=bundle.pk).update(
            import_count=bundle.import_count + 1,
            last_report=[r.__dict__ for r in reports],
        )
        bundle.refresh_from_db()
        audit.record(
            actor=actor,
            action="offline.bundle_import",
            target=bundle,
            after={
                "bundle": bundle.bundle_id,
                "sha256": digest,
                "exported_by": exporter.pk,
                "items": len(reports),
                "new": sum(1 for r in reports if r.status == "diterima"),
                "existing": sum(1 for r in reports if r.status == "sudah_ada"),
                "refused": sum(1 for r in reports if r.status == "ditolak"),
            },
        )
    return BundleReport(bundle=bundle, items=reports, repeated=not created)
