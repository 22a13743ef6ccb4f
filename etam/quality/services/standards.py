"""Writing the standar pelayanan of a service (on its published version) and the OPD's maklumat."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Person
from etam.core.fieldvalues import stored_values
from etam.core.permissions import require
from etam.quality import permissions
from etam.quality.models import ServiceCharter, ServiceStandard
from etam.quality.services.maklumat import delete_on_commit
from etam.quality.standards import EDITABLE

TEXT_LIMIT = 4000
CHARTER_FIELDS = ("text", "signed_by_name")


def standard_save(*, actor: Person, service: Any, data: Mapping[str, Any], version: Any = None) -> ServiceStandard:
    """Save the components Etam does not hold elsewhere on ``version`` of the service (the draft
    edited in the composer, or by default the published one). A version without its own row
    shows the previous version's texts (``selectors.standard_for``); a superseded one is frozen."""
    require(actor, permissions.MANAGE_STANDARD, service)
    errors: dict[str, str] = {}
    version = version or service.published_version
    if version is None:
        errors["service"] = _("Service: publish a version of the service first; the standard belongs to a version.")
    elif version.service_id != service.pk or version.status not in ("draf", "terbit"):
        errors["version"] = _("Version: only the draft or the published version has an editable standard.")
    values: dict[str, Any] = {}
    for name in EDITABLE:
        raw = str(data.get(name) or "").strip()
        if name == "staff_count":
            if raw and (not raw.isdigit() or not 0 < int(raw) < 10000):
                errors[name] = _("Number of staff: a whole number from 1 to 9999.")
            values[name] = int(raw) if raw.isdigit() and name not in errors else None
        elif len(raw) > TEXT_LIMIT:
            errors[name] = _("This component: at most 4000 characters.")
        else:
            values[name] = raw
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        standard = ServiceStandard.objects.select_for_update().filter(version_id=version.pk).first()
        before = {name: getattr(standard, name) for name in EDITABLE} if standard else None
        if standard is None:
            standard = ServiceStandard(
                service=service,
                version_id=version.pk,
                agency_id=service.agency_id,
                institution_id=service.institution_id,
            )
        for name, value in values.items():
            setattr(standard, name, value)
        standard.updated_by = actor
        standard.save()
        audit.record(actor=actor, action="quality.standard_save", target=standard, before=before, after=values)
    return standard


def charter_save(*, actor: Person, agency: Any, text: str, signed_by_name: str = "") -> ServiceCharter:
    require(actor, permissions.MANAGE_STANDARD, agency)
    text, signed_by_name = (text or "").strip(), (signed_by_name or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Service pledge: write the pledge text.")
    elif len(text) > TEXT_LIMIT:
        errors["text"] = _("Service pledge: at most 4000 characters.")
    if len(signed_by_name) > 200:
        errors["signed_by_name"] = _("Signed by: at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        charter = ServiceCharter.objects.select_for_update().filter(agency=agency).first()
        before = stored_values(charter, CHARTER_FIELDS) if charter else None
        if charter is None:
            charter = ServiceCharter(agency=agency, institution_id=agency.institution_id)
        if charter.pk is not None and charter.text != text and charter.signed_at is not None:
            # The signed PDF is of the old text: it no longer is the OPD's maklumat (ADR 0139).
            charter.signed_by, charter.signer_label, charter.signed_at = None, "", None
            delete_on_commit(charter.signed_pdf)
            charter.signed_pdf = ""
        charter.text, charter.signed_by_name = text, signed_by_name
        charter.save()
        changes.record_change(actor, "quality.charter_save", charter, CHARTER_FIELDS, before=before)
    return charter
