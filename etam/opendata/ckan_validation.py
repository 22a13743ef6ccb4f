"""A version's validation result in ckanext-validation's shape (``resource_validation_show``).

ckanext-validation answers ``{"id", "resource_id", "status", "report", "error", "created",
"finished"}`` with ``status`` one of created (queued), running, success, failure, error
(the file could not be read), and ``report`` a Frictionless report: ``valid``, ``stats``,
``warnings``, ``errors`` and one ``tasks`` entry per table whose ``errors`` carry
``type``, ``title``, ``message``, ``note``, ``rowNumber``, ``fieldName``,
``fieldNumber`` and ``cell``. Etam's validator reports (row, column, value, rule,
message); this module adapts that output without changing it (docs/adr/0118).
Row numbers count the header as row 1, as a spreadsheet (and Frictionless) does.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from etam.opendata.ckan_dicts import version_handle
from etam.opendata.models import DatasetVersion, ValidationState

STATUS = {
    ValidationState.PENDING: "created",
    ValidationState.VALIDATING: "running",
    ValidationState.VALID: "success",
    ValidationState.INVALID: "failure",
}

# Etam rule → (Frictionless error type, title, tags)
ERROR_TYPES: dict[str, tuple[str, str, list[str]]] = {
    "type": ("type-error", "Type Error", ["#table", "#row", "#cell"]),
    "ambiguous": ("type-error", "Type Error", ["#table", "#row", "#cell"]),
    "required": ("constraint-error", "Constraint Error", ["#table", "#row", "#cell"]),
    "minimum": ("constraint-error", "Constraint Error", ["#table", "#row", "#cell"]),
    "maximum": ("constraint-error", "Constraint Error", ["#table", "#row", "#cell"]),
    "reference": ("constraint-error", "Constraint Error", ["#table", "#row", "#cell"]),
    "columns": ("row-error", "Row Error", ["#table", "#row"]),
    "encoding": ("encoding-error", "Encoding Error", ["#file"]),
}


def status(version: DatasetVersion) -> str:
    summary = version.error_summary or {}
    if version.validation == ValidationState.INVALID and summary.get("file"):
        return "error"
    return STATUS.get(version.validation, "created")  # type: ignore[call-overload]


def _error(item: dict[str, Any], positions: dict[str, int]) -> dict[str, Any]:
    rule = str(item.get("rule", ""))
    kind, title, tags = ERROR_TYPES.get(rule, ("cell-error", "Cell Error", ["#table", "#row", "#cell"]))
    column = str(item.get("column", ""))
    return {
        "type": kind,
        "title": title,
        "description": title,
        "message": str(item.get("message", "")),
        "note": rule,
        "tags": tags,
        "rowNumber": item.get("row"),
        "fieldName": column,
        "fieldNumber": positions.get(column),
        "cell": str(item.get("value", "")),
        "cells": [],
        "etamRule": rule,
    }


def report(version: DatasetVersion) -> dict[str, Any] | None:
    """The Frictionless report of the last finished validation (None while queued or running)."""
    state = status(version)
    if state in ("created", "running"):
        return None
    summary = version.error_summary or {}
    columns = list(version.columns.order_by("position").values_list("name", flat=True))  # type: ignore[attr-defined]
    positions = {name: i for i, name in enumerate(columns, start=1)}
    listed = [_error(e, positions) for e in summary.get("first", [])]
    total = int(version.error_count or 0)
    warnings = [_("Row numbers count the header as row 1, as a spreadsheet does.")]
    if total > len(listed):
        warnings.append(
            _("Only the first %(listed)s of %(total)s errors are listed; the error file lists every one.")
            % {"listed": len(listed), "total": total}
        )
    for note in summary.get("notes", []) or []:  # notes a validator may add (e.g. inferred rules)
        warnings.append(str(note))
    file_errors = []
    if state == "error":
        file_errors.append(
            {
                "type": "source-error",
                "title": "Source Error",
                "description": "Source Error",
                "message": str(summary["file"]),
                "note": str(summary["file"]),
                "tags": ["#file"],
            }
        )
    task = {
        "name": version.dataset.slug,
        "type": "table",
        "valid": state == "success",
        "place": version.source_name,
        "labels": columns,
        "stats": {
            "errors": total,
            "warnings": len(warnings),
            "seconds": 0,
            "rows": version.row_count or 0,
            "fields": len(columns),
        },
        "warnings": warnings,
        "errors": file_errors + listed,
    }
    return {
        "valid": state == "success",
        "stats": {"tasks": 1, "errors": total, "warnings": len(warnings), "seconds": 0},
        "warnings": warnings,
        "errors": [],
        "tasks": [task],
    }


def validation_dict(version: DatasetVersion) -> dict[str, Any]:
    state = status(version)
    summary = version.error_summary or {}
    return {
        "id": f"{version_handle(version.dataset.uuid, version.number)}:{version.validation_run}",
        "resource_id": version_handle(version.dataset.uuid, version.number),
        "status": state,
        "report": report(version),
        "error": {"message": [str(summary["file"])]} if state == "error" else None,
        "created": version.created_at.isoformat(),
        "finished": None,  # Etam keeps no finishing time; ``status`` says whether it finished
        "etam_version": version.number,
        "etam_version_status": version.status,
    }
