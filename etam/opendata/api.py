"""Native Satu Data API under ``/api/v1/datasets/`` (Django Ninja, in the OpenAPI document).

Public: anonymous callers see public published datasets; a bearer token or session
with a grant also sees the restricted ones of its OPD/instansi. Writes (create, change,
upload, data dictionary, records, submit) need a token or session with the produsen's
grant and go through the same services as the staff pages (docs/adr/0115).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal, cast

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Field, Form, Query, Router, Schema, UploadedFile
from ninja import File as NinjaFile
from ninja.errors import HttpError

from etam.api.auth import require_auth
from etam.api.errors import ErrorOut
from etam.api.params import Offset
from etam.core import bearer
from etam.core.actors import Person
from etam.core.permissions import has_perm
from etam.opendata import ckan_validation, ckan_write_selectors, query, selectors, services, views
from etam.opendata import permissions as perms
from etam.opendata.ckan_dicts import organization_name, version_handle
from etam.opendata.models import AccessRequestStatus
from etam.opendata.services import api_writes

router = Router(tags=["Satu Data"])


def _actor(request: HttpRequest) -> Any:
    token = bearer.header_token(request)
    if token is not None:
        user = bearer.authenticate(request, token)
        if user is None:
            raise HttpError(401, "Authorization: the API token is unknown, expired or revoked.")
        return user
    return request.user


class ColumnOut(Schema):
    name: str
    title: str
    type: str
    unit: str
    definition: str
    reference: str
    validation_rule: str


class VersionOut(Schema):
    number: int
    published_at: str | None
    change_note: str
    row_count: int | None
    resource_id: str


class DatasetSummary(Schema):
    slug: str
    id: str
    title: str
    description: str
    organization: str
    organization_title: str
    topic: str
    tags: list[str]
    licence: str
    update_frequency: str
    spatial_code: str
    access: str
    version: int | None
    row_count: int | None
    modified: str


class DatasetDetail(DatasetSummary):
    temporal_start: str | None
    temporal_end: str | None
    spatial_level: str
    contact_name: str
    contact_email: str
    columns: list[ColumnOut]
    versions: list[VersionOut]
    activity: dict[str, Any] | None
    indicators: list[dict[str, Any]]


class DatasetList(Schema):
    count: int
    results: list[DatasetSummary]
    facets: dict[str, list[dict[str, Any]]]


class RowsOut(Schema):
    fields: list[dict[str, str]]
    records: list[dict[str, Any]]
    next_cursor: str | None
    total: int


class AggregateOut(Schema):
    group_by: list[str]
    metrics: list[str]
    records: list[dict[str, Any]]


def _summary(dataset: Any) -> dict[str, Any]:
    version = dataset.published_version
    return {
        "slug": dataset.slug,
        "id": str(dataset.uuid),
        "title": dataset.title,
        "description": dataset.description,
        "organization": organization_name(dataset.agency.institution.region_code, dataset.agency.code),
        "organization_title": dataset.agency.name,
        "topic": dataset.topic,
        "tags": [t.name for t in dataset.tags.all()],
        "licence": dataset.licence,
        "update_frequency": dataset.update_frequency,
        "spatial_code": dataset.spatial_code,
        "access": dataset.access,
        "version": version.number if version else None,
        "row_count": version.row_count if version else None,
        "modified": dataset.updated_at.isoformat(),
    }


def _dataset(request: HttpRequest, slug: str) -> Any:
    dataset = selectors.visible_dataset(_actor(request), slug)
    if dataset is None:
        raise HttpError(404, "Dataset not found.")
    return dataset


def _filters(filters: str | None) -> dict[str, Any]:
    if not filters:
        return {}
    try:
        value = json.loads(filters)
    except json.JSONDecodeError as exc:
        raise HttpError(422, f"filters: not valid JSON ({exc.msg}).") from exc
    if not isinstance(value, dict):
        raise HttpError(422, "filters: must be a JSON object of column: value or [values].")
    return value


def _query_error(exc: query.QueryError) -> HttpError:
    return HttpError(422, exc.message)


@router.get("/", response=DatasetList, auth=None, summary="Search the catalogue")
def list_datasets(
    request: HttpRequest,
    q: str = "",
    organization: list[str] = Query([]),  # noqa: B008
    topic: list[str] = Query([]),  # noqa: B008
    tag: list[str] = Query([]),  # noqa: B008
    kabkota: list[str] = Query([]),  # noqa: B008
    limit: int = Query(20, ge=1, le=100),
    offset: Offset = 0,
) -> dict[str, Any]:
    filters = {"organization": organization, "groups": topic, "tags": tag, "kabkota": kabkota}
    result = selectors.search_datasets(_actor(request), q=q, filters=filters, rows=limit, start=offset)
    return {
        "count": result.count,
        "results": [_summary(d) for d in result.datasets],
        "facets": {
            k: [{"value": v, "label": label, "count": n} for v, label, n in items] for k, items in result.facets.items()
        },
    }


@router.get("/{slug}", response=DatasetDetail, auth=None, summary="One dataset with its data dictionary and versions")
def dataset_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    dataset = _dataset(request, slug)
    version = dataset.published_version
    activity = getattr(dataset, "activity", None)
    return {
        **_summary(dataset),
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
        "spatial_level": dataset.spatial_level,
        "contact_name": dataset.contact_name,
        "contact_email": dataset.contact_email,
        "columns": [
            {
                "name": c.name,
                "title": c.title,
                "type": c.type,
                "unit": c.unit,
                "definition": c.definition,
                "reference": c.reference,
                "validation_rule": c.validation_rule,
            }
            for c in getattr(version, "column_list", [])
        ],
        "versions": [
            {
                "number": v.number,
                "published_at": v.published_at.isoformat() if v.published_at else None,
                "change_note": v.change_note,
                "row_count": v.row_count,
                "resource_id": str(v.resource.uuid),
            }
            for v in getattr(dataset, "published_versions", [])
        ],
        "activity": {
            "judul_kegiatan": activity.activity_title,
            "id_mskeg": activity.activity_code,
            "tahun": activity.year,
            "jenis_statistik": activity.statistic_type,
            "cara_pengumpulan_data": activity.collection_method,
        }
        if activity
        else None,
        "indicators": [
            {"name": i.name, "definition": i.definition, "unit": i.unit, "method": i.method}
            for i in dataset.indicators.all()
            if i.is_public
        ],
    }


@router.get("/{slug}/rows", response=RowsOut, auth=None, summary="Rows with filters, sort and keyset pagination")
def dataset_rows(
    request: HttpRequest,
    slug: str,
    filters: str | None = Query(None, description='JSON object, e.g. {"kode_wilayah": "64.72"}'),
    sort: str | None = Query(None, description="One column, optionally followed by asc or desc"),
    after: str | None = Query(None, description="next_cursor of the previous page"),
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    dataset = _dataset(request, slug)
    version = dataset.published_version
    table = selectors.table_for(version.resource, getattr(version, "column_list", None), actor=_actor(request))
    parsed = _filters(filters)
    try:
        page = query.keyset_page(table, filters=parsed, sort=sort, after=after, limit=limit)
        total = table.row_count if not parsed else query.search(table, filters=parsed, limit=0)["total"]
    except query.QueryError as exc:
        raise _query_error(exc) from exc
    return {
        "fields": [{"name": query.ROW_ID, "type": "integer"}] + [{"name": n, "type": t} for n, t in table.columns],
        "records": page["records"],
        "next_cursor": page["next_cursor"],
        "total": total,
    }


@router.get(
    "/{slug}/aggregate", response=AggregateOut, auth=None, summary="Group by columns with count/sum/avg/min/max"
)
def dataset_aggregate(
    request: HttpRequest,
    slug: str,
    group_by: list[str] = Query([]),  # noqa: B008
    metric: list[str] = Query([], description="function:column, e.g. sum:penduduk or count:*"),  # noqa: B008
    filters: str | None = None,
    sort: str | None = None,
    limit: int = Query(1000, ge=1, le=10000),
) -> dict[str, Any]:
    dataset = _dataset(request, slug)
    version = dataset.published_version
    table = selectors.table_for(version.resource, getattr(version, "column_list", None), actor=_actor(request))
    metrics: list[tuple[str, str]] = []
    for item in metric:
        fn, sep, column = item.partition(":")
        if not sep:
            raise HttpError(422, f"metric: {item} must be function:column, e.g. sum:penduduk.")
        metrics.append((fn, column))
    try:
        return query.aggregate(
            table, group_by=group_by, metrics=metrics, filters=_filters(filters), sort=sort, limit=limit
        )
    except query.QueryError as exc:
        raise _query_error(exc) from exc


@router.get("/{slug}/download.{fmt}", auth=None, summary="Current version, streamed (CSV, JSON, XLSX or Parquet)")
def dataset_download(
    request: HttpRequest, slug: str, fmt: Literal["csv", "json", "xlsx", "parquet"]
) -> HttpResponseBase:
    dataset = _dataset(request, slug)
    request.user = _actor(request)
    return views.download(request, dataset.slug, dataset.published_version.number, fmt)


# ---------------------------------------------------------------------------- writes (issue 14)
# The same services as the staff pages and the CKAN write actions (docs/adr/0115): the
# produsen's permission, the walidata review and one audit event per change; a refusal
# changes nothing.


class DatasetIn(Schema):
    slug: str = Field(max_length=100)
    title: str = Field(max_length=200)
    description: str
    organization: str = Field(description="OPD as <region>-<code> (e.g. 64-diskominfo) or its id")
    topic: str
    licence: str = "CC-BY-4.0"
    update_frequency: str = "annual"
    spatial_code: str = "64"
    spatial_level: str = "kabupaten_kota"
    access: Literal["public", "restricted"] = "public"
    contact_name: str = Field(max_length=150)
    contact_email: str = Field(max_length=254)
    tags: list[str] = []
    temporal_start: date | None = None
    temporal_end: date | None = None


class DatasetPatchIn(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    topic: str | None = None
    licence: str | None = None
    update_frequency: str | None = None
    spatial_code: str | None = None
    spatial_level: str | None = None
    access: Literal["public", "restricted"] | None = None
    contact_name: str | None = Field(None, max_length=150)
    contact_email: str | None = Field(None, max_length=254)
    tags: list[str] | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None


class VersionWriteOut(Schema):
    number: int
    status: str
    validation_status: str = Field(description="created, running, success, failure or error (ckanext-validation)")
    resource_id: str
    row_count: int | None
    error_count: int
    change_note: str


class DatasetWriteOut(Schema):
    slug: str
    id: str
    title: str
    access: str
    organization: str
    access_request: str | None = Field(description="A wider access waiting for walidata review")
    open_version: VersionWriteOut | None


class ColumnIn(Schema):
    name: str
    type: str | None = Field(None, description="text, int, numeric, date, year or bool (CKAN names accepted)")
    title: str | None = None
    definition: str | None = None
    unit: str | None = None


class RecordsIn(Schema):
    records: list[dict[str, Any]] = Field(max_length=100_000)
    method: Literal["upsert", "insert", "update"] = "upsert"
    primary_key: list[str] = []
    change_note: str = ""


class ValidationOut(Schema):
    id: str
    resource_id: str
    status: str
    report: dict[str, Any] | None
    error: dict[str, Any] | None
    created: str
    finished: str | None
    etam_version: int
    etam_version_status: str


def _person(request: HttpRequest) -> Person:
    """The caller of a write: ``require_auth`` let only a signed-in person or a token through."""
    return cast(Person, request.user)


def _version_out(version: Any) -> dict[str, Any]:
    return {
        "number": version.number,
        "status": version.status,
        "validation_status": ckan_validation.status(version),
        "resource_id": version_handle(version.dataset.uuid, version.number),
        "row_count": version.row_count,
        "error_count": version.error_count,
        "change_note": version.change_note,
    }


def _written(dataset: Any) -> dict[str, Any]:
    dataset.refresh_from_db()
    open_version = services.open_version(dataset)
    pending = selectors.access_requests(dataset).filter(status=AccessRequestStatus.PENDING).first()
    return {
        "slug": dataset.slug,
        "id": str(dataset.uuid),
        "title": dataset.title,
        "access": dataset.access,
        "organization": organization_name(dataset.agency.institution.region_code, dataset.agency.code),
        "access_request": pending.access if pending is not None else None,
        "open_version": _version_out(open_version) if open_version is not None else None,
    }


def _writable(request: HttpRequest, slug: str, *allowed: str) -> Any:
    dataset = ckan_write_selectors.dataset_by_key(slug)
    if dataset is None:
        raise HttpError(404, _("Dataset not found."))
    if not any(has_perm(request.user, perm, dataset) for perm in allowed or (perms.DRAFT,)):
        raise PermissionDenied(_("This dataset belongs to an OPD you may not write for."))
    return dataset


def _numbered(dataset: Any, number: int) -> Any:
    version = ckan_write_selectors.version_by_number(dataset, number)
    if version is None:
        raise HttpError(404, _("Version not found."))
    return version


WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut}


@router.post("/", response={201: DatasetWriteOut, **WRITE_ERRORS}, auth=require_auth, summary="Create a dataset")
def create_dataset(request: HttpRequest, payload: DatasetIn) -> tuple[int, dict[str, Any]]:
    agency = ckan_write_selectors.agency_for_write(payload.organization)
    if agency is None:
        raise DjangoValidationError({"organization": [_("organization: no such OPD.")]})
    fields = payload.dict(exclude={"organization", "tags"})
    with transaction.atomic():
        dataset = services.dataset_create(actor=_person(request), agency=agency, tags=payload.tags, **fields)
    return 201, _written(dataset)


@router.patch("/{slug}", response={200: DatasetWriteOut, **WRITE_ERRORS}, auth=require_auth, summary="Change a dataset")
def patch_dataset(request: HttpRequest, slug: str, payload: DatasetPatchIn) -> dict[str, Any]:
    dataset = _writable(request, slug, perms.DRAFT, perms.REVIEW)
    fields = payload.dict(exclude_unset=True)
    tags = fields.pop("tags", None)
    with transaction.atomic():
        services.dataset_update(actor=_person(request), dataset=dataset, tags=tags, **fields)
    return _written(dataset)


@router.post(
    "/{slug}/versions",
    response={201: VersionWriteOut, **WRITE_ERRORS},
    auth=require_auth,
    summary="Upload a CSV/XLSX as the open version (validated; never fetched from a URL)",
)
def upload_version(
    request: HttpRequest,
    slug: str,
    file: UploadedFile = NinjaFile(...),  # noqa: B008
    change_note: str = Form(""),
) -> tuple[int, dict[str, Any]]:
    dataset = _writable(request, slug)
    version = api_writes.file_version(actor=_person(request), dataset=dataset, upload=file, change_note=change_note)
    return 201, _version_out(version)


@router.put(
    "/{slug}/versions/{number}/columns",
    response={200: VersionWriteOut, **WRITE_ERRORS},
    auth=require_auth,
    summary="Set the data dictionary of the open version (types, labels, definitions); revalidates",
)
def put_columns(request: HttpRequest, slug: str, number: int, payload: list[ColumnIn]) -> dict[str, Any]:
    dataset = _writable(request, slug)
    version = _numbered(dataset, number)
    fields = [
        {
            "id": c.name,
            "type": c.type or "text",
            "info": {k: v for k, v in (("label", c.title), ("notes", c.definition), ("unit", c.unit)) if v is not None},
        }
        for c in payload
    ]
    with transaction.atomic():
        version = api_writes.dictionary_update(actor=_person(request), version=version, fields=fields)
    return _version_out(version)


@router.post(
    "/{slug}/records",
    response={201: VersionWriteOut, **WRITE_ERRORS},
    auth=require_auth,
    summary="Records as a new version holding every row (upsert by primary_key, insert or update)",
)
def post_records(request: HttpRequest, slug: str, payload: RecordsIn) -> tuple[int, dict[str, Any]]:
    dataset = _writable(request, slug)
    base = services.open_version(dataset) or dataset.published_version
    if base is None or ckan_validation.status(base) != "success":
        raise DjangoValidationError({"records": [_("records: the dataset has no validated rows to start from.")]})
    version = api_writes.records_version(
        actor=_person(request),
        dataset=dataset,
        base=base,
        base_rows=ckan_write_selectors.table_rows(base),
        records=payload.records,
        method=payload.method,
        primary_key=payload.primary_key,
        change_note=payload.change_note,
    )
    return 201, _version_out(version)


@router.get(
    "/{slug}/versions/{number}/validation",
    response={200: ValidationOut, **WRITE_ERRORS},
    auth=require_auth,
    summary="Validation result of a version (ckanext-validation's shape, Frictionless report)",
)
def version_validation(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    dataset = _writable(request, slug, perms.VIEW_UNPUBLISHED)
    return ckan_validation.validation_dict(_numbered(dataset, number))


@router.post(
    "/{slug}/versions/{number}/submit",
    response={200: VersionWriteOut, **WRITE_ERRORS},
    auth=require_auth,
    summary="Send the open version to the walidata for review",
)
def submit_version(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    dataset = _writable(request, slug)
    version = _numbered(dataset, number)
    api_writes.editable_version(version, "number")
    services.version_submit(actor=request.user, version=version)
    version.refresh_from_db()
    return _version_out(version)
