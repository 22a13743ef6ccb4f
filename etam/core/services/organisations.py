"""Business operations on instansi, perangkat daerah (OPD) and units.

Each function checks the actor's permission first (a refused actor changes nothing and
learns nothing about the input), validates, changes state and writes exactly one audit
event in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from etam.core import audit
from etam.core.actors import Actor
from etam.core.changes import record_change
from etam.core.fieldvalues import stored_values
from etam.core.models import Agency, Institution, OrgUnit, RegionLevel
from etam.core.permissions import Scope, has_perm, require
from etam.core.services._common import FieldErrors, reject_unknown_fields, unique_or
from etam.core.validators import normalise_phone, validate_region_code

INSTITUTION_FIELDS = ("region_code", "name", "short_name", "kind")
AGENCY_FIELDS = ("code", "name", "short_name", "kind", "email", "phone", "address", "is_active")
# An admin OPD may keep their own OPD's name and contact details current; the code,
# kind and status are the instansi's decision (core.manage_agency).
AGENCY_CONTACT_FIELDS = frozenset({"name", "short_name", "email", "phone", "address"})
UNIT_FIELDS = ("code", "name", "parent")

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")
INSTITUTION_REGION_LEVELS = (RegionLevel.PROVINCE.value, RegionLevel.REGENCY_CITY.value)


def _code_taken(same_code: Any, instance: Any) -> bool:
    """Whether another row (not ``instance`` itself, when editing) already has the code."""
    if instance is not None:
        same_code = same_code.exclude(pk=instance.pk)
    return bool(same_code.exists())


def _clean_code(value: Any) -> str:
    return str(value or "").strip().upper()


def _clean_text(value: Any) -> str:
    return str(value or "").strip()


# --- instansi -----------------------------------------------------------------------


def _validate_institution(errors: FieldErrors, data: dict[str, Any], *, instance: Institution | None) -> None:
    if not data["name"]:
        errors.add("name", _("Name: enter the full name of the instansi."), "required")
    if not data["short_name"]:
        errors.add("short_name", _("Short name: enter a short name, e.g. Pemprov Kaltim."), "required")
    if data["kind"] not in Institution.Kind.values:
        errors.add("kind", _("Kind: choose provincial, regency or city government."), "invalid_choice")
    code = data["region_code"]
    if not code:
        errors.add("region_code", _("Region code: enter a Kemendagri region code, e.g. 64.72."), "required")
        return
    try:
        validate_region_code(code, levels=INSTITUTION_REGION_LEVELS)
    except ValidationError as exc:
        errors.extend("region_code", exc)
        return
    clash = Institution.objects.filter(region_code=code)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        errors.add(
            "region_code",
            _("Region code: %(code)s already belongs to another instansi."),
            "duplicate",
            {"code": code},
        )


def institution_create(*, actor: Actor, region_code: str, name: str, short_name: str, kind: str) -> Institution:
    """Register an instansi (only the super admin: instansi follow the kode wilayah)."""
    require(actor, "core.manage_institution")
    data = {
        "region_code": _clean_text(region_code),
        "name": _clean_text(name),
        "short_name": _clean_text(short_name),
        "kind": _clean_text(kind),
    }
    errors = FieldErrors()
    _validate_institution(errors, data, instance=None)
    errors.raise_if_any()
    with transaction.atomic():
        institution = Institution.objects.create(**data)
        audit.record(actor=actor, action="core.institution_create", target=institution, after=data)
    return institution


def institution_update(*, actor: Actor, institution: Institution, changes: Mapping[str, Any]) -> Institution:
    """Change an instansi's names (admin instansi) or its kode wilayah and kind (super admin)."""
    reject_unknown_fields(changes, INSTITUTION_FIELDS)
    require(actor, "core.edit_institution", institution)
    before = stored_values(institution, INSTITUTION_FIELDS)
    data = dict(before)
    for key, value in changes.items():
        data[key] = _clean_text(value)
    if data["region_code"] != before["region_code"] or data["kind"] != before["kind"]:
        require(actor, "core.manage_institution", institution)
    errors = FieldErrors()
    _validate_institution(errors, data, instance=institution)
    errors.raise_if_any()
    if data == before:
        return institution
    with transaction.atomic():
        for key, value in data.items():
            setattr(institution, key, value)
        institution.save(update_fields=[*INSTITUTION_FIELDS, "updated_at"])
        audit.record(actor=actor, action="core.institution_update", target=institution, before=before, after=data)
    return institution


# --- perangkat daerah (OPD) ---------------------------------------------------------------


