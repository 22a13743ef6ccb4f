"""Reads of the catalogue, already narrowed to what the actor may see.

Public surfaces (pages, CKAN API, native API, DCAT, datapackage, downloads, SQL) see only
*published* datasets; restricted ones only with ``opendata.view_restricted`` over the
dataset's OPD. Drafts are seen in the staff pages, with ``opendata.view_unpublished``.

Columns marked not publicly accessible (``ColumnSpec.is_public`` false, MS-Var) are read
by nobody on a published surface, whatever the dataset's access says (a reader granted a
restricted dataset reads its other columns): every ``Table`` handed to the query layer, and
every column list a page or document describes, is projected here (ADR 0071, narrowed by
docs/adr/0124-hidden-columns-hidden-inside-restricted-datasets.md). Only the staff pages'
preview of a version (``draft_table``) shows them, to its producer and walidata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404

from etam.core.actors import Actor
from etam.core.models import Agency, Region, RegionBoundary
from etam.core.permissions import has_perm, scope_q
from etam.opendata import parquetstore
from etam.opendata import permissions as perms
from etam.opendata.models import (
    Access,
    AccessRequest,
    AccessRequestStatus,
    ColumnSpec,
    Dataset,
    DatasetVersion,
    Resource,
    Tag,
    VersionStatus,
)
from etam.opendata.query import Table

SCOPE = {"institution_field": "agency__institution_id", "agency_field": "agency_id"}


def visible_datasets(actor: Actor) -> QuerySet[Dataset]:
    """Published datasets the actor may see: public ones, and restricted ones in their grant."""
    allowed = Q(access=Access.PUBLIC) | scope_q(actor, perms.VIEW_RESTRICTED, **SCOPE)
    return Dataset.objects.filter(published_version__isnull=False).filter(allowed)


def readable_columns_q(actor: Actor | None) -> Q:
    """ColumnSpecs ``actor`` may read the values of on a published surface: the publicly
    accessible ones, for every actor (ADR 0124: a restricted dataset's readers too)."""
    return Q(is_public=True)


def readable_columns(actor: Actor | None, version: DatasetVersion) -> list[ColumnSpec]:
    return list(ColumnSpec.objects.filter(version=version).filter(readable_columns_q(actor)).order_by("position"))


def staff_datasets(actor: Actor) -> QuerySet[Dataset]:
    return Dataset.objects.filter(scope_q(actor, perms.VIEW_UNPUBLISHED, **SCOPE))


def _awaiting_review(actor: Actor, queryset: QuerySet[Any], by: str, since: str) -> QuerySet[Any]:
    """What waits for a walidata of the actor's instansi, oldest first."""
    return (
        queryset.filter(
            scope_q(actor, perms.REVIEW, institution_field="dataset__agency__institution_id", agency_field=None)
        )
        .select_related("dataset__agency__institution", by)
        .order_by(since)
    )


def review_queue(actor: Actor) -> QuerySet[DatasetVersion]:
    submitted = DatasetVersion.objects.filter(status=VersionStatus.SUBMITTED)
    return _awaiting_review(actor, submitted, "created_by", "submitted_at")


def access_review_queue(actor: Actor) -> QuerySet[AccessRequest]:
    pending = AccessRequest.objects.filter(status=AccessRequestStatus.PENDING)
    return _awaiting_review(actor, pending, "requested_by", "requested_at")


def access_requests(dataset: Dataset) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(dataset=dataset).select_related("requested_by", "reviewed_by")


# ---------------------------------------------------------------------------- staff pages and catalogue lookups
# (views, views_staff and ckan read through these, never through ``Model.objects``)


def staff_dataset(actor: Actor, pk: int) -> Dataset:
    return get_object_or_404(staff_datasets(actor).select_related("agency__institution"), pk=pk)


def staff_dataset_list(actor: Actor) -> QuerySet[Dataset]:
    return (
        staff_datasets(actor)
        .select_related("agency", "published_version")
        .prefetch_related(
            Prefetch("versions", queryset=DatasetVersion.objects.order_by("-number"), to_attr="all_versions")
        )
        .order_by("title")
    )


def staff_dataset_copy(actor: Actor, dataset: Dataset) -> Dataset:
    """A second instance of a dataset the actor reached through ``staff_dataset``: a bound
    form edits it, so the one the service compares against keeps its stored values."""
    return Dataset.objects.get(pk=dataset.pk)


def staff_version(actor: Actor, pk: int) -> DatasetVersion:
    """A version of a dataset whose unpublished versions the actor sees (else 404)."""
    version = get_object_or_404(DatasetVersion.objects.select_related("dataset__agency__institution"), pk=pk)
    if not has_perm(actor, perms.VIEW_UNPUBLISHED, version.dataset):
        raise Http404
    return version


def draft_resource(actor: Actor, version: DatasetVersion) -> Resource | None:
    """The validated table of a version reached through ``staff_version``."""
    return Resource.objects.filter(version=version).first()


def draft_table(actor: Actor, version: DatasetVersion, resource: Resource) -> Table:
    """The staff preview of a version reached through ``staff_version``: every column,
    hidden ones included, for its producer and walidata; the published projection otherwise."""
    columns = list(version_columns(actor, version))
    dataset = version.dataset
    if not (has_perm(actor, perms.DRAFT, dataset) or has_perm(actor, perms.REVIEW, dataset)):
        columns = [c for c in columns if c.is_public]
    return _table(resource, columns)


def version_columns(actor: Actor, version: DatasetVersion) -> QuerySet[ColumnSpec]:
    """Every column of a version reached through ``staff_version`` (staff edit them all)."""
    return ColumnSpec.objects.filter(version=version).order_by("position")


def access_request_for(actor: Actor, pk: int) -> AccessRequest:
    """An access request on a dataset whose unpublished versions the actor sees (else 404)."""
    access_request = get_object_or_404(
        AccessRequest.objects.select_related("dataset__agency__institution", "requested_by"), pk=pk
    )
    if not has_perm(actor, perms.VIEW_UNPUBLISHED, access_request.dataset):
        raise Http404
    return access_request


def published_versions(actor: Actor, dataset: Dataset) -> list[DatasetVersion]:
    """The published versions with every column (the access review page; the reviewer sees all)."""
    return list(
        DatasetVersion.objects.filter(dataset=dataset, status="published")
        .prefetch_related(Prefetch("columns", queryset=ColumnSpec.objects.order_by("position"), to_attr="column_list"))
        .order_by("-number")
    )


def publishing_agencies(actor: Actor) -> list[tuple[Agency, int]]:
    """OPDs with at least one dataset the actor sees, with that count (CKAN organizations)."""
    counts = dict(visible_datasets(actor).values("agency_id").annotate(n=Count("pk")).values_list("agency_id", "n"))
    agencies = (
        Agency.objects.filter(pk__in=counts).select_related("institution").order_by("institution__region_code", "code")
    )
    return [(a, counts[a.pk]) for a in agencies]


def agency_by_id(agency_id: int) -> Agency | None:
    """OPDs are public (the organisations API lists them too)."""
    return Agency.objects.select_related("institution").filter(pk=agency_id).first()


def visible_tags(actor: Actor) -> QuerySet[Tag]:
    return Tag.objects.filter(datasets__in=visible_datasets(actor)).distinct().order_by("name")


def region_shapes(level: str) -> list[tuple[str, str, Any]]:
    """Public reference: (code, name, geometry) of every boundary at ``level`` (the choropleth)."""
    boundaries = RegionBoundary.objects.filter(level=level).order_by("code")
    names = dict(Region.objects.current().filter(level=level).values_list("code", "name"))
    return [(b.code, names.get(b.code, b.code), b.geometry) for b in boundaries]


def with_catalogue(queryset: QuerySet[Dataset], actor: Actor | None = None) -> QuerySet[Dataset]:
    """Everything a catalogue entry shows, in a fixed number of queries. The current
    version's ``column_list`` holds only the columns ``actor`` may read (anonymous when
    ``None``)."""
    return queryset.select_related("agency__institution", "published_version__resource", "activity").prefetch_related(
        "tags",
        "indicators",
        Prefetch(
            "versions",
            queryset=DatasetVersion.objects.filter(status=VersionStatus.PUBLISHED)
            .select_related("resource")
            .order_by("-number"),
            to_attr="published_versions",
        ),
        Prefetch(
            "published_version__columns",
            queryset=ColumnSpec.objects.filter(readable_columns_q(actor)).order_by("position"),
            to_attr="column_list",
        ),
    )


@dataclass
class SearchResult:
    count: int
    datasets: list[Dataset]
    facets: dict[str, list[tuple[str, str, int]]]  # facet → [(value, label, count)]


FACETS = ("organization", "groups", "tags", "res_format", "kabkota")


def filter_datasets(
    queryset: QuerySet[Dataset], *, q: str = "", filters: dict[str, list[str]] | None = None
) -> QuerySet[Dataset]:
    if q:
        # At most 8 words of at most 100 characters: a 60k-character q is not a search.
        words = [w[:100] for w in q[:1000].split() if w]
        for word in words[:8]:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(description__icontains=word) | Q(tags__name__icontains=word)
            )
        queryset = queryset.distinct()
    for key, values in (filters or {}).items():
        if not values:
            continue
        if key == "organization":
            queryset = queryset.filter(agency_id__in=[_agency_id(v) for v in values])
        elif key == "groups":
            queryset = queryset.filter(topic__in=values)
        elif key == "tags":
            # Every tag (AND), in one subquery counting the matches: a join per tag ran into
            # SQLite's 64-table join limit at 30 tags (a 500).
            wanted = set(values)
            matching = (
                Dataset.tags.through.objects.filter(tag__name__in=wanted)
                .values("dataset_id")
                .annotate(found=Count("tag_id"))
                .filter(found=len(wanted))
                .values("dataset_id")
            )
            queryset = queryset.filter(pk__in=matching)
        elif key == "res_format":
            queryset = queryset.filter(published_version__source_format__in=[v.lower() for v in values])
        elif key == "kabkota":
            region = Q(pk__in=[])
            for value in values:
                region |= Q(spatial_code=value) | Q(spatial_code__startswith=f"{value}.")
            queryset = queryset.filter(region)
        elif key in ("name", "id"):
            if key == "name":
                queryset = queryset.filter(slug__in=values)
            else:  # a value that is not a UUID names no dataset (it used to be a 500)
                queryset = queryset.filter(uuid__in=[v for v in values if _looks_like_uuid(v)])
        elif key == "license_id":
            queryset = queryset.filter(licence__in=values)
        elif key == "private":
            queryset = queryset.filter(access=Access.RESTRICTED if values[0] == "true" else Access.PUBLIC)
    return queryset


