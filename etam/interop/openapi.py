"""One data-exchange service as an OpenAPI 3.0 document: what SPLP's registry publishes and what a
consumer's developer reads. The address is the node's gateway, not the provider's host."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from etam.interop.models import DataService

ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}
    },
}


def _query_parameters(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required") or [])
    return [
        {"name": name, "in": "query", "required": name in required, "schema": spec}
        for name, spec in sorted((schema.get("properties") or {}).items())
        if isinstance(spec, dict)
    ]


def document_for(service: DataService) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": service.code.replace("-", "_"),
        "summary": service.name,
        "description": service.description,
        "security": [{"consumerKey": []}],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": service.output_schema or {}}}},
            **{
                str(status): {"description": text, "content": {"application/json": {"schema": ERROR}}}
                for status, text in (
                    (401, "Missing, unknown or revoked consumer key"),
                    (403, "No approved agreement for this service"),
                    (429, "Daily quota of the agreement used up"),
                    (502, "The provider answered with an error"),
                    (503, "The provider cannot be reached"),
                    (504, "The provider did not answer in time"),
                )
            },
        },
    }
    if service.method == DataService.Method.POST:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": service.input_schema or {"type": "object"}}},
        }
    else:
        operation["parameters"] = _query_parameters(service.input_schema or {})
    return {
        "openapi": "3.0.3",
        "info": {
            "title": service.name,
            "version": service.updated_at.strftime("%Y%m%d%H%M%S") if service.updated_at else "1",
            "description": service.description,
            "contact": {"name": service.contact_name, "email": service.contact_email},
            "x-provider": {"agency": service.agency.name, "agency_code": service.agency.code},
            "x-access": service.access,
            "x-quota-per-day": service.quota_per_day,
            "x-sla": {"response_ms": service.sla_response_ms, "availability_percent": float(service.sla_availability)},
        },
        "servers": [{"url": f"{settings.ESERVICES_PUBLIC_BASE_URL}/api/v1/interop/gateway"}],
        "paths": {f"/{service.code}": {service.method.lower(): operation}},
        "components": {
            "securitySchemes": {"consumerKey": {"type": "apiKey", "in": "header", "name": "X-Consumer-Key"}}
        },
    }
