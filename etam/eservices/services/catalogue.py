"""Services, their versions and exported definitions (the catalogue an OPD manages)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Actor, Person, stored_person
from etam.core.fieldvalues import stored_values
from etam.core.models import Agency
from etam.core.permissions import require
from etam.eservices import definitions
from etam.eservices.models import (
    Service,
    ServiceVersion,
)
from etam.eservices.permissions import PERM_MANAGE

SERVICE_FIELDS = (
    "name",
    "summary",
    "eligibility",
    "requirements",
    "legal_basis",
    "fee",
    "sla_days",
    "output_document",
    "sector",
    "contact",
    "code",
)


AUDITED_FIELDS = (*SERVICE_FIELDS, "status", "slug")
PUBLISHED_FIELDS = ["published_version", "status"]


def _apply(service: Service, data: dict[str, Any]) -> None:
    """Set the editable fields ``data`` names (the others keep their values)."""
    for name in SERVICE_FIELDS:
        if name in data:
            setattr(service, name, data[name])


def _unique_slug(name: str, agency: Agency) -> str:
    base = slugify(f"{name}-{agency.code}-{agency.institution.region_code}")[:70] or "layanan"
    slug, n = base, 2
    while Service.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def service_create(*, actor: Actor, agency: Agency, data: dict[str, Any]) -> Service:
    require(actor, PERM_MANAGE, agency)
    with transaction.atomic():
        service = Service(agency=agency, institution_id=agency.institution_id)
        _apply(service, data)
        service.slug = data.get("slug") or _unique_slug(service.name, agency)
        service.full_clean()
        service.save()
        changes.record_change(actor, "eservices.service_create", service, AUDITED_FIELDS)
    return service


def service_update(*, actor: Actor, service: Service, data: dict[str, Any]) -> Service:
    require(actor, PERM_MANAGE, service)
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        before = stored_values(service, AUDITED_FIELDS)
        _apply(service, data)
        service.full_clean()
        service.save()
        changes.record_change(actor, "eservices.service_update", service, AUDITED_FIELDS, before=before)
    return service


def version_create(
    *,
    actor: Person,
    service: Service,
    form: Any,
    workflow: Any,
    document_template: Any,
    notes: str = "",
) -> ServiceVersion:
    """A new draft version; the definition is checked against the JSON Schemas."""
    require(actor, PERM_MANAGE, service)
    errors = definitions.validate_version(form, workflow, document_template)
    if errors:
        raise definitions.InvalidDefinition(errors)
    with transaction.atomic():
        last = ServiceVersion.objects.filter(service=service).aggregate(n=Max("number"))["n"] or 0
        version = ServiceVersion.objects.create(
            service=service,
            number=last + 1,
            form=form,
            workflow=workflow,
            document_template=document_template,
            notes=notes,
            created_by=stored_person(actor),
        )
        changes.record_change(
            actor,
            "eservices.version_create",
            version,
            ["service", "number"],
            institution_id=service.institution_id,
            agency_id=service.agency_id,
        )
    return version


def version_update(
    *, actor: Actor, version: ServiceVersion, form: Any, workflow: Any, document_template: Any, change: str = ""
) -> ServiceVersion:
    """Replace a draft's definition; ``change`` (e.g. ``field_add pages[0].fields[3] nik``,
    from the composer) is kept in the audit event."""
    require(actor, PERM_MANAGE, version.service)
    if version.status != ServiceVersion.Status.DRAFT:
        raise ValidationError(_("A published version cannot be changed; create a new version."), code="version_frozen")
    errors = definitions.validate_version(form, workflow, document_template)
    if errors:
        raise definitions.InvalidDefinition(errors)
    with transaction.atomic():
        version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != ServiceVersion.Status.DRAFT:
            raise ValidationError(_("A published version cannot be changed; create a new version."))
        version.form, version.workflow, version.document_template = form, workflow, document_template
        version.save()
        audit.record(
            actor=actor,
            action="eservices.version_update",
            target=version,
            institution_id=version.service.institution_id,
            agency_id=version.service.agency_id,
            after={"number": version.number, **({"change": change[:300]} if change else {})},
        )
    return version


def version_publish(*, actor: Person, version: ServiceVersion) -> ServiceVersion:
    """Publish a draft: it becomes the version new applications use; the previous one is
    superseded (cases already on it stay on it)."""
    service = version.service
    require(actor, PERM_MANAGE, service)
    errors = definitions.validate_version(version.form, version.workflow, version.document_template)
    if errors:
        raise definitions.InvalidDefinition(errors)
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != ServiceVersion.Status.DRAFT:
            raise ValidationError(_("Only a draft version can be published."), code="not_draft")
        ServiceVersion.objects.filter(service=service, status=ServiceVersion.Status.PUBLISHED).update(
            status=ServiceVersion.Status.SUPERSEDED
        )
        version.status = ServiceVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.published_by = stored_person(actor)
        version.save(update_fields=["status", "published_at", "published_by"])
        before = stored_values(service, PUBLISHED_FIELDS)
        service.published_version = version
        service.status = Service.Status.ACTIVE
        service.save(update_fields=[*PUBLISHED_FIELDS, "updated_at"])
        changes.record_change(actor, "eservices.version_publish", service, PUBLISHED_FIELDS, before=before)
    return version


def service_set_status(*, actor: Actor, service: Service, status: str) -> Service:
    require(actor, PERM_MANAGE, service)
    if status not in Service.Status.values:
        raise ValidationError(_("Unknown status."))
    if status == Service.Status.ACTIVE and not service.published_version_id:
        raise ValidationError(_("Publish a version before opening the service."), code="no_version")
    with transaction.atomic():
        before = service.status
        Service.objects.filter(pk=service.pk).update(status=status, updated_at=timezone.now())
        service.status = status
        changes.record_change(actor, "eservices.service_status", service, ["status"], before={"status": before})
    return service


def service_export(service: Service, version: ServiceVersion | None = None) -> dict[str, Any]:
    version = version or service.published_version
    if version is None:
        raise ValidationError(_("This service has no published version to export."))
    return {
        "format": definitions.EXPORT_FORMAT,
        "service": {
            "code": service.code,
            "slug": service.slug,
            "name": service.name,
            "summary": service.summary,
            "eligibility": service.eligibility,
            "requirements": service.requirement_list,
            "legal_basis": service.legal_basis_list,
            "fee": service.fee,
            "sla_days": service.sla_days,
            "output_document": service.output_document,
            "sector": service.sector,
            "contact": service.contact,
        },
        "version": version.number,
        "form": version.form,
        "workflow": version.workflow,
        "document_template": version.document_template,
    }


def service_import(*, actor: Person, agency: Agency, document: Any, publish: bool = False) -> Service:
    """Create a service (and a draft or published version) from an exported definition."""
    require(actor, PERM_MANAGE, agency)
    errors = definitions.validate_export(document)
    if errors:
        raise definitions.InvalidDefinition(errors)
    meta = document["service"]
    with transaction.atomic():
        data = {
            "code": meta["code"],
            "name": meta["name"],
            "summary": meta["summary"],
            "eligibility": meta.get("eligibility", ""),
            "requirements": "\n".join(meta.get("requirements", [])),
            "legal_basis": "\n".join(meta.get("legal_basis", [])),
            "fee": meta.get("fee", 0),
            "sla_days": meta["sla_days"],
            "output_document": meta.get("output_document", ""),
            "sector": meta["sector"],
            "contact": meta.get("contact", ""),
        }
        slug = meta.get("slug")
        if slug and not Service.objects.filter(slug=slug).exists():
            data["slug"] = slug
        service = service_create(actor=actor, agency=agency, data=data)
        version = version_create(
            actor=actor,
            service=service,
            form=document["form"],
            workflow=document["workflow"],
            document_template=document["document_template"],
            notes=_("Imported"),
        )
        if publish:
            version_publish(actor=actor, version=version)
    service.refresh_from_db()
    return service
