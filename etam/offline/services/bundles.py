"""Device keys and signed store-and-forward bundles."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Actor, Person
from etam.core.permissions import has_perm
from etam.eservices.submission_form import FormData
from etam.offline import services  # the package: bundle items go through its application_intake
from etam.offline.models import AssistedSubmission, Bundle, DeviceKey
from etam.offline.services._base import (
    BUNDLE_FORMAT,
    BUNDLE_MAX_BYTES,
    Refused,
    can_assist,
    can_import,
)

# ======================================================================================
# Device keys

logger = logging.getLogger(__name__)


def _b64decode(value: str) -> bytes:
    value = (value or "").strip()
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def device_key_register(*, actor: Person, public_key: str, label: str) -> DeviceKey:
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


def device_key_revoke(*, actor: Actor, key: DeviceKey) -> DeviceKey:
    if key.user_id != actor.pk and not has_perm(actor, "core.manage_grants"):
        raise PermissionDenied(_("You do not have permission for this action."))
    with transaction.atomic():
        locked, revoked = changes.revoke_once(key)
        if revoked:
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


def bundle_import(*, actor: Person, raw: bytes) -> BundleReport:
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
            intake = services.application_intake(
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
