"""Business operations of Satu Data: one function per operation, keyword-only.

The data cycle: a produsen data creates a dataset and uploads a file (a new version);
the file is validated row by row against the version's data dictionary; the produsen
corrects types or the file until it is valid, then submits; a walidata of the same
instansi returns it with comments or publishes it. Each step checks the permission,
changes state and writes its audit event in one transaction.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit
from etam.core.models import Agency, Region
from etam.core.permissions import Scope, has_perm, require
from etam.core.validators import validate_region_code
from etam.opendata import ingest
from etam.opendata import permissions as perms
from etam.opendata.models import (
    Access,
    AccessRequest,
    AccessRequestStatus,
    ActivityMetadata,
    ColumnSpec,
    Dataset,
    DatasetVersion,
    IndicatorMetadata,
    Resource,
    Tag,
    ValidationState,
    VersionStatus,
    widens,
)

DATASET_FIELDS = (
    "slug",
    "title",
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
COLUMN_FIELDS = (
    "title",
    "type",
    "unit",
    "definition",
    "concept",
    "reference",
    "required",
    "minimum",
    "maximum",
    "number_format",
    "date_format",
    "selection_reference",
    "time_reference",
    "classification",
    "question",
    "is_public",
)
MAX_UPLOAD_BYTES = 2 * 1024**3
# Files up to this size are validated within the request (they take well under a second);
# larger ones by the task queue, after commit (setting OPENDATA_INLINE_VALIDATION_BYTES).
INLINE_VALIDATION_BYTES = 256 * 1024


def _inline_limit() -> int:
    return int(getattr(settings, "OPENDATA_INLINE_VALIDATION_BYTES", INLINE_VALIDATION_BYTES))


def _request_validation(version: DatasetVersion, *, inline: bool | None) -> bool:
    """Inside the caller's transaction: mark the version queued with a new run number.

    Returns True when the caller should validate at once (small file or ``inline=True``);
    otherwise the validation job is enqueued when the transaction commits.
    """
    # The previous result (report, table) no longer describes what will be validated.
    Resource.objects.filter(version=version).delete()
    if version.error_file:
        version.error_file.delete(save=False)
    DatasetVersion.objects.filter(pk=version.pk).update(
        validation_run=F("validation_run") + 1,
        validation=ValidationState.PENDING,
        error_count=0,
        error_summary={},
        error_file="",
        row_count=None,
    )
    version.refresh_from_db(
        fields=["validation_run", "validation", "error_count", "error_summary", "error_file", "row_count"]
    )
    if inline is None:
        inline = (version.source_file.size or 0) <= _inline_limit()
    if inline:
        return True
    from etam.opendata.tasks import validate_version

    version_id, run = version.pk, version.validation_run
    transaction.on_commit(lambda: validate_version.enqueue(version_id=version_id, run=run))
    return False


def _snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _check_dataset_fields(fields: dict[str, Any]) -> None:
    if "spatial_code" in fields:
        try:
            validate_region_code(fields["spatial_code"])
        except ValidationError as exc:
            raise ValidationError({"spatial_code": exc.messages}) from exc
    start, end = fields.get("temporal_start"), fields.get("temporal_end")
    if start and end and end < start:
        raise ValidationError({"temporal_end": [_("Temporal coverage to: must not be before the start date.")]})


def _set_tags(dataset: Dataset, tags: Iterable[str]) -> None:
    names = sorted({t.strip().lower() for t in tags if t and t.strip()})
    dataset.tags.set([Tag.objects.get_or_create(name=name[:60])[0] for name in names])


def dataset_create(*, actor: Any, agency: Agency, tags: Iterable[str] = (), **fields: Any) -> Dataset:
    require(actor, perms.DRAFT, Scope(agency.institution_id, agency.pk))
    unknown = set(fields) - set(DATASET_FIELDS) - {"is_system", "system_key"}
    if unknown:
        raise TypeError(f"unknown dataset fields {sorted(unknown)}")
    _check_dataset_fields(fields)
    with transaction.atomic():
        dataset = Dataset(agency=agency, created_by=actor if getattr(actor, "pk", None) else None, **fields)
        dataset.full_clean()
        dataset.save()
        _set_tags(dataset, tags)
        ActivityMetadata.objects.create(dataset=dataset, activity_title=dataset.title)
        audit.record(
            actor=actor,
            action="opendata.dataset_create",
            target=dataset,
            after={**_snapshot(dataset, DATASET_FIELDS), "tags": sorted(tags)},
        )
    return dataset


def _require_edit(actor: Any, dataset: Dataset) -> None:
    if not (has_perm(actor, perms.DRAFT, dataset) or has_perm(actor, perms.REVIEW, dataset)):
        raise PermissionDenied(_("You do not have permission for this action."))


def dataset_update(*, actor: Any, dataset: Dataset, tags: Iterable[str] | None = None, **fields: Any) -> Dataset:
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
        before = {**_snapshot(dataset, fields), "tags": sorted(t.name for t in dataset.tags.all())}
        for key, value in fields.items():
            setattr(dataset, key, value)
        dataset.full_clean()
        dataset.save()
        if tags is not None:
            _set_tags(dataset, tags)
        after = {**_snapshot(dataset, fields), "tags": sorted(t.name for t in dataset.tags.all())}
        audit.record(actor=actor, action="opendata.dataset_update", target=dataset, before=before, after=after)
        if request_access:
            access_request_create(actor=actor, dataset=dataset, access=request_access)
    return dataset


# ---------------------------------------------------------------------------- access review


def access_reviewed(dataset: Dataset) -> bool:
    """Has a walidata reviewed this dataset's access (a published version) or is one
    reviewing it now (a submitted version)? Before that, the first review covers it."""
    return (
        dataset.published_version_id is not None or dataset.versions.filter(status=VersionStatus.SUBMITTED).exists()  # type: ignore[attr-defined]
    )


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


def access_request_create(*, actor: Any, dataset: Dataset, access: str) -> AccessRequest:
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
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor=actor,
            action="opendata.access_request",
            target=dataset,
            before={"access": current},
            after={"access": access, "request": request.pk},
        )
    return request


def _pending_for_review(actor: Any, request: AccessRequest) -> tuple[AccessRequest, Dataset]:
    require(actor, perms.REVIEW, Scope(request.dataset.agency.institution_id, request.dataset.agency_id))
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != AccessRequestStatus.PENDING:
        raise ValidationError(_("This access request has already been decided."))
    if request.requested_by_id is not None and request.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("You cannot review your own request."))
    dataset = Dataset.objects.select_for_update().select_related("agency").get(pk=request.dataset_id)
    return request, dataset


def access_request_approve(*, actor: Any, request: AccessRequest, comment: str = "") -> AccessRequest:
    """A walidata of the instansi approves: only now does the wider access apply."""
    with transaction.atomic():
        request, dataset = _pending_for_review(actor, request)
        problems = access_problems(dataset, request.access)
        if problems:
            raise ValidationError(problems)
        before = dataset.access
        Dataset.objects.filter(pk=dataset.pk).update(access=request.access, updated_at=timezone.now())
        request.status = AccessRequestStatus.APPROVED
        request.reviewed_by = actor
        request.reviewed_at = timezone.now()
        request.review_comment = (comment or "").strip()
        request.save()
        audit.record(
            actor=actor,
            action="opendata.access_approve",
            target=dataset,
            before={"access": before},
            after={"access": request.access, "request": request.pk},
        )
    return request


def access_request_refuse(*, actor: Any, request: AccessRequest, comment: str) -> AccessRequest:
    """A walidata refuses, saying why; the dataset keeps its access."""
    if not (comment or "").strip():
        require(actor, perms.REVIEW, Scope(request.dataset.agency.institution_id, request.dataset.agency_id))
        raise ValidationError({"comment": [_("Comment: explain why the access stays as it is.")]})
    with transaction.atomic():
        request, dataset = _pending_for_review(actor, request)
        request.status = AccessRequestStatus.REFUSED
        request.reviewed_by = actor
        request.reviewed_at = timezone.now()
        request.review_comment = comment.strip()
        request.save()
        audit.record(
            actor=actor,
            action="opendata.access_refuse",
            target=dataset,
            before={"access": dataset.access, "request": request.pk},
            after={"status": request.status, "comment": request.review_comment},
        )
    return request


def activity_update(*, actor: Any, dataset: Dataset, **fields: Any) -> ActivityMetadata:
    """MS-Keg fields."""
    _require_edit(actor, dataset)
    with transaction.atomic():
        activity, _created = ActivityMetadata.objects.get_or_create(
            dataset=dataset, defaults={"activity_title": dataset.title}
        )
        before = _snapshot(activity, fields)
        for key, value in fields.items():
            if not hasattr(activity, key) or key in ("id", "dataset", "dataset_id"):
                raise TypeError(f"unknown activity field {key}")
            setattr(activity, key, value)
        activity.full_clean()
        activity.save()
        audit.record(
            actor=actor,
            action="opendata.activity_update",
            target=dataset,
            before=before,
            after=_snapshot(activity, fields),
        )
    return activity


def indicator_save(
    *, actor: Any, dataset: Dataset, indicator: IndicatorMetadata | None = None, **fields: Any
) -> IndicatorMetadata:
    """MS-Ind: add or change an indicator."""
    _require_edit(actor, dataset)
    with transaction.atomic():
        if indicator is None:
            indicator = IndicatorMetadata(dataset=dataset)
        elif indicator.dataset_id != dataset.pk:
            raise PermissionDenied(_("You do not have permission for this action."))
        before = _snapshot(indicator, fields) if indicator.pk else {}
        for key, value in fields.items():
            setattr(indicator, key, value)
        indicator.full_clean()
        indicator.save()
        audit.record(
            actor=actor,
            action="opendata.indicator_save",
            target=dataset,
            before=before,
            after={"indicator": indicator.name, **_snapshot(indicator, fields)},
        )
    return indicator


# ---------------------------------------------------------------------------- versions


def open_version(dataset: Dataset) -> DatasetVersion | None:
    """The version being prepared (draft, submitted or returned), if any."""
    return (
        dataset.versions.exclude(status=VersionStatus.PUBLISHED).order_by("-number").first()  # type: ignore[attr-defined]
    )


def version_upload(
    *,
    actor: Any,
    dataset: Dataset,
    upload: UploadedFile | File,
    change_note: str = "",
    encoding: str = "",
    delimiter: str = "",
    inline: bool | None = None,
) -> DatasetVersion:
    """Store an uploaded CSV/XLSX as the dataset's open version, propose its data
    dictionary (keeping what the previous version said about same-named columns) and
    validate it: small files at once, larger ones by the task queue after commit
    (``inline`` forces one or the other)."""
    require(actor, perms.DRAFT, dataset)
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [_("File: larger than the 2 GB limit.")]})
    upload.seek(0)
    try:
        dialect = ingest.detect_dialect(upload, upload.name or "")
        if dialect.format == "csv":
            if encoding:
                dialect.encoding = encoding
            if delimiter:
                dialect.delimiter = "\t" if delimiter in ("tab", "\\t") else delimiter
        upload.seek(0)
        inferred = ingest.infer_schema(upload, dialect)
    except ingest.FileProblem as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {"file": [_("File: the text encoding does not match; choose another encoding.")]}
        ) from exc
    upload.seek(0)
    with transaction.atomic():
        version = open_version(dataset)
        if version is not None and version.status == VersionStatus.SUBMITTED:
            raise ValidationError({"file": [_("File: the open version is under review; wait for the walidata.")]})
        previous = {
            c.name: c
            for c in ColumnSpec.objects.filter(
                version__dataset=dataset, version__status=VersionStatus.PUBLISHED
            ).order_by("version__number")
        }
        if version is not None:
            previous.update({c.name: c for c in version.columns.all()})  # type: ignore[attr-defined]
            Resource.objects.filter(version=version).delete()
            version.columns.all().delete()  # type: ignore[attr-defined]
            version.source_file.delete(save=False)
        else:
            last = dataset.versions.order_by("-number").values_list("number", flat=True).first() or 0  # type: ignore[attr-defined]
            version = DatasetVersion(dataset=dataset, number=last + 1, created_by=actor)
        version.status = VersionStatus.DRAFT
        version.change_note = change_note
        version.source_name = os.path.basename(upload.name or "data")[:255]
        version.source_format = dialect.format
        version.encoding = dialect.encoding if dialect.format == "csv" else ""
        version.delimiter = dialect.delimiter if dialect.format == "csv" else ""
        version.validation = ValidationState.PENDING
        version.error_count = 0
        version.error_summary = {}
        version.row_count = None
        version.source_file.save(version.source_name, upload, save=False)
        version.save()
        for position, column in enumerate(inferred):
            spec = ColumnSpec(version=version, position=position, name=column.name)
            old = previous.get(column.name)
            if old is not None:
                for field in COLUMN_FIELDS:
                    setattr(spec, field, getattr(old, field))
            else:
                spec.type = column.type
                spec.number_format = column.number_format
                spec.date_format = column.date_format
                spec.reference = column.reference
            spec.save()
        audit.record(
            actor=actor,
            action="opendata.version_upload",
            target=dataset,
            after={
                "version": version.number,
                "file": version.source_name,
                "format": dialect.format,
                "columns": [c.name for c in inferred],
            },
        )
        now = _request_validation(version, inline=inline)
    return version_validate(actor=actor, version=version, run=version.validation_run) if now else version


def columns_update(
    *, actor: Any, version: DatasetVersion, changes: dict[str, dict[str, Any]], inline: bool | None = None
) -> DatasetVersion:
    """The uploader corrects the data dictionary (types, rules, MS-Var); then revalidate
    (at once or by the task queue, as for an upload)."""
    require(actor, perms.DRAFT, version)
    if not version.is_editable:
        raise ValidationError(_("Only a draft or returned version can be changed."))
    with transaction.atomic():
        columns = {c.name: c for c in version.columns.select_for_update()}  # type: ignore[attr-defined]
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name, values in changes.items():
            column = columns.get(name)
            if column is None:
                raise ValidationError({name: [_("Unknown column.")]})
            old = _snapshot(column, values)
            for key, value in values.items():
                if key not in COLUMN_FIELDS:
                    raise TypeError(f"unknown column field {key}")
                setattr(column, key, value)
            column.full_clean()
            column.save()
            new = _snapshot(column, values)
            if old != new:
                before[name], after[name] = old, new
        audit.record(actor=actor, action="opendata.columns_update", target=version, before=before, after=after)
        now = _request_validation(version, inline=inline)
    return version_validate(actor=actor, version=version, run=version.validation_run) if now else version


def _columns_for_validation(version: DatasetVersion) -> list[ingest.Column]:
    return [
        ingest.Column(
            name=c.name,
            type=c.type,
            required=c.required,
            minimum=c.minimum,
            maximum=c.maximum,
            number_format=c.number_format,
            date_format=c.date_format,
            reference=c.reference,
        )
        for c in version.columns.order_by("position")  # type: ignore[attr-defined]
    ]


def _region_codes() -> list[str]:
    return list(Region.objects.current().values_list("code", flat=True))


def version_validate_job(*, version_id: int, run: int) -> str:
    """The background validation (task ``validate_version``): runs only if ``run`` is still
    the version's current request; a newer upload or dictionary change supersedes it."""
    claimed = DatasetVersion.objects.filter(
        pk=version_id,
        validation_run=run,
        validation=ValidationState.PENDING,
        status__in=(VersionStatus.DRAFT, VersionStatus.RETURNED),
    ).update(validation=ValidationState.VALIDATING)
    if not claimed:
        return "superseded"
    version = DatasetVersion.objects.select_related("dataset").get(pk=version_id)
    try:
        version = version_validate(actor=None, version=version, run=run)
    except Exception:
        DatasetVersion.objects.filter(pk=version_id, validation_run=run).update(
            validation=ValidationState.INVALID,
            error_count=1,
            error_summary={"file": _("File: validation stopped unexpectedly; upload the file again.")},
        )
        raise
    return str(version.validation)


