"""Reads for the write API (CKAN write actions and the /api/v1/datasets writes).

Lookups are unscoped on purpose: the write layer checks the permission itself and answers
``Authorization Error`` for a dataset of another OPD (CKAN answers 403 for a private
dataset it knows, not 404); what it returns is only what the actor may write or read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from etam.core.actors import Actor
from etam.core.models import Agency
from etam.core.permissions import scope_q
from etam.opendata.ckan_dicts import version_handle
from etam.opendata.models import ColumnSpec, Dataset, DatasetVersion, Resource
from etam.opendata.selectors import _looks_like_uuid


def dataset_by_key(key: str) -> Dataset | None:
    """A dataset by slug or id (published or not); the caller checks the permission."""
    queryset = Dataset.objects.select_related("agency__institution", "published_version")
    if _looks_like_uuid(key):
        return queryset.filter(uuid=key).first()
    return queryset.filter(slug=key[:100]).first()


def version_by_resource_id(resource_id: str) -> DatasetVersion | None:
    """The version a CKAN resource id names: a stored table's id, or a version's handle
    (``ckan_dicts.version_handle``, the id a draft has before it has a table)."""
    if not _looks_like_uuid(resource_id):
        return None
    resource_id = str(resource_id).lower()
    related = ("dataset__agency__institution",)
    resource = Resource.objects.filter(uuid=resource_id).select_related("version").first()
    if resource is not None:
        return DatasetVersion.objects.select_related(*related).get(pk=resource.version_id)
    for pk, number, dataset_uuid in DatasetVersion.objects.values_list("pk", "number", "dataset__uuid").iterator():
        if version_handle(dataset_uuid, number) == resource_id:
            return DatasetVersion.objects.select_related(*related).get(pk=pk)
    return None


def version_by_number(dataset: Dataset, number: int) -> DatasetVersion | None:
    return (
        DatasetVersion.objects.select_related("dataset__agency__institution")
        .filter(dataset=dataset, number=number)
        .first()
    )


def latest_version(dataset: Dataset) -> DatasetVersion | None:
    return DatasetVersion.objects.filter(dataset=dataset).order_by("-number").first()


def version_columns(version: DatasetVersion) -> list[ColumnSpec]:
    return list(ColumnSpec.objects.filter(version=version).order_by("position"))


def version_table(version: DatasetVersion) -> Resource | None:
    return Resource.objects.filter(version=version).first()


def agencies_with(actor: Actor, perm: str) -> QuerySet[Agency]:
    """OPDs over which ``actor`` holds ``perm`` (CKAN's organization_list_for_user)."""
    return (
        Agency.objects.filter(scope_q(actor, perm, institution_field="institution_id", agency_field="id"))
        .select_related("institution")
        .order_by("institution__region_code", "code")
    )


def agency_for_write(key: str) -> Agency | None:
    from etam.opendata.ckan_dicts import agency_id_from_name

    return Agency.objects.select_related("institution").filter(pk=agency_id_from_name(str(key))).first()


def table_rows(version: DatasetVersion) -> list[dict[str, Any]]:
    """Every row of a version's validated table, in file order, with its ``_id``."""
    import pyarrow.parquet as pq

    from etam.opendata.reading import ROW_ID

    resource = version_table(version)
    if resource is None:
        return []
    with resource.file.open("rb") as handle:
        table = pq.read_table(handle)
    rows = table.to_pylist()
    rows.sort(key=lambda r: r[ROW_ID])
    return rows


def dataset_for_dict(pk: int, actor: Actor) -> Dataset:
    """A dataset the actor just wrote, loaded for ``package_dict`` (published versions and all)."""
    from etam.opendata.selectors import with_catalogue

    return with_catalogue(Dataset.objects.filter(pk=pk), actor).get()
