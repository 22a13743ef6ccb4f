"""The citizen's draft of an application and the file store its uploads go to."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from etam.core.actors import Actor, Person
from etam.eservices import definitions, formengine
from etam.eservices.models import (
    Draft,
    Service,
    UploadedFile,
)


def draft_for(*, actor: Person, service: Service) -> Draft:
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
    *, actor: Actor, draft: Draft, answers: dict[str, Any], page: int, raw: dict[str, Any] | None = None
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


def draft_discard(*, actor: Actor, draft: Draft) -> None:
    if draft.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        ids = formengine.file_ids(draft.version.form, (draft.data or {}).get("answers", {}))
        for upload in UploadedFile.objects.filter(pk__in=ids, owner=actor, application__isnull=True):
            upload.file.delete(save=False)
            upload.delete()
        draft.delete()


def file_store_for(actor: Person) -> formengine.FileStore:
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