def version_validate(*, actor: Any, version: DatasetVersion, run: int | None = None) -> DatasetVersion:
    """Validate every row; when clean, store the Parquet table as the version's resource.

    Streams: the source is read from storage in batches and the Parquet is written to a
    temporary file before it is handed to storage. With ``run``, the result is kept only
    if no newer validation was requested meanwhile.
    """
    if actor is not None:
        require(actor, perms.DRAFT, version)
    dialect = ingest.Dialect(
        format=version.source_format, encoding=version.encoding or "utf-8", delimiter=version.delimiter or ","
    )
    columns = _columns_for_validation(version)
    tmp_dir = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    with (
        tempfile.TemporaryDirectory(dir=tmp_dir) as workdir,
        version.source_file.open("rb") as raw,
    ):
        parquet_path = os.path.join(workdir, "table.parquet")
        errors_path = os.path.join(workdir, "errors.csv")
        with open(errors_path, "w", encoding="utf-8-sig", newline="") as errors_stream:
            on_error = ingest.errors_csv_writer(errors_stream)
            try:
                result = ingest.validate_to_parquet(
                    raw, dialect, columns, region_codes=_region_codes(), parquet_out=parquet_path, on_error=on_error
                )
                problem = ""
            except ingest.FileProblem as exc:
                result, problem = ingest.Result(error_count=1), str(exc)
            except (UnicodeDecodeError, ValueError) as exc:
                result, problem = (
                    ingest.Result(error_count=1),
                    _("File: cannot be read (%(detail)s).") % {"detail": exc},
                )
        with transaction.atomic():
            version = DatasetVersion.objects.select_for_update().select_related("dataset__agency").get(pk=version.pk)
            if not version.is_editable or (run is not None and version.validation_run != run):
                return version
            Resource.objects.filter(version=version).delete()
            if version.error_file:
                version.error_file.delete(save=False)
            summary = result.summary()
            summary["first"] = sorted(summary["first"], key=lambda e: (e["row"], e["column"]))
            if problem:
                summary["file"] = problem
            version.error_count = result.error_count
            version.error_summary = summary
            version.row_count = result.row_count
            if result.ok and not problem:
                version.validation = ValidationState.VALID
                keys = ingest.cluster_keys(columns)
                if keys:
                    clustered = os.path.join(workdir, "clustered.parquet")
                    ingest.cluster(parquet_path, clustered, keys, temp_dir=workdir)
                    parquet_path = clustered
                with open(parquet_path, "rb") as parquet:
                    digest = hashlib.sha256()
                    for chunk in iter(lambda: parquet.read(1 << 20), b""):
                        digest.update(chunk)
                    parquet.seek(0)
                    resource = Resource(
                        version=version,
                        name=f"{version.dataset.title} (versi {version.number})",
                        row_count=result.row_count,
                        size_bytes=os.path.getsize(parquet_path),
                        sha256=digest.hexdigest(),
                    )
                    resource.file.save(f"{version.dataset.slug}-v{version.number}.parquet", File(parquet), save=False)
                    resource.save()
            else:
                version.validation = ValidationState.INVALID
                if not problem:
                    with open(errors_path, "rb") as errors_file:
                        version.error_file.save(
                            f"{version.dataset.slug}-v{version.number}-galat.csv", File(errors_file), save=False
                        )
            version.save()
            audit.record(
                actor=actor or "sistem",
                action="opendata.version_validate",
                target=version,
                after={"validation": version.validation, "rows": result.row_count, "errors": result.error_count},
            )
    return version


