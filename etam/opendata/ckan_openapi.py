"""An OpenAPI 3 description of the CKAN action subset Etam serves under /api/3/action/.

Served at /api/3/openapi.json and committed as docs/api/ckan-openapi.json (``make
openapi``; a test fails on drift). It is for client authors and for the fuzzer in CI
(tests/fuzz, ADR 0080). Every action also accepts POST with the same parameters as a JSON
object; the document lists the GET form. Errors use CKAN's shape,
``{"help": ..., "success": false, "error": {"__type": ..., "message": ...}}``, with
CKAN's statuses: 409 for invalid input, 403, 404, 413 (body over the limit) and 429 (rate
limit, with Retry-After).
"""

from __future__ import annotations

import json
from typing import Any

COMMITTED_PATH = "docs/api/ckan-openapi.json"

_STRING = {"type": "string"}
_INT = {"type": "integer"}
_BOOL_TEXT = {"type": "string", "enum": ["true", "false"], "description": "true or false"}


def _q(name: str, schema: dict[str, Any], description: str, *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _bounded(minimum: int, maximum: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


_OBJECT = {"type": "object", "additionalProperties": True}
_ALL_FIELDS = _q("all_fields", _BOOL_TEXT, "Whole objects instead of names")
_ERROR = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "help": _STRING,
        "success": {"type": "boolean", "enum": [False]},
        "error": {
            "type": "object",
            "required": ["__type", "message"],
            "properties": {"__type": _STRING, "message": _STRING},
            "additionalProperties": True,
        },
    },
}


def _success(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["success", "result"],
        "properties": {"help": _STRING, "success": {"type": "boolean", "enum": [True]}, "result": result},
    }


_ERRORS = {
    "400": "Unknown action",
    "403": "Not authorised (unknown token, or a dataset or resource the caller may not see)",
    "404": "Not found",
    "409": "Invalid input (CKAN's Validation Error); the field is named in error",
    "413": "Request body larger than the limit",
    "429": "Too many requests; wait for Retry-After seconds",
}

_PACKAGE = {
    "type": "object",
    "required": ["id", "name", "title"],
    "properties": {"id": _STRING, "name": _STRING, "title": _STRING, "resources": {"type": "array"}},
    "additionalProperties": True,
}
_RESOURCE_ID = _q("resource_id", _STRING, "Resource id (UUID)", required=True)

