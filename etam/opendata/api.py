"""Native Satu Data API under ``/api/v1/datasets/`` (Django Ninja, in the OpenAPI document).

Public: anonymous callers see public published datasets; a bearer token or session
with a grant also sees the restricted ones of its OPD/instansi.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from etam.api.params import Offset
from etam.core import bearer
from etam.opendata import query, selectors, views
from etam.opendata.ckan_dicts import organization_name

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