def version_submit(*, actor: Any, version: DatasetVersion) -> DatasetVersion:
    require(actor, perms.DRAFT, version)
    with transaction.atomic():
        version = DatasetVersion.objects.select_for_update().select_related("dataset__agency").get(pk=version.pk)
        if version.status not in (VersionStatus.DRAFT, VersionStatus.RETURNED):
            raise ValidationError(_("Only a draft or returned version can be submitted."))
        if version.validation != ValidationState.VALID:
            raise ValidationError(_("Fix every validation error before submitting."))
        before = {"status": version.status}
        version.status = VersionStatus.SUBMITTED
        version.submitted_at = timezone.now()
        version.save()
        audit.record(
            actor=actor,
            action="opendata.version_submit",
            target=version,
            before=before,
            after={"status": version.status},
        )
    return version


def version_return(*, actor: Any, version: DatasetVersion, comment: str) -> DatasetVersion:
    require(actor, perms.REVIEW, version)
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("Comment: explain what the data producer must fix.")]})
    with transaction.atomic():
        version = DatasetVersion.objects.select_for_update().select_related("dataset__agency").get(pk=version.pk)
        if version.status != VersionStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted version can be returned."))
        version.status = VersionStatus.RETURNED
        version.review_comment = comment.strip()
        version.reviewed_by = actor
        version.reviewed_at = timezone.now()
        version.save()
        audit.record(
            actor=actor,
            action="opendata.version_return",
            target=version,
            before={"status": VersionStatus.SUBMITTED},
            after={"status": version.status, "comment": version.review_comment},
        )
    return version