def _validate_agency(
    errors: FieldErrors, data: dict[str, Any], *, institution: Institution, instance: Agency | None
) -> None:
    code = data["code"]
    if not code:
        errors.add("code", _("OPD code: enter a short code, e.g. DISKOMINFO."), "required")
    elif not CODE_RE.match(code):
        errors.add(
            "code",
            _("OPD code: use 2–20 capital letters, digits, hyphens or underscores, e.g. DISKOMINFO."),
            "invalid",
        )
    elif _code_taken(Agency.objects.filter(institution=institution, code=code), instance):
        errors.add(
            "code",
            _("OPD code: %(code)s is already used by another OPD in %(institution)s. Choose a different code."),
            "duplicate",
            {"code": code, "institution": institution.short_name or institution.name},
        )
    if not data["name"]:
        errors.add("name", _("Name: enter the full name of the OPD."), "required")
    if data["kind"] not in Agency.Kind.values:
        errors.add("kind", _("Kind: choose one of the listed kinds of OPD."), "invalid_choice")
    if data["email"]:
        try:
            validate_email(data["email"])
        except ValidationError:
            errors.add("email", _("Email: enter a valid email address, e.g. diskominfo@kaltimprov.go.id."), "invalid")
    if data["phone"]:
        phone = normalise_phone(data["phone"], strict=False)
        if phone is None:
            errors.add(
                "phone",
                _("Phone: enter an Indonesian phone number, e.g. (0541) 733333 or 0812 3456 7890."),
                "invalid_phone",
            )
        else:
            data["phone"] = phone


