"""The CKAN write actions under ``/api/3/action/<name>`` (dispatched by ``ckan.action``).

An OPD system publishes the way a produsen data does on the staff pages, through the same
services: ``package_create``/``package_update``/``package_patch`` edit the catalogue entry
(a wider access waits for walidata review), ``resource_create``/``resource_update`` upload
a file (multipart field ``upload``; Etam never fetches a ``url``), ``datastore_create``
and ``datastore_upsert`` turn records into a new version, ``etam_version_submit`` sends
the open version to the walidata, and ``resource_validation_show`` reads the validation
result in ckanext-validation's shape. Writes need an API token (the actions are
CSRF-exempt, so a browser session may only read) and run in one transaction: a refusal
changes nothing and writes no audit event (docs/adr/0115-ckan-write-actions.md).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from etam.core.actors import Actor
from etam.core.permissions import has_perm
from etam.opendata import ckan_validation, ckan_write_selectors, selectors, services
from etam.opendata import permissions as perms
from etam.opendata.ckan import ActionError, NotAuthorized, NotFound, _bool, _json_param, _list_param
from etam.opendata.ckan_dicts import organization_dict, package_dict, version_handle
from etam.opendata.models import AccessRequestStatus, Dataset, DatasetVersion, VersionStatus
from etam.opendata.services import api_writes

T = TypeVar("T")

# Model field → CKAN parameter, so a service's error names what the client sent.
CKAN_NAMES = {
    "slug": "name",
    "description": "notes",
    "licence": "license_id",
    "contact_name": "maintainer",
    "contact_email": "maintainer_email",
    "access": "private",
    "topic": "groups",
    "spatial_code": "spatial",
    "update_frequency": "accrualPeriodicity",
    "file": "upload",
}
SIMPLE_FIELDS = {
    "name": "slug",
    "title": "title",
    "notes": "description",
    "license_id": "licence",
    "maintainer": "contact_name",
    "maintainer_email": "contact_email",
    "topic": "topic",
    "update_frequency": "update_frequency",
    "spatial_code": "spatial_code",
    "spatial_level": "spatial_level",
    "temporal_start": "temporal_start",
    "temporal_end": "temporal_end",
}
EXTRA_FIELDS = {
    "accrualPeriodicity": "update_frequency",
    "spatial": "spatial_code",
    "spatial_level": "spatial_level",
    "temporal_start": "temporal_start",
    "temporal_end": "temporal_end",
}
ACTIVITY_FIELDS = {
    "judul_kegiatan": "activity_title",
    "id_mskeg": "activity_code",
    "tahun": "year",
    "jenis_statistik": "statistic_type",
    "cara_pengumpulan_data": "collection_method",
    "sektor_kegiatan": "sector",
}
# What package_show returns that a client sends back unchanged (package_show → edit → package_update).
READ_ONLY = {
    "id",
    "type",
    "state",
    "author",
    "owner_org",
    "organization",
    "resources",
    "num_resources",
    "num_tags",
    "license_title",
    "license_url",
    "version",
    "metadata_created",
    "metadata_modified",
    "url",
    "help",
    "private",
    "groups",
    "tags",
    "extras",
    "etam_access_request",
    "etam_open_version",
}
READ_ONLY_EXTRAS = {"publishing_status", "kodereferensi"}
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def ckan_error(exc: ValidationError) -> dict[str, Any]:
    """A service's ValidationError as CKAN's error object, each field under its CKAN name."""
    error: dict[str, Any] = {"__type": "Validation Error", "message": " ".join(str(m) for m in exc.messages)}
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            key = CKAN_NAMES.get(field, field)
            if key in ("__type", "message"):
                key = f"field_{key}"
            error.setdefault(key, []).extend(str(m) for m in messages)
    return error


def _writer(actor: Actor) -> Any:
    if getattr(actor, "_etam_api_token", None) is None:
        raise NotAuthorized(
            _("Authorization: write actions need an API token in the Authorization header."), "Authorization"
        )
    return actor


def _date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ActionError(_("%(field)s: a date written YYYY-MM-DD.") % {"field": field}, field) from exc


def _names(value: Any, field: str) -> list[str]:
    """CKAN lists of {"name": ...} (tags, groups) or of plain names."""
    items = _json_param({field: value}, field)
    if isinstance(items, str):
        items = [v.strip() for v in items.split(",") if v.strip()]
    if not isinstance(items, list):
        raise ActionError(_("%(field)s: a list of names.") % {"field": field}, field)
    names = [str(i.get("name", "")) if isinstance(i, dict) else str(i) for i in items]
    return [n for n in names if n]


def _extras(value: Any) -> dict[str, Any]:
    extras = _json_param({"extras": value}, "extras")
    if isinstance(extras, list):
        pairs = {}
        for item in extras:
            if not isinstance(item, dict) or "key" not in item:
                raise ActionError(_("extras: a list of {key, value} objects."), "extras")
            pairs[str(item["key"])] = item.get("value")
        return pairs
    if isinstance(extras, dict):
        return {str(k): v for k, v in extras.items()}
    raise ActionError(_("extras: a list of {key, value} objects."), "extras")


def dataset_fields(params: dict[str, Any]) -> tuple[dict[str, Any], list[str] | None, dict[str, Any]]:
    """(dataset fields, tags or None, MS-Keg fields) from CKAN parameters; an unknown one is refused."""
    unknown = sorted(k for k in params if k not in SIMPLE_FIELDS and k not in READ_ONLY)
    if unknown:
        raise ValidationError({k: [_("%(field)s: not a dataset field Etam knows.") % {"field": k}] for k in unknown})
    fields = {SIMPLE_FIELDS[k]: params[k] for k in SIMPLE_FIELDS if k in params}
    activity: dict[str, Any] = {}
    if "extras" in params and params["extras"] not in (None, ""):
        for key, value in _extras(params["extras"]).items():
            if key in EXTRA_FIELDS:
                fields[EXTRA_FIELDS[key]] = value
            elif key in ACTIVITY_FIELDS:
                activity[ACTIVITY_FIELDS[key]] = value
            elif key not in READ_ONLY_EXTRAS:
                raise ActionError(_("extras: %(key)s is not an extra Etam knows.") % {"key": key}, "extras")
    for key in ("temporal_start", "temporal_end"):
        if key in fields:
            fields[key] = _date(fields[key], key)
    for key, value in list(fields.items()):
        if isinstance(value, str) or value is None:
            fields[key] = (value or "").strip() if not key.startswith("temporal") else value
    if "private" in params:
        fields["access"] = "restricted" if _bool(params, "private", False) else "public"
    if "groups" in params:
        groups = _names(params["groups"], "groups")
        if groups:
            fields["topic"] = groups[0]
    tags = _names(params["tags"], "tags") if "tags" in params else None
    if "year" in activity and activity["year"] in (None, ""):
        activity["year"] = None
    elif "year" in activity:
        try:
            activity["year"] = int(str(activity["year"]))
        except ValueError as exc:
            raise ActionError(_("extras: tahun must be a year, e.g. 2024."), "extras") from exc
    return fields, tags, activity


def _found(key: Any, field: str, lookup: Callable[[str], T | None], not_found: str) -> T:
    """``lookup(key)``: a missing key is an ActionError on ``field``, an unknown one NotFound."""
    if not key:
        raise ActionError(_("%(field)s: Missing value") % {"field": field}, field)
    found = lookup(str(key))
    if found is None:
        raise NotFound(not_found % {"key": str(key)[:100]}, field)
    return found


def _dataset(key: Any, field: str) -> Dataset:
    return _found(key, field, ckan_write_selectors.dataset_by_key, _("Not found: dataset %(key)s."))


def _version(key: Any, field: str) -> DatasetVersion:
    return _found(key, field, ckan_write_selectors.version_by_resource_id, _("Not found: resource %(key)s."))


def _require(actor: Actor, dataset: Dataset, field: str, *allowed: str) -> None:
    if not any(has_perm(actor, perm, dataset) for perm in allowed or (perms.DRAFT,)):
        raise NotAuthorized(
            _("%(field)s: this dataset belongs to an OPD your token may not write for.") % {"field": field}, field
        )


def draft_resource_dict(version: DatasetVersion) -> dict[str, Any]:
    dataset = version.dataset
    state = ckan_validation.status(version)
    return {
        "id": version_handle(dataset.uuid, version.number),
        "package_id": str(dataset.uuid),
        "name": f"{dataset.title} (versi {version.number})",
        "description": version.change_note,
        "format": (version.source_format or "csv").upper(),
        "url": "",
        "url_type": "upload",
        "state": "active",
        "datastore_active": state == "success",
        "validation_status": state,
        "version": str(version.number),
        "etam_status": version.status,
        "row_count": version.row_count,
        "created": version.created_at.isoformat(),
    }


def _package(request: HttpRequest, dataset: Dataset, actor: Actor) -> dict[str, Any]:
    loaded = ckan_write_selectors.dataset_for_dict(dataset.pk, actor)
    result = package_dict(loaded, request)
    open_version = services.open_version(loaded)
    if open_version is not None:
        result["resources"].append(draft_resource_dict(open_version))
        result["num_resources"] = len(result["resources"])
    result["etam_open_version"] = open_version.number if open_version is not None else None
    pending = selectors.access_requests(loaded).filter(status=AccessRequestStatus.PENDING).first()
    result["etam_access_request"] = pending.access if pending is not None else None
    return result


# ---------------------------------------------------------------------------- actions


def package_create(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    writer = _writer(actor)
    owner = params.get("owner_org")
    if not owner:
        raise ActionError(_("owner_org: Missing value"), "owner_org")
    agency = ckan_write_selectors.agency_for_write(str(owner))
    if agency is None:
        raise ActionError(_("owner_org: no organisation %(key)s.") % {"key": str(owner)[:100]}, "owner_org")
    if not has_perm(writer, perms.DRAFT, agency):
        raise NotAuthorized(_("owner_org: your token may not create datasets for this OPD."), "owner_org")
    if not params.get("name"):
        raise ActionError(_("name: Missing value"), "name")
    fields, tags, activity = dataset_fields({k: v for k, v in params.items() if k != "owner_org"})
    dataset = services.dataset_create(actor=writer, agency=agency, tags=tags or [], **fields)
    if activity:
        services.activity_update(actor=writer, dataset=dataset, **activity)
    return _package(request, dataset, writer)


def _update(request: HttpRequest, params: dict[str, Any], actor: Actor, *, full: bool) -> Any:
    writer = _writer(actor)
    key = params.get("id") or params.get("name")
    dataset = _dataset(key, "id")
    _require(writer, dataset, "id", perms.DRAFT, perms.REVIEW)
    owner = params.get("owner_org")
    if owner and ckan_write_selectors.agency_for_write(str(owner)) != dataset.agency:
        raise ActionError(_("owner_org: a dataset cannot move to another OPD."), "owner_org")
    if full:
        missing = [k for k in ("name", "title", "notes") if not params.get(k)]
        if missing:
            raise ValidationError({k: [_("%(field)s: Missing value") % {"field": k}] for k in missing})
    given = {k: v for k, v in params.items() if k not in ("id", "owner_org")}
    if not params.get("id"):
        given.pop("name", None)
    fields, tags, activity = dataset_fields(given)
    if "topic" in fields and not fields["topic"]:
        fields.pop("topic")
    services.dataset_update(actor=writer, dataset=dataset, tags=tags, **fields)
    if activity:
        services.activity_update(actor=writer, dataset=dataset, **activity)
    return _package(request, dataset, writer)


def package_update(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    return _update(request, params, actor, full=True)


def package_patch(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    return _update(request, params, actor, full=False)


def _refuse_url(params: dict[str, Any]) -> None:
    url = str(params.get("url") or "").strip()
    if url and URL_SCHEME.match(url):
        raise ActionError(
            _(
                "url: Etam does not fetch files from other addresses; send the file itself "
                "as the multipart field upload."
            ),
            "url",
        )


def _upload(request: HttpRequest) -> Any:
    upload = request.FILES.get("upload")
    if upload is None:
        raise ActionError(_("upload: Missing value; send the file as the multipart field upload."), "upload")
    return upload


def resource_create(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    writer = _writer(actor)
    dataset = _dataset(params.get("package_id"), "package_id")
    _require(writer, dataset, "package_id")
    _refuse_url(params)
    version = api_writes.file_version(
        actor=writer, dataset=dataset, upload=_upload(request), change_note=str(params.get("description") or "")
    )
    return draft_resource_dict(version)


def resource_update(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    writer = _writer(actor)
    version = _version(params.get("id"), "id")
    _require(writer, version.dataset, "id")
    api_writes.editable_version(version, "id")
    _refuse_url(params)
    version = api_writes.file_version(
        actor=writer,
        dataset=version.dataset,
        upload=_upload(request),
        change_note=str(params.get("description") or version.change_note),
        replace=version,
    )
    return draft_resource_dict(version)


def _records_result(version: DatasetVersion, method: str, count: int) -> dict[str, Any]:
    return {
        "resource_id": version_handle(version.dataset.uuid, version.number),
        "method": method,
        "records_sent": count,
        "total": version.row_count,
        "version": version.number,
        "validation_status": ckan_validation.status(version),
        "fields": [{"id": c.name, "type": c.type} for c in ckan_write_selectors.version_columns(version)],
    }


def datastore_create(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    writer = _writer(actor)
    records = _json_param(params, "records")
    fields = _json_param(params, "fields")
    if params.get("resource_id"):
        version = _version(params.get("resource_id"), "resource_id")
        _require(writer, version.dataset, "resource_id")
        if records:
            version = _from_records(writer, version, records, "insert", [], params)
        if fields:
            version = api_writes.dictionary_update(actor=writer, version=version, fields=fields)
        return _records_result(version, "insert", len(records or []))
    resource = _json_param(params, "resource")
    if not isinstance(resource, dict) or not resource.get("package_id"):
        raise ActionError(_("resource_id: Missing value (or resource with package_id)."), "resource_id")
    dataset = _dataset(resource.get("package_id"), "resource")
    _require(writer, dataset, "resource")
    if not fields:
        raise ActionError(_("fields: Missing value"), "fields")
    version = api_writes.records_version(
        actor=writer,
        dataset=dataset,
        base=None,
        base_rows=[],
        records=records,
        method="insert",
        fields=fields,
        change_note=str(resource.get("description") or ""),
    )
    return _records_result(version, "insert", len(records or []))


def _from_records(
    writer: Any, version: DatasetVersion, records: Any, method: str, key: list[str], params: dict[str, Any]
) -> DatasetVersion:
    if version.status != VersionStatus.PUBLISHED and ckan_validation.status(version) != "success":
        api_writes.editable_version(version, "resource_id")
        raise ActionError(
            _("resource_id: this version has no validated rows yet; fix it or send a file first."), "resource_id"
        )
    return api_writes.records_version(
        actor=writer,
        dataset=version.dataset,
        base=version,
        base_rows=ckan_write_selectors.table_rows(version),
        records=records,
        method=method,
        primary_key=key,
        change_note=str(params.get("change_note") or ""),
    )


def datastore_upsert(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    writer = _writer(actor)
    version = _version(params.get("resource_id") or params.get("id"), "resource_id")
    _require(writer, version.dataset, "resource_id")
    method = str(params.get("method") or "upsert")
    records = _json_param(params, "records")
    version = _from_records(writer, version, records, method, _list_param(params, "primary_key"), params)
    return _records_result(version, method, len(records or []))


def etam_version_submit(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    """Send the open version (named by its resource id) to the walidata for review."""
    writer = _writer(actor)
    version = _version(params.get("id") or params.get("resource_id"), "id")
    _require(writer, version.dataset, "id")
    api_writes.editable_version(version, "id")
    services.version_submit(actor=writer, version=version)
    version.refresh_from_db()
    return draft_resource_dict(version)


def resource_validation_show(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    version = _version(params.get("resource_id") or params.get("id"), "resource_id")
    dataset = version.dataset
    public = version.status == VersionStatus.PUBLISHED and selectors.visible_dataset(actor, str(dataset.uuid))
    if not public and not has_perm(actor, perms.VIEW_UNPUBLISHED, dataset):
        raise NotAuthorized(_("resource_id: you may not see this resource's validation."), "resource_id")
    return ckan_validation.validation_dict(version)


def organization_list_for_user(request: HttpRequest, params: dict[str, Any], actor: Actor) -> Any:
    permission = str(params.get("permission") or "manage_group")
    perm = perms.VIEW_UNPUBLISHED if permission == "read" else perms.DRAFT
    capacity = "member" if permission == "read" else "editor"
    return [
        {**organization_dict(agency), "capacity": capacity}
        for agency in ckan_write_selectors.agencies_with(actor, perm)
    ]


ACTIONS: dict[str, Callable[[HttpRequest, dict[str, Any], Any], Any]] = {
    "package_create": package_create,
    "package_update": package_update,
    "package_patch": package_patch,
    "resource_create": resource_create,
    "resource_update": resource_update,
    "datastore_create": datastore_create,
    "datastore_upsert": datastore_upsert,
    "etam_version_submit": etam_version_submit,
    "resource_validation_show": resource_validation_show,
    "organization_list_for_user": organization_list_for_user,
}
WRITES = frozenset(ACTIONS) - {"resource_validation_show", "organization_list_for_user"}