def standard_problems(version: DatasetVersion) -> list[str]:
    """What the walidata's check against the data standard finds missing."""
    problems = []
    dataset = version.dataset
    if not dataset.description.strip():
        problems.append(_("Description is empty."))
    activity = ActivityMetadata.objects.filter(dataset=dataset).first()
    if activity is None or not activity.activity_title.strip():
        problems.append(_("Activity metadata (MS-Keg): the activity title is empty."))
    for column in version.columns.all():  # type: ignore[attr-defined]
        if not column.definition.strip():
            problems.append(_("Column %(name)s: the definition (MS-Var) is empty.") % {"name": column.name})
        if not column.is_public and dataset.access == "public":
            problems.append(
                _(
                    "Column %(name)s: marked not publicly accessible (MS-Var) in a public dataset; "
                    "remove the column from the file or make the dataset restricted."
                )
                % {"name": column.name}
            )
    return problems


def widened_columns(version: DatasetVersion) -> list[str]:
    """Columns this version makes publicly accessible that the published version kept
    hidden: a widening the walidata approves by publishing, so the review page names it."""
    published = version.dataset.published_version_id
    if published is None or published == version.pk:
        return []
    hidden = set(ColumnSpec.objects.filter(version_id=published, is_public=False).values_list("name", flat=True))
    return [c.name for c in version.columns.order_by("position") if c.is_public and c.name in hidden]  # type: ignore[attr-defined]


