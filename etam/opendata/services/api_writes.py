"""Writes for machine clients: the CKAN write actions and the /api/v1/datasets writes.

Each operation is a composition of the staff services (``dataset_update``,
``version_upload``, ``columns_update``, ``version_submit``), so permissions, the review
cycle and the audit events are theirs; everything one API call does happens in one
transaction, so a refusal half-way leaves nothing changed and no audit event
(docs/adr/0115-ckan-write-actions.md).

Records (``datastore_create``, ``datastore_upsert``) become a new version: the rows of the
version they start from, with the records inserted or replacing those with the same
key, written as a CSV in the columns' own formats and uploaded like a file, so the new
version is validated and reviewed like any other (docs/adr/0117-records-make-a-version.md).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from etam.core import tabular
from etam.core.actors import Person
from etam.core.permissions import require
from etam.opendata import permissions as perms
from etam.opendata.ckan_dicts import version_handle
from etam.opendata.models import ColumnType, Dataset, DatasetVersion, Resource, VersionStatus
from etam.opendata.reading import ROW_ID
from etam.opendata.services.versions import columns_update, open_version, version_upload

MAX_RECORDS = 100_000
MAX_LISTED_PROBLEMS = 20
INTEGER_RE = re.compile(r"^[+-]?\d{1,18}$")
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?$")
METHODS = ("upsert", "insert", "update")


def pin_handle(version: DatasetVersion) -> DatasetVersion:
    """Give the version's validated table the version's handle as its id, so the id a
    client got at upload keeps naming the table (ADR 0116)."""
    handle = version_handle(version.dataset.uuid, version.number)
    Resource.objects.filter(version=version).exclude(uuid=handle).update(uuid=handle)
    return version


def require_draft(actor: Person, dataset: Dataset) -> None:
    require(actor, perms.DRAFT, dataset)


def editable_version(version: DatasetVersion, field: str) -> None:
    """Refuse a change to a published (or submitted) version, naming ``field``."""
    if version.status == VersionStatus.PUBLISHED:
        raise ValidationError(
            {
                field: [
                    _(
                        "%(field)s: version %(number)s is published and cannot be changed; "
                        "send the data as a new version."
                    )
                    % {"field": field, "number": version.number}
                ]
            }
        )
    if version.status == VersionStatus.SUBMITTED:
        raise ValidationError(
            {
                field: [
                    _("%(field)s: version %(number)s is under walidata review; wait for the decision.")
                    % {"field": field, "number": version.number}
                ]
            }
        )


def file_version(
    *,
    actor: Person,
    dataset: Dataset,
    upload: UploadedFile[Any],
    change_note: str = "",
    replace: DatasetVersion | None = None,
) -> DatasetVersion:
    """An uploaded file as the dataset's open version (a new one, or the open one replaced).

    ``replace`` is the version a ``resource_update`` names: it must be the open version."""
    require_draft(actor, dataset)
    if replace is not None:
        editable_version(replace, "id")
        current = open_version(dataset)
        if current is None or current.pk != replace.pk:
            raise ValidationError({"id": [_("id: this resource is not the dataset's open version.")]})
    try:
        with transaction.atomic():
            version = version_upload(actor=actor, dataset=dataset, upload=upload, change_note=change_note)
            return pin_handle(version)
    except ValueError as exc:
        # The shared reader lets pyarrow's ArrowInvalid (a ValueError) through for a file of a
        # few bytes with no line end (e.g. "["); the staff page has the same gap (reported).
        raise ValidationError(
            {"file": [_("File: cannot be read as CSV (%(detail)s).") % {"detail": str(exc)[:200]}]}
        ) from exc


# ---------------------------------------------------------------------------- the data dictionary

CKAN_TYPES = {
    "text": ColumnType.STRING,
    "string": ColumnType.STRING,
    "int": ColumnType.INTEGER,
    "int4": ColumnType.INTEGER,
    "int8": ColumnType.INTEGER,
    "integer": ColumnType.INTEGER,
    "bigint": ColumnType.INTEGER,
    "numeric": ColumnType.NUMBER,
    "number": ColumnType.NUMBER,
    "float": ColumnType.NUMBER,
    "float8": ColumnType.NUMBER,
    "date": ColumnType.DATE,
    "timestamp": ColumnType.DATE,
    "year": ColumnType.YEAR,
    "bool": ColumnType.BOOLEAN,
    "boolean": ColumnType.BOOLEAN,
}


def parse_fields(fields: Any) -> list[dict[str, Any]]:
    """CKAN ``fields`` ([{"id", "type", "info": {"label", "notes"}}]) as column changes."""
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        raise ValidationError({"fields": [_("fields: must be a list of objects with id and type.")]})
    parsed = []
    for position, field in enumerate(fields, start=1):
        name = str(field.get("id", "")).strip()
        if not name or name == ROW_ID:
            raise ValidationError({"fields": [_("fields: field %(n)s has no usable id.") % {"n": position}]})
        kind = str(field.get("type", "") or "text").lower()
        if kind not in CKAN_TYPES:
            raise ValidationError(
                {
                    name: [
                        _("%(name)s: type %(type)s is not supported (text, int, numeric, date, year, bool).")
                        % {"name": name, "type": kind}
                    ]
                }
            )
        info = field.get("info") if isinstance(field.get("info"), dict) else {}
        change: dict[str, Any] = {"type": CKAN_TYPES[kind]}
        for key, target in (("label", "title"), ("notes", "definition"), ("unit", "unit")):
            if key in info:
                change[target] = str(info[key] or "")
        parsed.append({"name": name, "change": change})
    return parsed


def dictionary_update(*, actor: Person, version: DatasetVersion, fields: Any) -> DatasetVersion:
    """Apply CKAN ``fields`` to the open version's data dictionary and revalidate."""
    require_draft(actor, version.dataset)
    editable_version(version, "resource_id")
    changes: dict[str, dict[str, Any]] = {}
    for item in parse_fields(fields):
        change = dict(item["change"])
        if change["type"] in (ColumnType.INTEGER, ColumnType.NUMBER):
            change.setdefault("number_format", _number_format(version, item["name"]))
        changes[item["name"]] = change
    known = {c.name for c in version.columns.all()}
    unknown = [name for name in changes if name not in known]
    if unknown:
        raise ValidationError(
            {name: [_("%(name)s: not a column of this resource.") % {"name": name}] for name in unknown}
        )
    with transaction.atomic():
        version = columns_update(actor=actor, version=version, changes=changes, inline=True)
        return pin_handle(version)


