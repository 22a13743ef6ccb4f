"""Helpers the governance services share: field checks that name the field, the scope of an OPD or
instansi, the application catalogue. (The audit entry of a change is ``core.changes.record_change``.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from etam.core.models import Agency, Institution
from etam.core.permissions import Scope
from etam.governance.registry import ApplicationCatalogue, catalogue


def agency_scope(agency: Agency) -> Scope:
    return Scope(institution_id=agency.institution_id, agency_id=agency.pk)


def institution_scope(institution: Institution) -> Scope:
    return Scope(institution_id=institution.pk)


def require_filled(data: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, list[str]]:
    """``{field: [message]}`` for every listed field left empty (the message names the field)."""
    errors: dict[str, list[str]] = {}
    for name, label in labels.items():
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = [_("%(field)s: this field is required.") % {"field": label}]
    return errors


def scale_value(data: Mapping[str, Any], name: str, label: str, errors: dict[str, list[str]]) -> int | None:
    """A likelihood or impact: a whole number from 1 to 5 (the error names the field)."""
    raw = data.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors[name] = [_("%(field)s: this field is required.") % {"field": label}]
        return None
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().isdigit():
        value = int(raw.strip())
    if value is None or not 1 <= value <= 5:
        errors[name] = [_("%(field)s: a whole number from 1 to 5.") % {"field": label}]
        return None
    return value


def raise_if(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def the_catalogue() -> ApplicationCatalogue:
    found = catalogue()
    if found is None:
        raise ValidationError(_("The application inventory is not available; try again later."))
    return found


def asset_of_agency(obj: Any, agency: Agency, field: str, label: str, errors: dict[str, list[str]]) -> None:
    """An asset must belong to the OPD of the record (an instansi-wide data centre counts)."""
    if obj is None:
        return
    same_institution = getattr(obj, "institution_id", None) == agency.institution_id
    owner_agency = getattr(obj, "agency_id", None)
    if not same_institution or owner_agency not in (None, agency.pk):
        errors[field] = [_("%(field)s: it belongs to another OPD.") % {"field": label}]