def _agency_id(value: str) -> int:
    """An organisation is named ``<instansi code>-<OPD code>`` or by its numeric id."""
    from etam.opendata.ckan_dicts import agency_id_from_name

    return agency_id_from_name(value)


def facets_for(queryset: QuerySet[Dataset], limit: int = 50) -> dict[str, list[tuple[str, str, int]]]:
    from etam.core.models import Region
    from etam.opendata.ckan_dicts import organization_name
    from etam.opendata.models import Topic

    ids = queryset.values("pk")
    base = Dataset.objects.filter(pk__in=ids)
    result: dict[str, list[tuple[str, str, int]]] = {}
    orgs = (
        base.values("agency_id", "agency__code", "agency__name", "agency__institution__region_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "agency__name")[:limit]
    )
    result["organization"] = [
        (organization_name(o["agency__institution__region_code"], o["agency__code"]), o["agency__name"], o["n"])
        for o in orgs
    ]
    topics = dict(Topic.choices)
    result["groups"] = [
        (t["topic"], str(topics.get(t["topic"], t["topic"])), t["n"])
        for t in base.values("topic").annotate(n=Count("pk")).order_by("-n", "topic")[:limit]
    ]
    tag_rows = (
        Tag.objects.filter(datasets__in=ids).values("name").annotate(n=Count("datasets")).order_by("-n", "name")[:limit]
    )
    result["tags"] = [(t["name"], t["name"], t["n"]) for t in tag_rows]
    result["res_format"] = [
        (f["published_version__source_format"].upper(), f["published_version__source_format"].upper(), f["n"])
        for f in base.values("published_version__source_format").annotate(n=Count("pk")).order_by("-n")
        if f["published_version__source_format"]
    ]
    kab = (
        base.annotate(kab=Substr("spatial_code", 1, 5))
        .filter(kab__contains=".")
        .values("kab")
        .annotate(n=Count("pk"))
        .order_by("-n", "kab")[:limit]
    )
    kab_rows = list(kab)
    names = dict(Region.objects.current().filter(code__in=[k["kab"] for k in kab_rows]).values_list("code", "name"))
    result["kabkota"] = [(k["kab"], names.get(k["kab"], k["kab"]), k["n"]) for k in kab_rows]
    return result


def search_datasets(
    actor: Actor,
    *,
    q: str = "",
    filters: dict[str, list[str]] | None = None,
    sort: str = "",
    rows: int = 10,
    start: int = 0,
    with_facets: bool = True,
) -> SearchResult:
    queryset = filter_datasets(visible_datasets(actor), q=q, filters=filters)
    order = {
        "title_string asc": ["title"],
        "title_string desc": ["-title"],
        "metadata_modified desc": ["-updated_at"],
        "metadata_modified asc": ["updated_at"],
        "metadata_created desc": ["-created_at"],
        "name asc": ["slug"],
        "name desc": ["-slug"],
    }.get(sort.strip().lower(), ["title", "id"])
    count = queryset.count()
    page = list(with_catalogue(queryset.order_by(*order), actor)[start : start + rows]) if rows else []
    facets = facets_for(queryset) if with_facets else {}
    return SearchResult(count=count, datasets=page, facets=facets)


def visible_dataset(actor: Actor, key: str) -> Dataset | None:
    """One published dataset by slug or uuid, if the actor may see it."""
    queryset = with_catalogue(visible_datasets(actor), actor)
    if _looks_like_uuid(key):
        return queryset.filter(uuid=key).first()
    return queryset.filter(slug=key).first()


def _looks_like_uuid(key: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(key))
    except ValueError:
        return False
    return True


def visible_resources(actor: Actor) -> QuerySet[Resource]:
    """Resources of published versions of datasets the actor may see (old versions too)."""
    return Resource.objects.filter(
        version__status=VersionStatus.PUBLISHED, version__dataset__in=visible_datasets(actor)
    ).select_related("version__dataset__agency")


def visible_resource(actor: Actor, resource_id: str) -> Resource | None:
    if not _looks_like_uuid(resource_id):
        return None
    return visible_resources(actor).filter(uuid=resource_id).first()


def table_for(resource: Resource, columns: list[ColumnSpec] | None = None, *, actor: Actor | None = None) -> Table:
    """The query layer's view of ``resource``: only the columns ``actor`` may read
    (anonymous when ``None``). ``columns``, when given, must already be projected
    (e.g. ``column_list`` from ``with_catalogue(..., actor)``); hidden ones are dropped
    again here all the same."""
    if columns is None:
        columns = list(
            ColumnSpec.objects.filter(version_id=resource.version_id)
            .filter(readable_columns_q(actor))
            .order_by("position")
        )
    else:
        columns = [c for c in columns if c.is_public]
    return _table(resource, columns)


def _table(resource: Resource, columns: list[ColumnSpec]) -> Table:
    return Table(
        resource_id=str(resource.uuid),
        path=parquet_path(resource),
        columns=tuple((c.name, c.type) for c in columns),
        row_count=resource.row_count,
    )


def tables_for(actor: Actor, resource_ids: set[str]) -> dict[str, Table]:
    ids = [r for r in resource_ids if _looks_like_uuid(r)]
    resources = list(visible_resources(actor).filter(uuid__in=ids))
    columns: dict[int, list[ColumnSpec]] = {}
    readable = ColumnSpec.objects.filter(version_id__in=[r.version_id for r in resources]).filter(
        readable_columns_q(actor)
    )
    for column in readable.order_by("position"):
        columns.setdefault(column.version_id, []).append(column)
    return {str(r.uuid): table_for(r, columns.get(r.version_id, []), actor=actor) for r in resources}


def parquet_path(resource: Resource) -> str:
    """Where DuckDB reads the file: the stored file on local disk; on object storage its
    read-through copy or a bucket URL (``parquetstore``, ADR 0101)."""
    return parquetstore.location(str(resource.file.name))


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"
