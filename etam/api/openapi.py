"""The OpenAPI document as committed in docs/api/openapi.json (``make openapi``)."""

from __future__ import annotations

import json

from django.utils import translation

from etam.api.v1 import api

COMMITTED_PATH = "docs/api/openapi.json"


def render_schema() -> str:
    """The schema as text, byte-for-byte reproducible: sorted keys, two-space indent,
    UTF-8, one trailing newline, English descriptions whatever the environment's language."""
    with translation.override("en"):
        schema = api.get_openapi_schema(path_prefix="/api/v1/")
        return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"