def _number_format(version: DatasetVersion, name: str) -> str:
    column = version.columns.filter(name=name).first()
    return column.number_format if column is not None else "plain"


# ---------------------------------------------------------------------------- records


def _problem(errors: dict[str, list[str]], key: str, message: str) -> None:
    listed = errors.setdefault(key, [])
    if len(listed) < MAX_LISTED_PROBLEMS:
        listed.append(message)


def typed_value(kind: str, value: Any) -> Any:
    """``value`` as the Python value of a column of ``kind``; ValueError when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == ColumnType.STRING:
        if isinstance(value, dict | list):
            raise ValueError
        return value if isinstance(value, str) else str(value)
    if isinstance(value, bool):
        if kind == ColumnType.BOOLEAN:
            return value
        raise ValueError
    if kind == ColumnType.BOOLEAN:
        word = str(value).strip().lower()
        if word in tabular.BOOLEAN_TRUE:
            return True
        if word in tabular.BOOLEAN_FALSE:
            return False
        raise ValueError
    if kind in (ColumnType.INTEGER, ColumnType.YEAR):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and INTEGER_RE.match(value.strip()):
            value = int(value.strip())
        if not isinstance(value, int) or (kind == ColumnType.YEAR and not 1000 <= value <= 9999):
            raise ValueError
        return value
    if kind == ColumnType.NUMBER:
        if isinstance(value, str) and NUMBER_RE.match(value.strip()):
            value = float(value.strip())
        if isinstance(value, Decimal):
            value = float(value)
        if not isinstance(value, int | float) or value != value or value in (float("inf"), float("-inf")):
            raise ValueError
        return value
    if kind == ColumnType.DATE:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            return datetime.date.fromisoformat(value.strip()[:10])
        raise ValueError
    raise ValueError


def _expected(kind: str) -> str:
    expected: dict[str, str] = {
        ColumnType.INTEGER: _("a whole number"),
        ColumnType.NUMBER: _("a number"),
        ColumnType.YEAR: _("a four-digit year"),
        ColumnType.DATE: _("a date that exists, written YYYY-MM-DD"),
        ColumnType.BOOLEAN: _("true or false"),
    }
    return expected.get(kind, _("text"))


def check_records(columns: list[tuple[str, str, bool]], records: Any) -> list[dict[str, Any]]:
    """Records as typed rows; a ValidationError names every unknown field and every value
    of the wrong type (CKAN's ``fields`` and ``records`` keys, and the column itself)."""
    if not isinstance(records, list) or not records:
        raise ValidationError({"records": [_("records: must be a non-empty list of objects, one per row.")]})
    if len(records) > MAX_RECORDS:
        raise ValidationError({"records": [_("records: at most %(max)s per call.") % {"max": MAX_RECORDS}]})
    names = {name for name, _kind, _required in columns}
    errors: dict[str, list[str]] = {}
    unknown = sorted({str(k) for r in records if isinstance(r, dict) for k in r} - names - {ROW_ID})
    if unknown:
        message = _('fields "%(names)s" do not exist; the columns are %(known)s.') % {
            "names": ", ".join(unknown),
            "known": ", ".join(n for n, _k, _r in columns),
        }
        _problem(errors, "fields", message)
        for name in unknown:
            _problem(errors, name, _("%(name)s: not a column of this resource.") % {"name": name})
    rows: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            _problem(errors, "records", _("Record %(n)s: must be an object of column: value.") % {"n": number})
            continue
        row: dict[str, Any] = {}
        if ROW_ID in record:
            try:
                row[ROW_ID] = typed_value(ColumnType.INTEGER, record[ROW_ID])
            except ValueError:
                _problem(errors, "records", _("Record %(n)s: _id must be a whole number.") % {"n": number})
        for name, kind, required in columns:
            value = record.get(name)
            try:
                row[name] = typed_value(kind, value)
            except ValueError:
                message = _("Record %(n)s, column %(column)s: %(value)s is not %(expected)s.") % {
                    "n": number,
                    "column": name,
                    "value": repr(value)[:60],
                    "expected": _expected(kind),
                }
                _problem(errors, "records", message)
                _problem(errors, name, message)
                continue
            if row[name] is None and required and name in record:
                message = _("Record %(n)s, column %(column)s: a value is required.") % {"n": number, "column": name}
                _problem(errors, "records", message)
                _problem(errors, name, message)
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    return rows


def _key_of(row: dict[str, Any], key: list[str]) -> tuple[Any, ...]:
    return tuple(row.get(k) for k in key)


def merge_rows(
    base: list[dict[str, Any]], records: list[dict[str, Any]], *, method: str, primary_key: list[str], names: list[str]
) -> list[dict[str, Any]]:
    """CKAN's datastore_upsert on a copy: ``insert`` appends; ``upsert`` replaces the row
    with the same key (``primary_key``, or ``_id``) or appends; ``update`` only replaces."""
    if method not in METHODS:
        raise ValidationError({"method": [_("method: one of upsert, insert or update.")]})
    if method == "insert":
        return [*base, *({k: v for k, v in r.items() if k != ROW_ID} for r in records)]
    key = primary_key or ([ROW_ID] if all(ROW_ID in r for r in records) else [])
    if not key:
        raise ValidationError(
            {
                "primary_key": [
                    _('primary_key: name the key columns (e.g. ["kode_wilayah", "bulan"]) or send _id in every record.')
                ]
            }
        )
    wrong = [k for k in key if k not in names and k != ROW_ID]
    if wrong:
        raise ValidationError(
            {
                "primary_key": [
                    _("primary_key: %(names)s are not columns of this resource.") % {"names": ", ".join(wrong)}
                ]
            }
        )
    merged = [dict(r) for r in base]
    index = {_key_of(r, key): i for i, r in enumerate(merged)}
    missing: list[str] = []
    for record in records:
        found = index.get(_key_of(record, key))
        values = {k: v for k, v in record.items() if k != ROW_ID}
        if found is not None:
            merged[found] = {**merged[found], **{k: v for k, v in values.items()}}
        elif method == "update":
            missing.append(", ".join(str(v) for v in _key_of(record, key)))
        else:
            index[_key_of(record, key)] = len(merged)
            merged.append(values)
    if missing:
        raise ValidationError(
            {"key": [_('key "%(key)s" not found') % {"key": "; ".join(missing[:MAX_LISTED_PROBLEMS])}]}
        )
    return merged


def _cell(value: Any, kind: str, number_format: str, date_format: str) -> str:
    if value is None:
        return ""
    if kind == ColumnType.BOOLEAN:
        return "true" if value else "false"
    if kind == ColumnType.DATE:
        return str(value.strftime(date_format or "%Y-%m-%d"))
    if kind == ColumnType.NUMBER:
        try:
            text = format(Decimal(repr(float(value))).normalize(), "f")
        except InvalidOperation:
            text = str(value)
        return text.replace(".", ",") if number_format == "id" else text
    if kind in (ColumnType.INTEGER, ColumnType.YEAR):
        return str(int(value))
    return str(value)


def rows_csv(columns: list[tuple[str, str, str, str]], rows: list[dict[str, Any]]) -> bytes:
    """Rows as a semicolon-separated CSV in each column's format (name, type, number format, date format)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow([name for name, _k, _n, _d in columns])
    for row in rows:
        writer.writerow([_cell(row.get(name), kind, nf, df) for name, kind, nf, df in columns])
    return buffer.getvalue().encode("utf-8")


def records_version(
    *,
    actor: Person,
    dataset: Dataset,
    base: DatasetVersion | None,
    base_rows: list[dict[str, Any]],
    records: Any,
    method: str = "upsert",
    primary_key: list[str] | None = None,
    fields: Any = None,
    change_note: str = "",
) -> DatasetVersion:
    """The base version's rows with ``records`` merged in, as the dataset's open version
    (a new version after a published one). Nothing changes when a record is refused."""
    require_draft(actor, dataset)
    if base is not None:
        if base.status == VersionStatus.SUBMITTED:
            editable_version(base, "resource_id")
        current = open_version(dataset)
        if current is not None and current.pk != base.pk:
            raise ValidationError(
                {
                    "resource_id": [
                        _(
                            "resource_id: the dataset has an open version %(number)s; "
                            "send the records to its resource %(id)s."
                        )
                        % {"number": current.number, "id": version_handle(dataset.uuid, current.number)}
                    ]
                }
            )
        specs = [
            (c.name, c.type, c.number_format, c.date_format, c.required) for c in base.columns.order_by("position")
        ]
    else:
        parsed = parse_fields(fields)
        specs = [(f["name"], f["change"]["type"], "plain", "%Y-%m-%d", False) for f in parsed]
    rows = check_records([(n, k, r) for n, k, _nf, _df, r in specs], records)
    names = [s[0] for s in specs]
    merged = merge_rows(base_rows, rows, method=method, primary_key=list(primary_key or []), names=names)
    content = rows_csv([(n, k, nf, df) for n, k, nf, df, _r in specs], merged)
    upload = SimpleUploadedFile(f"{dataset.slug}.csv", content, content_type="text/csv")
    with transaction.atomic():
        version = version_upload(
            actor=actor,
            dataset=dataset,
            upload=upload,
            change_note=change_note,
            encoding="utf-8",
            delimiter=";",
            inline=True,
        )
        if base is None:
            changes = {
                f["name"]: {**f["change"], "number_format": "plain", "date_format": "%Y-%m-%d"}
                for f in parse_fields(fields)
            }
            version = columns_update(actor=actor, version=version, changes=changes, inline=True)
        return pin_handle(version)