ACTIONS: dict[str, dict[str, Any]] = {
    "package_list": {
        "summary": "Names of the datasets the caller may see",
        "parameters": [
            _q("limit", _bounded(1, 10_000), "At most this many names (default 1000)"),
            _q("offset", _bounded(0, 1_000_000), "Names to skip"),
        ],
        "result": {"type": "array", "items": _STRING},
    },
    "package_search": {
        "summary": "Search datasets (q, fq with organization/groups/tags/res_format/kabkota/name/id, facets)",
        "parameters": [
            _q("q", _STRING, "Words to look for in title, description and tags"),
            _q("fq", _STRING, 'Filters, e.g. tags:kesehatan organization:"64-diskominfo"'),
            _q("rows", _bounded(0, 1000), "Results per page (default 10)"),
            _q("start", _bounded(0, 1_000_000), "Results to skip"),
            _q("sort", _STRING, "e.g. title_string asc, metadata_modified desc"),
            _q("facet.field", _STRING, 'JSON list of facets, e.g. ["tags","organization"]'),
            _q("facet.limit", _bounded(1, 1000), "Values per facet"),
        ],
        "result": {
            "type": "object",
            "required": ["count", "results"],
            "properties": {"count": _INT, "results": {"type": "array", "items": _PACKAGE}},
            "additionalProperties": True,
        },
    },
    "package_show": {
        "summary": "One dataset by name or id",
        "parameters": [_q("id", _STRING, "Dataset name (slug) or id (UUID)", required=True)],
        "result": _PACKAGE,
    },
    "organization_list": {
        "summary": "Data producers (OPD) with published datasets",
        "parameters": [_ALL_FIELDS],
        "result": {"type": "array"},
    },
    "organization_show": {
        "summary": "One data producer",
        "parameters": [
            _q("id", _STRING, "Organisation name or id", required=True),
            _q("include_datasets", _BOOL_TEXT, "Include its datasets"),
        ],
        "result": _OBJECT,
    },
    "group_list": {
        "summary": "Topics",
        "parameters": [_ALL_FIELDS],
        "result": {"type": "array"},
    },
    "tag_list": {
        "summary": "Tags of visible datasets",
        "parameters": [
            _q("query", _STRING, "Only tags containing this text"),
            _ALL_FIELDS,
        ],
        "result": {"type": "array"},
    },
    "resource_show": {
        "summary": "One resource",
        "parameters": [_q("id", _STRING, "Resource id (UUID)", required=True)],
        "result": _OBJECT,
    },
    "datastore_search": {
        "summary": "Rows of a resource with filters, full-text q, sort, fields, limit and offset",
        "parameters": [
            _RESOURCE_ID,
            _q("filters", _STRING, 'JSON object, e.g. {"tahun": 2024}'),
            _q("q", _STRING, "Text to look for, or a JSON object of column: text"),
            _q("fields", _STRING, "Comma-separated or JSON list of columns"),
            _q("sort", _STRING, "e.g. tahun desc"),
            _q("limit", _bounded(0, 32000), "Rows (default 100)"),
            _q("offset", _bounded(0, 1_000_000), "Rows to skip"),
            _q("include_total", _BOOL_TEXT, "Count all matching rows"),
            _q("distinct", _BOOL_TEXT, "Distinct rows only"),
        ],
        "result": {
            "type": "object",
            "required": ["records", "fields"],
            "properties": {"records": {"type": "array"}, "fields": {"type": "array"}},
            "additionalProperties": True,
        },
    },
    "datastore_search_sql": {
        "summary": "A read-only SELECT over resources (referenced by their id as table names)",
        "parameters": [_q("sql", _STRING, 'e.g. SELECT * FROM "<resource id>" LIMIT 10', required=True)],
        "result": {
            "type": "object",
            "required": ["records"],
            "properties": {"records": {"type": "array"}, "fields": {"type": "array"}},
            "additionalProperties": True,
        },
    },
    "status_show": {"summary": "Site and API version", "parameters": [], "result": _OBJECT},
}


_NAMES = {"type": "array", "items": {"type": "object", "properties": {"name": _STRING}, "required": ["name"]}}
_PACKAGE_FIELDS = {
    "name": {"type": "string", "description": "Short name (URL): lower-case letters, digits and hyphens"},
    "title": _STRING,
    "notes": {"type": "string", "description": "Description"},
    "owner_org": {"type": "string", "description": "OPD as <region>-<code> (e.g. 64-diskominfo) or its id"},
    "license_id": _STRING,
    "private": {"type": "boolean", "description": "Restricted access; widening goes to walidata review"},
    "maintainer": _STRING,
    "maintainer_email": _STRING,
    "groups": _NAMES,
    "tags": _NAMES,
    "extras": {
        "type": "array",
        "items": {"type": "object", "properties": {"key": _STRING, "value": _STRING}, "required": ["key"]},
    },
}
_RECORDS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
_FIELDS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": _STRING,
            "type": {"type": "string", "description": "text, int, numeric, date, year or bool"},
            "info": {"type": "object", "properties": {"label": _STRING, "notes": _STRING, "unit": _STRING}},
        },
    },
}


def _body(properties: dict[str, Any], required: list[str], media: str = "application/json") -> dict[str, Any]:
    return {
        "required": True,
        "content": {media: {"schema": {"type": "object", "properties": properties, "required": required}}},
    }


