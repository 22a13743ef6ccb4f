"""Datasets, their metadata (MS-Keg, MS-Ind) and the review of a widened access."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Actor, Person, stored_person
from etam.core.fieldvalues import stored_values
from etam.core.models import Agency
from etam.core.permissions import Scope, has_perm, require
from etam.core.validators import validate_region_code
from etam.opendata import permissions as perms
from etam.opendata.models import (
    Access,
    AccessRequest,
    AccessRequestStatus,
    ActivityMetadata,
    ColumnSpec,
    Dataset,
    IndicatorMetadata,
    Tag,
    VersionStatus,
    widens,
)

# The fields a dataset's owner edits, in the order the dataset form shows them.
DATASET_FIELDS = (
    "title",
    "slug",
    "description",
    "topic",
    "licence",
    "update_frequency",
    "temporal_start",
    "temporal_end",
    "spatial_code",
    "spatial_level",
    "access",
    "contact_name",
    "contact_email",
)


def _check_dataset_fields(fields: dict[str, Any]) -> None:
    if "spatial_code" in fields:
        try:
            validate_region_code(fields["spatial_code"])
        except ValidationError as exc:
            raise ValidationError({"spatial_code": exc.messages}) from exc
    start, end = fields.get("temporal_start"), fields.get("temporal_end")
    if start and end and end < start:
        raise ValidationError({"temporal_end": [_("Temporal coverage to: must not be before the start date.")]})


def _tag_names(dataset: Dataset) -> list[str]:
    return sorted(t.name for t in dataset.tags.all())


def _set_tags(dataset: Dataset, tags: Iterable[str]) -> None:
    names = sorted({t.strip().lower() for t in tags if t and t.strip()})
    dataset.tags.set([Tag.objects.get_or_create(name=name[:60])[0] for name in names])


def dataset_create(*, actor: Person, agency: Agency, tags: Iterable[str] = (), **fields: Any) -> Dataset:
    require(actor, perms.DRAFT, Scope(agency.institution_id, agency.pk))
    unknown = set(fields) - set(DATASET_FIELDS) - {"is_system", "system_key"}
    if unknown:
        raise TypeError(f"unknown dataset fields {sorted(unknown)}")
    _check_dataset_fields(fields)
    with transaction.atomic():
        dataset = Dataset(agency=agency, created_by=stored_person(actor), **fields)
        dataset.full_clean()
        dataset.save()
        _set_tags(dataset, tags)
        ActivityMetadata.objects.create(dataset=dataset, activity_title=dataset.title)
        changes.record_change(actor, "opendata.dataset_create", dataset, DATASET_FIELDS, also={"tags": sorted(tags)})
    return dataset


def _require_edit(actor: Actor, dataset: Dataset) -> None:
    if not (has_perm(actor, perms.DRAFT, dataset) or has_perm(actor, perms.REVIEW, dataset)):
        raise PermissionDenied(_("You do not have permission for this action."))


def dataset_update(*, actor: Person, dataset: Dataset, tags: Iterable[str] | None = None, **fields: Any) -> Dataset:
    """Change the catalogue entry. Narrowing access applies at once; widening it (e.g.
    restricted → public) on a dataset a walidata has reviewed or is reviewing becomes an
    ``AccessRequest`` for walidata review unless the actor is that walidata (ADR 0070)."""
    _require_edit(actor, dataset)
    unknown = set(fields) - set(DATASET_FIELDS)
    if unknown:
        raise TypeError(f"unknown dataset fields {sorted(unknown)}")
    _check_dataset_fields(fields)
    with transaction.atomic():
        current = Dataset.objects.select_for_update().values_list("access", flat=True).get(pk=dataset.pk)
        dataset.access = current
        requested = fields.get("access", current)
        request_access = ""
        if widens(current, requested) and access_reviewed(dataset):
            if has_perm(actor, perms.REVIEW, dataset):
                problems = access_problems(dataset, requested)
                if problems:
                    raise ValidationError({"access": problems})
            else:
                request_access = fields.pop("access")
        before = {**stored_values(dataset, fields), "tags": _tag_names(dataset)}
        for key, value in fields.items():
            setattr(dataset, key, value)
        dataset.full_clean()
        dataset.save()
        if tags is not None:
            _set_tags(dataset, tags)
        changes.record_change(
            actor, "opendata.dataset_update", dataset, fields, before=before, also={"tags": _tag_names(dataset)}
        )
        if request_access:
            access_request_create(actor=actor, dataset=dataset, access=request_access)
    return dataset


def access_reviewed(dataset: Dataset) -> bool:
    """Has a walidata reviewed this dataset's access (a published version) or is one
    reviewing it now (a submitted version)? Before that, the first review covers it."""
    return dataset.published_version_id is not None or dataset.versions.filter(status=VersionStatus.SUBMITTED).exists()


def access_problems(dataset: Dataset, access: str) -> list[str]:
    """Why ``dataset`` cannot take ``access`` now: a public dataset may not hold a column
    marked not publicly accessible (MS-Var) in its current version (the same rule as
    ``standard_problems`` at publication)."""
    if access != Access.PUBLIC or dataset.published_version_id is None:
        return []
    hidden = ColumnSpec.objects.filter(version_id=dataset.published_version_id, is_public=False).order_by("position")
    return [
        _(
            "Column %(name)s: marked not publicly accessible (MS-Var) in the published version; "
            "publish a version without the column before making the dataset public."
        )
        % {"name": name}
        for name in hidden.values_list("name", flat=True)
    ]


def access_request_create(*, actor: Person, dataset: Dataset, access: str) -> AccessRequest:
    """Ask the walidata to widen ``dataset``'s access. Nothing public changes until a
    walidata approves; one pending request per dataset (a repeat returns it)."""
    require(actor, perms.DRAFT, dataset)
    if access not in Access.values:
        raise ValidationError({"access": [_("Access: choose public or restricted.")]})
    with transaction.atomic():
        current = Dataset.objects.select_for_update().values_list("access", flat=True).get(pk=dataset.pk)
        if not widens(current, access):
            raise ValidationError({"access": [_("Access: only a wider access needs review.")]})
        pending = AccessRequest.objects.filter(dataset=dataset, status=AccessRequestStatus.PENDING).first()
        if pending is not None and pending.access == access:
            return pending
        if pending is not None:
            pending.status = AccessRequestStatus.REFUSED
            pending.review_comment = _("Replaced by a newer request.")
            pending.save()
        request = AccessRequest.objects.create(
            dataset=dataset,
            access=access,
            previous_access=current,
            requested_by=stored_person(actor),
        )
        audit.record(
            actor=actor,
            action="opendata.access_request",
            target=dataset,
            before={"access": current},
            after={"access": access, "request": request.pk},
        )
    return request


def _pending_for_review(actor: Actor, request: AccessRequest) -> tuple[AccessRequest, Dataset]:
    require(actor, perms.REVIEW, Scope(request.dataset.agency.institution_id, request.dataset.agency_id))
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != AccessRequestStatus.PENDING:
        raise ValidationError(_("This access request has already been decided."))
    if request.requested_by_id is not None and request.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("You cannot review your own request."))
    dataset = Dataset.objects.select_for_update().select_related("agency").get(pk=request.dataset_id)
    return request, dataset


def stamp_review(obj: Any, *, actor: Person, status: str, comment: str) -> None:
    """Save a walidata's decision on an access request or a version: who, when, the outcome and why."""
    obj.status = status
    obj.reviewed_by = actor
    obj.reviewed_at = timezone.now()
    obj.review_comment = comment
    obj.save()


