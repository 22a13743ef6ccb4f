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


def schema() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for name, spec in ACTIONS.items():
        responses: dict[str, Any] = {
            "200": {
                "description": "success: true and the result",
                "content": {"application/json": {"schema": _success(spec["result"])}},
            }
        }
        for status, description in _ERRORS.items():
            responses[status] = {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CkanError"}}},
            }
        responses["429"]["headers"] = {"Retry-After": {"description": "Seconds to wait", "schema": _INT}}
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
                "clients do) to see what your role may. Every action also accepts POST with a JSON object."
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