def _agency_data(raw: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(base)
    for key, value in raw.items():
        if key == "code":
            data[key] = _clean_code(value)
        elif key == "is_active":
            data[key] = bool(value)
        elif key == "email":
            data[key] = _clean_text(value).lower()
        else:
            data[key] = _clean_text(value)
    return data


def _unique_violation(errors: FieldErrors, field: str, message: str, params: Mapping[str, Any]) -> ValidationError:
    errors.add(field, message, "duplicate", params)
    return ValidationError(errors.errors)


def _agency_code_taken(code: str, institution: Institution) -> ValidationError:
    return _unique_violation(
        FieldErrors(),
        "code",
        _("OPD code: %(code)s is already used by another OPD in %(institution)s. Choose a different code."),
        {"code": code, "institution": institution.short_name or institution.name},
    )


def agency_create(
    *,
    actor: Actor,
    institution: Institution,
    code: str,
    name: str,
    short_name: str = "",
    kind: str = Agency.Kind.DINAS,
    email: str = "",
    phone: str = "",
    address: str = "",
) -> Agency:
    require(actor, "core.manage_agency", Scope(institution_id=institution.pk))
    data = _agency_data(
        {
            "code": code,
            "name": name,
            "short_name": short_name,
            "kind": kind,
            "email": email,
            "phone": phone,
            "address": address,
        },
        {"is_active": True},
    )
    errors = FieldErrors()
    _validate_agency(errors, data, institution=institution, instance=None)
    errors.raise_if_any()
    # Two admins typing the same code at the same moment: the constraint decides.
    with unique_or(lambda: _agency_code_taken(data["code"], institution)):
        agency = Agency.objects.create(institution=institution, **data)
        audit.record(
            actor=actor, action="core.agency_create", target=agency, after={"institution": institution.pk, **data}
        )
    return agency


def agency_update(*, actor: Actor, agency: Agency, changes: Mapping[str, Any]) -> Agency:
    reject_unknown_fields(changes, set(AGENCY_FIELDS) - {"is_active"})
    before = stored_values(agency, AGENCY_FIELDS)
    data = _agency_data(changes, before)
    touched = {key for key in data if data[key] != before[key]}
    if touched - AGENCY_CONTACT_FIELDS or not has_perm(actor, "core.edit_agency", agency):
        require(actor, "core.manage_agency", agency)
    errors = FieldErrors()
    _validate_agency(errors, data, institution=agency.institution, instance=agency)
    errors.raise_if_any()
    if data == before:
        return agency
    return _agency_save(actor=actor, agency=agency, before=before, data=data, action="core.agency_update")


def _agency_save(*, actor: Actor, agency: Agency, before: dict[str, Any], data: dict[str, Any], action: str) -> Agency:
    try:
        with transaction.atomic():
            for key, value in data.items():
                setattr(agency, key, value)
            agency.save(update_fields=[*AGENCY_FIELDS, "updated_at"])
            audit.record(actor=actor, action=action, target=agency, before=before, after=data)
    except IntegrityError:
        for key, value in before.items():
            setattr(agency, key, value)
        raise _agency_code_taken(data["code"], agency.institution) from None
    return agency


def _agency_set_active(*, actor: Actor, agency: Agency, active: bool, action: str) -> Agency:
    require(actor, "core.manage_agency", agency)
    if agency.is_active == active:
        message = _("Status: this OPD is already active.") if active else _("Status: this OPD is already inactive.")
        raise ValidationError({"is_active": [ValidationError(message, code="unchanged")]})
    before = stored_values(agency, AGENCY_FIELDS)
    return _agency_save(actor=actor, agency=agency, before=before, data={**before, "is_active": active}, action=action)


def agency_deactivate(*, actor: Actor, agency: Agency) -> Agency:
    """Mark an OPD inactive (it keeps its history; nothing is deleted)."""
    return _agency_set_active(actor=actor, agency=agency, active=False, action="core.agency_deactivate")


def agency_reactivate(*, actor: Actor, agency: Agency) -> Agency:
    return _agency_set_active(actor=actor, agency=agency, active=True, action="core.agency_reactivate")


# --- units -------------------------------------------------------------------------


def _validate_unit(errors: FieldErrors, data: dict[str, Any], *, agency: Agency, instance: OrgUnit | None) -> None:
    code = data["code"]
    if not code:
        errors.add("code", _("Unit code: enter a short code, e.g. APTIKA."), "required")
    elif not CODE_RE.match(code):
        errors.add(
            "code", _("Unit code: use 2–20 capital letters, digits, hyphens or underscores, e.g. APTIKA."), "invalid"
        )
    elif _code_taken(OrgUnit.objects.filter(agency=agency, code=code), instance):
        errors.add(
            "code",
            _("Unit code: %(code)s is already used by another unit of this OPD. Choose a different code."),
            "duplicate",
            {"code": code},
        )
    if not data["name"]:
        errors.add("name", _("Name: enter the name of the unit."), "required")
    parent: OrgUnit | None = data["parent"]
    if parent is not None:
        if parent.agency_id != agency.pk:
            errors.add("parent", _("Parent unit: choose a unit of the same OPD."), "wrong_agency")
        elif instance is not None:
            # Walk up from the new parent: meeting the unit itself would make a cycle.
            seen: set[int] = set()
            node: OrgUnit | None = parent
            while node is not None and node.pk not in seen:
                if node.pk == instance.pk:
                    errors.add("parent", _("Parent unit: a unit cannot sit under itself or its own sub-unit."), "cycle")
                    break
                seen.add(node.pk)
                node = node.parent


def _unit_code_taken(code: str) -> ValidationError:
    # A concurrent create/update won the unique constraint after validation passed.
    return _unique_violation(
        FieldErrors(),
        "code",
        _("Unit code: %(code)s is already used by another unit of this OPD. Choose a different code."),
        {"code": code},
    )


def orgunit_create(*, actor: Actor, agency: Agency, code: str, name: str, parent: OrgUnit | None = None) -> OrgUnit:
    require(actor, "core.manage_unit", agency)
    data: dict[str, Any] = {"code": _clean_code(code), "name": _clean_text(name), "parent": parent}
    errors = FieldErrors()
    _validate_unit(errors, data, agency=agency, instance=None)
    errors.raise_if_any()
    with unique_or(lambda: _unit_code_taken(data["code"])):
        unit = OrgUnit.objects.create(agency=agency, **data)
        record_change(
            actor,
            "core.orgunit_create",
            unit,
            UNIT_FIELDS,
            also={"agency": agency.pk},
            institution_id=agency.institution_id,
        )
    return unit


def orgunit_update(*, actor: Actor, unit: OrgUnit, changes: Mapping[str, Any]) -> OrgUnit:
    reject_unknown_fields(changes, UNIT_FIELDS)
    agency = unit.agency
    require(actor, "core.manage_unit", agency)
    before = stored_values(unit, UNIT_FIELDS)
    data: dict[str, Any] = {"code": unit.code, "name": unit.name, "parent": unit.parent}
    for key, value in changes.items():
        data[key] = value if key == "parent" else (_clean_code(value) if key == "code" else _clean_text(value))
    errors = FieldErrors()
    _validate_unit(errors, data, agency=agency, instance=unit)
    errors.raise_if_any()
    after = {"code": data["code"], "name": data["name"], "parent": data["parent"].pk if data["parent"] else None}
    if after == before:
        return unit
    with unique_or(lambda: _unit_code_taken(data["code"])):
        for key, value in data.items():
            setattr(unit, key, value)
        unit.save(update_fields=[*UNIT_FIELDS, "updated_at"])
        record_change(
            actor, "core.orgunit_update", unit, UNIT_FIELDS, before=before, institution_id=agency.institution_id
        )
    return unit
