"""Business operations of Satu Data: one function per operation, keyword-only.

The data cycle: a produsen data creates a dataset and uploads a file (a new version);
the file is validated row by row against the version's data dictionary; the produsen
corrects types or the file until it is valid, then submits; a walidata of the same
instansi returns it with comments or publishes it. Each step checks the permission,
changes state and writes its audit event in one transaction.

Split by responsibility: ``datasets`` (datasets, metadata, access review), ``versions``
(the data cycle), ``system`` (system datasets). Every public name stays importable from
``etam.opendata.services``.
"""

from __future__ import annotations

from etam.opendata.services.datasets import (
    DATASET_FIELDS,
    access_problems,
    access_request_approve,
    access_request_create,
    access_request_refuse,
    access_reviewed,
    activity_update,
    dataset_create,
    dataset_update,
    indicator_save,
)
from etam.opendata.services.system import csv_bytes, system_dataset_create, system_version_publish
from etam.opendata.services.versions import (
    COLUMN_FIELDS,
    INLINE_VALIDATION_BYTES,
    MAX_UPLOAD_BYTES,
    columns_update,
    open_version,
    standard_problems,
    version_publish,
    version_return,
    version_submit,
    version_upload,
    version_validate,
    version_validate_job,
    widened_columns,
)

__all__ = [
    "COLUMN_FIELDS",
    "DATASET_FIELDS",
    "INLINE_VALIDATION_BYTES",
    "MAX_UPLOAD_BYTES",
    "access_problems",
    "access_request_approve",
    "access_request_create",
    "access_request_refuse",
    "access_reviewed",
    "activity_update",
    "columns_update",
    "csv_bytes",
    "dataset_create",
    "dataset_update",
    "indicator_save",
    "open_version",
    "standard_problems",
    "system_dataset_create",
    "system_version_publish",
    "version_publish",
    "version_return",
    "version_submit",
    "version_upload",
    "version_validate",
    "version_validate_job",
    "widened_columns",
]