_UPLOAD = {"type": "string", "format": "binary", "description": "The CSV or XLSX file"}
# The write actions (POST only, an API token of a produsen data; docs/adr/0115).
WRITE_ACTIONS: dict[str, dict[str, Any]] = {
    "package_create": {
        "summary": "Create a dataset (draft) for an OPD the token may write for",
        "body": _body(_PACKAGE_FIELDS, ["name", "owner_org"]),
        "result": _PACKAGE,
    },
    "package_update": {
        "summary": "Change a dataset: name, title and notes required; omitted fields are kept",
        "body": _body({"id": _STRING, **_PACKAGE_FIELDS}, ["id", "name", "title", "notes"]),
        "result": _PACKAGE,
    },
    "package_patch": {
        "summary": "Change some fields of a dataset (a wider access waits for walidata review)",
        "body": _body({"id": _STRING, **_PACKAGE_FIELDS}, ["id"]),
        "result": _PACKAGE,
    },
    "resource_create": {
        "summary": "Upload a file as the dataset's open version (multipart; a url is never fetched)",
        "body": _body(
            {"package_id": _STRING, "upload": _UPLOAD, "description": _STRING, "url": _STRING},
            ["package_id", "upload"],
            "multipart/form-data",
        ),
        "result": _OBJECT,
    },
    "resource_update": {
        "summary": "Replace the file of the open version (a published version is never changed)",
        "body": _body(
            {"id": _STRING, "upload": _UPLOAD, "description": _STRING}, ["id", "upload"], "multipart/form-data"
        ),
        "result": _OBJECT,
    },
    "datastore_create": {
        "summary": "Set the data dictionary (fields with info) and/or insert records as a new version",
        "body": _body(
            {
                "resource_id": _STRING,
                "resource": {"type": "object", "properties": {"package_id": _STRING}},
                "fields": _FIELDS,
                "records": _RECORDS,
                "primary_key": {"type": "array", "items": _STRING},
            },
            [],
        ),
        "result": _OBJECT,
    },
    "datastore_upsert": {
        "summary": "Records as a new version holding every row; it goes through review again",
        "body": _body(
            {
                "resource_id": _STRING,
                "records": _RECORDS,
                "method": {"type": "string", "enum": ["upsert", "insert", "update"]},
                "primary_key": {"type": "array", "items": _STRING},
            },
            ["resource_id", "records"],
        ),
        "result": _OBJECT,
    },
    "etam_version_submit": {
        "summary": "Etam extension: send the open version (by resource id) to the walidata for review",
        "body": _body({"id": _STRING}, ["id"]),
        "result": _OBJECT,
    },
}
READ_EXTENSIONS: dict[str, dict[str, Any]] = {
    "resource_validation_show": {
        "summary": "Validation result in ckanext-validation's shape (status, Frictionless report)",
        "parameters": [_RESOURCE_ID],
        "result": {
            "type": "object",
            "required": ["status", "resource_id"],
            "properties": {
                "status": {"type": "string", "enum": ["created", "running", "success", "failure", "error"]},
                "resource_id": _STRING,
                "report": {"type": "object", "nullable": True, "additionalProperties": True},
            },
            "additionalProperties": True,
        },
    },
    "organization_list_for_user": {
        "summary": "OPDs the caller may publish for (permission=read: may see drafts of)",
        "parameters": [_q("permission", _STRING, "manage_group (default), create_dataset or read")],
        "result": {"type": "array"},
    },
}


def _responses(result: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": "success: true and the result",
            "content": {"application/json": {"schema": _success(result)}},
        }
    }
    for status, description in _ERRORS.items():
        responses[status] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CkanError"}}},
        }
    responses["429"]["headers"] = {"Retry-After": {"description": "Seconds to wait", "schema": _INT}}
    return responses


def schema() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for name, spec in WRITE_ACTIONS.items():
        paths[f"/api/3/action/{name}"] = {
            "post": {
                "operationId": name,
                "summary": spec["summary"],
                "tags": ["ckan"],
                "requestBody": spec["body"],
                "security": [{"ApiToken": []}],
                "responses": _responses(spec["result"]),
            }
        }
    for name, spec in {**ACTIONS, **READ_EXTENSIONS}.items():
        responses = _responses(spec["result"])
        paths[f"/api/3/action/{name}"] = {
            "get": {
                "operationId": name,
                "summary": spec["summary"],
                "tags": ["ckan"],
                "parameters": spec["parameters"],
                "security": [{}, {"ApiToken": []}],
                "responses": responses,
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Etam Satu Data: CKAN-compatible action API",
            "version": "3",
            "description": (
                "The subset of CKAN's action API that Etam serves (docs/adr/0043). Anonymous callers see "
                "public datasets; send an API token (Authorization: Bearer <token>, or the raw token as CKAN "
                "clients do) to see what your role may. Every read action also accepts POST with a JSON object. "
                "The write actions (POST only) need the token of a produsen data and go through the same "
                "review cycle as the staff pages (docs/adr/0115)."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": {"CkanError": _ERROR},
            "securitySchemes": {"ApiToken": {"type": "http", "scheme": "bearer"}},
        },
    }


def render_schema() -> str:
    return json.dumps(schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
