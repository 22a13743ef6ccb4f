"""SPLP (Sistem Penghubung Layanan Pemerintah) registry: publish or update a data-exchange
service's OpenAPI document so other agencies find it on the national bus (ADR 0156)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from etam.core import outbound
from etam.interop.connectors import national_system


@dataclass(frozen=True)
class Publication:
    api_id: str
    status: str


def system() -> outbound.Outbound:
    return national_system("splp", timeout=settings.INTEROP_SPLP_TIMEOUT, daily_quota=settings.INTEROP_SPLP_DAILY_QUOTA)


def publish(document: dict[str, Any], *, api_id: str = "") -> Publication | None:
    """Create (no ``api_id``) or update the API from its OpenAPI document; None when SPLP cannot
    be reached or refuses (the catalogue entry is kept and marked unpublished)."""
    base = settings.INTEROP_SPLP_URL.rstrip("/")
    headers = {"Authorization": f"Bearer {settings.INTEROP_SPLP_TOKEN}"}
    files = {"file": ("openapi.json", json.dumps(document).encode(), "application/json")}
    info = document.get("info", {})
    properties = {
        "name": info.get("title", ""),
        "version": info.get("version", "1"),
        "context": "/" + next(iter(document.get("paths", {"/": {}}))).strip("/"),
    }
    try:
        if api_id:
            response = system().request(
                "PUT", f"{base}/api/am/publisher/v4/apis/{api_id}/swagger", headers=headers, files=files
            )
        else:
            response = system().request(
                "POST",
                f"{base}/api/am/publisher/v4/apis/import-openapi",
                headers=headers,
                files=files,
                data={"additionalProperties": json.dumps(properties)},
                attempts=1,
            )
    except outbound.Unavailable:
        return None
    if response.status_code not in (200, 201):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return Publication(api_id=str(body.get("id") or api_id), status=str(body.get("lifeCycleStatus") or "CREATED"))
