"""The data cycle of a version: upload, validate (inline or queued), correct, submit, return, publish."""

from __future__ import annotations

import hashlib
import os
import tempfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Actor, Person, stored_person
from etam.core.changes import snapshot
from etam.core.models import Region
from etam.core.permissions import require
from etam.opendata import inference, ingest
from etam.opendata import permissions as perms
from etam.opendata.models import (
    ActivityMetadata,
    ColumnSpec,
    Dataset,
    DatasetVersion,
    Resource,
    ValidationState,
    VersionStatus,
)
from etam.opendata.services.datasets import stamp_review

# The data-dictionary fields of a column, in the order the column form shows them.
COLUMN_FIELDS = (
    "title",
    "type",
    "unit",
    "definition",
    "reference",
    "required",
    "minimum",
    "maximum",
    "number_format",
    "date_format",
    # MS-Var (BPS metadata variabel): konsep, referensi pemilihan, referensi waktu,
    # klasifikasi isian, kalimat pertanyaan, aksesibilitas publik.
    "concept",
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


def open_version(dataset: Dataset) -> DatasetVersion | None:
    """The version being prepared (draft, submitted or returned), if any."""
    return dataset.versions.exclude(status=VersionStatus.PUBLISHED).order_by("-number").first()


def version_upload(
    *,
    actor: Person,
    dataset: Dataset,
    upload: UploadedFile[Any] | File[Any],
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
        inferred = inference.infer_schema(upload, dialect, region_codes=_region_codes())
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
            previous.update({c.name: c for c in version.columns.all()})
            Resource.objects.filter(version=version).delete()
            version.columns.all().delete()
            version.source_file.delete(save=False)
        else:
            last = dataset.versions.order_by("-number").values_list("number", flat=True).first() or 0
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
                spec.required = column.required
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
    *, actor: Actor, version: DatasetVersion, changes: dict[str, dict[str, Any]], inline: bool | None = None
) -> DatasetVersion:
    """The uploader corrects the data dictionary (types, rules, MS-Var); then revalidate
    (at once or by the task queue, as for an upload)."""
    require(actor, perms.DRAFT, version)
    if not version.is_editable:
        raise ValidationError(_("Only a draft or returned version can be changed."))
    with transaction.atomic():
        columns = {c.name: c for c in version.columns.select_for_update()}
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name, values in changes.items():
            column = columns.get(name)
            if column is None:
                raise ValidationError({name: [_("Unknown column.")]})
            old = snapshot(column, values)
            for key, value in values.items():
                if key not in COLUMN_FIELDS:
                    raise TypeError(f"unknown column field {key}")
                setattr(column, key, value)
            column.full_clean()
            column.save()
            new = snapshot(column, values)
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
        for c in version.columns.order_by("position")
    ]


def _region_codes() -> list[str]:
    return list(Region.objects.current().values_list("code", flat=True))


def _mark_inferred(raw: Any, dialect: ingest.Dialect, columns: list[ingest.Column], codes: list[str]) -> list[Any]:
    """Which of the dictionary's rules are still what the inference proposes from the file's
    sample: their reported cells carry the inference's note, and the report lists them."""
    try:
        proposal = inference.infer_schema(raw, dialect, region_codes=codes)
    except (ingest.FileProblem, UnicodeDecodeError, ValueError):
        return []  # the validation below reports the file problem
    finally:
        raw.seek(0)
    inference.mark_inferred(columns, proposal)
    return [
        {"column": c.name, "rules": [{"rule": r, "note": n} for r, n in c.inferred.items()]}
        for c in columns
        if c.inferred
    ]


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


def version_validate(*, actor: Actor | None, version: DatasetVersion, run: int | None = None) -> DatasetVersion:
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
    region_codes = _region_codes()
    tmp_dir = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    with (
        tempfile.TemporaryDirectory(dir=tmp_dir) as workdir,
        version.source_file.open("rb") as raw,
    ):
        inferred = _mark_inferred(raw, dialect, columns, region_codes)
        parquet_path = os.path.join(workdir, "table.parquet")
        errors_path = os.path.join(workdir, "errors.csv")
        with open(errors_path, "w", encoding="utf-8-sig", newline="") as errors_stream:
            on_error = ingest.errors_csv_writer(errors_stream)
            try:
                result = ingest.validate_to_parquet(
                    raw, dialect, columns, region_codes=region_codes, parquet_out=parquet_path, on_error=on_error
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
            summary["inferred"] = inferred
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


def version_submit(*, actor: Actor, version: DatasetVersion) -> DatasetVersion:
    require(actor, perms.DRAFT, version)
    with transaction.atomic():
        version = DatasetVersion.objects.select_for_update().select_related("dataset__agency").get(pk=version.pk)
        if version.status not in (VersionStatus.DRAFT, VersionStatus.RETURNED):
            raise ValidationError(_("Only a draft or returned version can be submitted."))
        if version.validation != ValidationState.VALID:
            raise ValidationError(_("Fix every validation error before submitting."))
        # The walidata's own check (the one version_publish applies): nothing is submitted
        # that the walidata would have to refuse for missing metadata.
        problems = standard_problems(version)
        if problems:
            raise ValidationError([_("Complete before submitting to the walidata:"), *problems])
        with changes.recorded(version, ("status",), actor=actor, action="opendata.version_submit"):
            version.status = VersionStatus.SUBMITTED
            version.submitted_at = timezone.now()
    return version


def version_return(*, actor: Person, version: DatasetVersion, comment: str) -> DatasetVersion:
    require(actor, perms.REVIEW, version)
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("Comment: explain what the data producer must fix.")]})
    with transaction.atomic():
        version = DatasetVersion.objects.select_for_update().select_related("dataset__agency").get(pk=version.pk)
        if version.status != VersionStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted version can be returned."))
        stamp_review(version, actor=actor, status=VersionStatus.RETURNED, comment=comment.strip())
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
    for column in version.columns.all():
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
    return [c.name for c in version.columns.order_by("position") if c.is_public and c.name in hidden]


def version_publish(*, actor: Person, version: DatasetVersion, comment: str = "") -> DatasetVersion:
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


def _publish(version: DatasetVersion, *, actor: Person | str, comment: str = "") -> None:
    dataset = version.dataset
    previous = dataset.published_version_id
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.reviewed_by = stored_person(actor)
    version.reviewed_at = version.published_at
    version.review_comment = comment
    version.save()
    Dataset.objects.filter(pk=dataset.pk).update(published_version=version, updated_at=timezone.now())
    dataset.published_version = version
    _warm_after_commit(version)
    audit.record(
        actor=actor,
        action="opendata.version_publish",
        target=version,
        before={"published_version": previous},
        after={"published_version": version.pk, "number": version.number, "rows": version.row_count},
    )


def _warm_after_commit(version: DatasetVersion) -> None:
    """Object storage: pre-fetch the published Parquet into the worker node's local copy."""
    from etam.opendata import parquetstore

    if not parquetstore.warms_on_publication():
        return
    name = Resource.objects.filter(version=version).values_list("file", flat=True).first()
    if name:
        from etam.opendata.tasks import warm_parquet_copy

        transaction.on_commit(lambda: warm_parquet_copy.enqueue(name=str(name)))