def access_request_approve(*, actor: Person, request: AccessRequest, comment: str = "") -> AccessRequest:
    """A walidata of the instansi approves: only now does the wider access apply."""
    with transaction.atomic():
        request, dataset = _pending_for_review(actor, request)
        problems = access_problems(dataset, request.access)
        if problems:
            raise ValidationError(problems)
        before = dataset.access
        Dataset.objects.filter(pk=dataset.pk).update(access=request.access, updated_at=timezone.now())
        stamp_review(request, actor=actor, status=AccessRequestStatus.APPROVED, comment=(comment or "").strip())
        audit.record(
            actor=actor,
            action="opendata.access_approve",
            target=dataset,
            before={"access": before},
            after={"access": request.access, "request": request.pk},
        )
    return request


def access_request_refuse(*, actor: Person, request: AccessRequest, comment: str) -> AccessRequest:
    """A walidata refuses, saying why; the dataset keeps its access."""
    if not (comment or "").strip():
        require(actor, perms.REVIEW, Scope(request.dataset.agency.institution_id, request.dataset.agency_id))
        raise ValidationError({"comment": [_("Comment: explain why the access stays as it is.")]})
    with transaction.atomic():
        request, dataset = _pending_for_review(actor, request)
        stamp_review(request, actor=actor, status=AccessRequestStatus.REFUSED, comment=comment.strip())
        audit.record(
            actor=actor,
            action="opendata.access_refuse",
            target=dataset,
            before={"access": dataset.access, "request": request.pk},
            after={"status": request.status, "comment": request.review_comment},
        )
    return request


def activity_update(*, actor: Actor, dataset: Dataset, **fields: Any) -> ActivityMetadata:
    """MS-Keg fields."""
    _require_edit(actor, dataset)
    with transaction.atomic():
        activity, _created = ActivityMetadata.objects.get_or_create(
            dataset=dataset, defaults={"activity_title": dataset.title}
        )
        with changes.recorded(activity, fields, actor=actor, action="opendata.activity_update", target=dataset):
            for key, value in fields.items():
                if not hasattr(activity, key) or key in ("id", "dataset", "dataset_id"):
                    raise TypeError(f"unknown activity field {key}")
                setattr(activity, key, value)
            activity.full_clean()
    return activity


def indicator_save(
    *, actor: Actor, dataset: Dataset, indicator: IndicatorMetadata | None = None, **fields: Any
) -> IndicatorMetadata:
    """MS-Ind: add or change an indicator."""
    _require_edit(actor, dataset)
    with transaction.atomic():
        if indicator is None:
            indicator = IndicatorMetadata(dataset=dataset)
        elif indicator.dataset_id != dataset.pk:
            raise PermissionDenied(_("You do not have permission for this action."))
        before = stored_values(indicator, fields) if indicator.pk else {}
        for key, value in fields.items():
            setattr(indicator, key, value)
        indicator.full_clean()
        indicator.save()
        changes.record_change(
            actor,
            "opendata.indicator_save",
            indicator,
            fields,
            before=before,
            also={"indicator": indicator.name},
            target=dataset,
        )
    return indicator
