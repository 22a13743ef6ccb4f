"""Resumable uploads in pieces, handed to the eservices file store when the item is filed."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from etam.core.actors import Person
from etam.eservices import formengine
from etam.eservices.models import Service, ServiceVersion
from etam.offline.models import ChunkedUpload
from etam.offline.services._base import (
    CHUNK_MAX_BYTES,
    KEY_PATTERN,
    UPLOAD_MAX_BYTES,
    Refused,
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
    *, actor: Person, upload_key: str, service_id: int, field_path: str, name: str, size: int, sha256: str
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


def upload_append(*, actor: Person, upload_key: str, offset: int, data: bytes) -> ChunkedUpload:
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

    class _Joined(File):  # type: ignore[type-arg]  # File is generic only in django-stubs (no runtime subscript); streams the pieces in order without holding the whole file
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