def version_publish(*, actor: Any, version: DatasetVersion, comment: str = "") -> DatasetVersion:
    require(actor, perms.REVIEW, version)
    with transaction.atomic():
        version = DatasetVersion.objects.select_for_update().select_related("dataset__agency").get(pk=version.pk)
        if version.status != VersionStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted version can be published."))
        if version.validation != ValidationState.VALID or not Resource.objects.filter(version=version).exists():
            raise ValidationError(_("The version has no validated table."))
        problems = standard_problems(version)
        if problems:
            raise ValidationError(problems)
        _publish(version, actor=actor, comment=comment)
    return version


def _publish(version: DatasetVersion, *, actor: Any, comment: str = "") -> None:
    dataset = version.dataset
    previous = dataset.published_version_id
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.reviewed_by = actor if getattr(actor, "pk", None) else None
    version.reviewed_at = version.published_at
    version.review_comment = comment
    version.save()
    Dataset.objects.filter(pk=dataset.pk).update(published_version=version, updated_at=timezone.now())
    dataset.published_version = version
    audit.record(
        actor=actor,
        action="opendata.version_publish",
        target=version,
        before={"published_version": previous},
        after={"published_version": version.pk, "number": version.number, "rows": version.row_count},
    )


# ---------------------------------------------------------------------------- system datasets


