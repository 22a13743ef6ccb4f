"""Catalogue entries as CKAN dictionaries (package, resource, organization, group).

Shared by the CKAN action API, the native API and the pages, so every surface
describes a dataset the same way. SDI fields use the names of the SDI CKAN mapping
(``id_mskeg``, ``kodereferensi``, ``produsen_data_city_code``...).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from etam.core.models import Agency
from etam.opendata.models import Dataset, DatasetVersion, Resource, Topic


def organization_name(region_code: str, agency_code: str) -> str:
    return f"{region_code.replace('.', '-')}-{agency_code}".lower()


def agency_id_from_name(value: str) -> int:
    """Accepts a numeric id or ``<region>-<code>`` (e.g. ``64-diskominfo``); -1 if unknown."""
    if value.isdigit():
        return int(value)
    region, _sep, code = value.rpartition("-")
    if not region:
        return -1
    agency = (
        Agency.objects.filter(institution__region_code=region.replace("-", "."), code__iexact=code)
        .values_list("pk", flat=True)
        .first()
    )
    return agency if agency is not None else -1


def organization_dict(agency: Agency, *, package_count: int | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": str(agency.pk),
        "name": organization_name(agency.institution.region_code, agency.code),
        "title": agency.name,
        "display_name": agency.name,
        "description": f"{agency.name} — {agency.institution.name}",
        "type": "organization",
        "is_organization": True,
        "state": "active" if agency.is_active else "deleted",
        "approval_status": "approved",
        "image_url": "",
        "created": agency.created_at.isoformat(),
        "instansi": agency.institution.name,
        "produsen_data_province_code": agency.institution.region_code[:2],
        "produsen_data_city_code": agency.institution.region_code if "." in agency.institution.region_code else "",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(topic: str, package_count: int | None = None) -> dict[str, Any]:
    label = dict(Topic.choices).get(topic, topic)
    result: dict[str, Any] = {
        "id": topic,
        "name": topic,
        "title": str(label),
        "display_name": str(label),
        "type": "group",
        "is_organization": False,
        "state": "active",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def absolute(request: Any, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def resource_dict(
    resource: Resource, version: DatasetVersion, dataset: Dataset, request: Any, position: int
) -> dict[str, Any]:
    download = reverse("opendata:download", args=[dataset.slug, version.number, "csv"])
    return {
        "id": str(resource.uuid),
        "package_id": str(dataset.uuid),
        "name": resource.name,
        "description": version.change_note,
        "format": "CSV",
        "mimetype": "text/csv",
        "url": absolute(request, download),
        "url_type": "datastore",
        "size": resource.size_bytes,
        "hash": f"sha256:{resource.sha256}",
        "created": resource.created_at.isoformat(),
        "last_modified": (version.published_at or resource.created_at).isoformat(),
        "datastore_active": True,
        "validation_status": "success",  # ckanext-validation's field: only a valid table is stored
        "position": position,
        "state": "active",
        "version": str(version.number),
        "row_count": resource.row_count,
        "parquet_url": absolute(request, reverse("opendata:download", args=[dataset.slug, version.number, "parquet"])),
    }


def package_dict(dataset: Dataset, request: Any = None) -> dict[str, Any]:
    """Expects a dataset loaded through ``selectors.with_catalogue``."""
    versions: list[DatasetVersion] = getattr(dataset, "published_versions", None) or []
    resources = [
        resource_dict(v.resource, v, dataset, request, i) for i, v in enumerate(versions) if hasattr(v, "resource")
    ]
    tags = [{"name": t.name, "display_name": t.name, "id": t.name} for t in dataset.tags.all()]
    activity = getattr(dataset, "activity", None)
    current = dataset.published_version
    extras = {
        "accrualPeriodicity": dataset.update_frequency,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else "",
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else "",
        "spatial": dataset.spatial_code,
        "spatial_level": dataset.spatial_level,
        "kodereferensi": ",".join(sorted({c.reference for c in getattr(current, "column_list", []) if c.reference}))
        if current
        else "",
        "publishing_status": "published" if dataset.is_published else "draft",
    }
    if activity is not None:
        extras.update(
            {
                "id_mskeg": activity.activity_code,
                "judul_kegiatan": activity.activity_title,
                "tahun": str(activity.year or ""),
                "jenis_statistik": activity.statistic_type,
                "cara_pengumpulan_data": activity.collection_method,
                "sektor_kegiatan": activity.sector,
            }
        )
    return {
        "id": str(dataset.uuid),
        "name": dataset.slug,
        "title": dataset.title,
        "notes": dataset.description,
        "type": "dataset",
        "state": "active",
        "private": dataset.access == "restricted",
        "license_id": dataset.licence,
        "license_title": dataset.get_licence_display(),
        "license_url": dataset.licence_url,
        "maintainer": dataset.contact_name,
        "maintainer_email": dataset.contact_email,
        "author": dataset.agency.name,
        "owner_org": str(dataset.agency_id),
        "organization": organization_dict(dataset.agency),
        "groups": [group_dict(dataset.topic)],
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "version": str(current.number) if current else "",
        "metadata_created": dataset.created_at.isoformat(),
        "metadata_modified": dataset.updated_at.isoformat(),
        "url": absolute(request, reverse("opendata:dataset", args=[dataset.slug])),
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
    }


def version_handle(dataset_uuid: Any, number: int) -> str:
    """The CKAN resource id of a version from its upload on (docs/adr/0116): stable while
    the version is a draft, and the id of its validated table once the write API pinned it."""
    import uuid

    return str(uuid.uuid5(uuid.UUID(str(dataset_uuid)), f"versi-{number}"))
