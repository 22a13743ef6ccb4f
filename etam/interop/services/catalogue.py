"""The catalogue: provider hosts (super admin) and data-exchange services (the provider OPD)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Person
from etam.core.models import Agency
from etam.core.permissions import Scope, require
from etam.interop import permissions as perms
from etam.interop.models import DataService, ProviderHost

SERVICE_FIELDS = [
    "name",
    "description",
    "host",
    "path",
    "method",
    "input_schema",
    "output_schema",
    "access",
    "quota_per_day",
    "sla_response_ms",
    "sla_availability",
    "status",
    "contact_name",
    "contact_email",
]


def _normalised_base_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"base_url": _("Base URL: give http(s)://host[:port], e.g. https://api.opd.go.id.")})
    if parts.username or parts.password or parts.query or parts.fragment or parts.path not in ("", "/"):
        raise ValidationError(
            {"base_url": _("Base URL: only the scheme, host and port; the path belongs to each service.")}
        )
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def host_register(*, actor: Person, base_url: str, allow_private_address: bool = False, note: str = "") -> ProviderHost:
    """Put a host on the gateway's allowlist (super admin only)."""
    require(actor, perms.MANAGE_HOSTS)
    url = _normalised_base_url(base_url)
    if ProviderHost.objects.filter(base_url=url).exists():
        raise ValidationError({"base_url": _("Base URL: this host is already registered.")})
    with transaction.atomic():
        host = ProviderHost.objects.create(
            base_url=url, allow_private_address=allow_private_address, note=note, registered_by=actor
        )
        audit.record(
            actor=actor,
            action="interop.host_registered",
            target=host,
            after={"base_url": url, "allow_private_address": allow_private_address},
        )
    return host


def _check_service(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    path = str(data.get("path") or "")
    if not path.startswith("/") or "//" in path or "?" in path or "#" in path:
        errors["path"] = _("Path: start with / and give no query or fragment, e.g. /api/v1/regions.")
    for name in ("input_schema", "output_schema"):
        if not isinstance(data.get(name) or {}, dict):
            errors[name] = _("Schema: give an OpenAPI schema object (JSON object).")
    if not str(data.get("contact_email") or "").strip():
        errors["contact_email"] = _("Owner contact: give an email address.")
    if errors:
        raise ValidationError(errors)


def service_register(*, actor: Person, agency: Agency, code: str, **data: Any) -> DataService:
    require(actor, perms.MANAGE_SERVICE, Scope(institution_id=agency.institution_id, agency_id=agency.pk))
    _check_service(data)
    if DataService.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Code: another service already uses this code.")})
    service = DataService(agency=agency, institution_id=agency.institution_id, code=code, **data)
    service.full_clean()
    with transaction.atomic():
        service.save()
        changes.record_change(actor, "interop.service_registered", service, ["code", *SERVICE_FIELDS])
    return service


def service_update(*, actor: Person, service: DataService, **data: Any) -> DataService:
    require(actor, perms.MANAGE_SERVICE, service)
    unknown = sorted(set(data) - set(SERVICE_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    _check_service({**changes.snapshot(service, SERVICE_FIELDS), **data})
    with changes.recorded(service, list(data), actor=actor, action="interop.service_updated"):
        for name, value in data.items():
            setattr(service, name, value)
        service.full_clean()
    return service