def system_version_publish(
    *, dataset: Dataset, csv_bytes: bytes, columns: list[dict[str, Any]], note: str
) -> DatasetVersion:
    """The platform itself publishes a new version of a system dataset (no walidata
    step: the data comes from Etam's own records). Actor is the system."""
    upload = ContentFile(csv_bytes, name=f"{dataset.slug}.csv")
    with transaction.atomic():
        last = dataset.versions.order_by("-number").values_list("number", flat=True).first() or 0  # type: ignore[attr-defined]
        version = DatasetVersion(
            dataset=dataset,
            number=last + 1,
            change_note=note,
            source_name=f"{dataset.slug}.csv",
            source_format="csv",
            encoding="utf-8",
            delimiter=",",
        )
        version.source_file.save(version.source_name, upload, save=False)
        version.save()
        for position, spec in enumerate(columns):
            ColumnSpec.objects.create(version=version, position=position, **spec)
        audit.record(
            actor="sistem", action="opendata.version_upload", target=dataset, after={"version": version.number}
        )
    version = version_validate(actor=None, version=version)
    if version.validation != ValidationState.VALID:
        raise ValidationError(f"system dataset {dataset.slug}: {version.error_summary}")
    with transaction.atomic():
        version = DatasetVersion.objects.select_related("dataset__agency").get(pk=version.pk)
        _publish(version, actor="sistem", comment=note)
    return version


def csv_bytes(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8")
