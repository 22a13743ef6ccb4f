"""Risk register services (PermenPANRB 5/2020; docs/adr/0141)."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from etam.core import audit
from etam.core.actors import Person
from etam.core.changes import record_change
from etam.core.fieldvalues import assign_given, stored_values
from etam.core.models import Agency, Institution
from etam.core.permissions import require
from etam.governance import permissions as perms
from etam.governance import riskmatrix
from etam.governance.models import (
    AssetKind,
    ImpactArea,
    Monitoring,
    Risk,
    RiskBand,
    RiskCategory,
    RiskCell,
    RiskContext,
    RiskScale,
    RiskStatus,
    Treatment,
)
from etam.governance.riskmatrix import SCALE_CODE
from etam.governance.services._common import (
    agency_scope,
    asset_of_agency,
    institution_scope,
    raise_if,
    require_filled,
    scale_value,
)

RISK_FIELDS = [
    "title",
    "category",
    "impact_area",
    "positive",
    "asset_kind",
    "application",
    "data_centre",
    "asset_reference",
    "causes",
    "consequences",
    "owner",
    "likelihood",
    "impact",
]
RISK_LABELS = {
    "title": "Risiko",
    "causes": "Penyebab",
    "consequences": "Dampak/akibat",
    "owner": "Pemilik risiko",
}


def current_scale() -> RiskScale:
    """The scale in force. Migration 0002 stores it; if the table was emptied (a database flushed
    and not migrated again) it is stored again from the shipped files (ADR 0141)."""
    scale = RiskScale.objects.filter(code=SCALE_CODE, is_current=True).first()
    if scale is None:
        with transaction.atomic():
            scale = riskmatrix.store(RiskScale, RiskCell, RiskBand)
    return cast(RiskScale, scale)


def assess(scale: RiskScale, likelihood: int, impact: int) -> tuple[int, int]:
    """(magnitude, level) of a likelihood × impact pair on ``scale``."""
    magnitude = RiskCell.objects.get(scale=scale, likelihood=likelihood, impact=impact).magnitude
    band = RiskBand.objects.get(scale=scale, low__lte=magnitude, high__gte=magnitude)
    return magnitude, band.level


def risk_context_save(*, actor: Person, institution: Institution, year: int, data: dict[str, Any]) -> RiskContext:
    require(actor, perms.MANAGE_RISK_CONTEXT, institution_scope(institution))
    errors = require_filled(data, {"appetite": "Selera risiko", "appetite_statement": "Pernyataan selera risiko"})
    appetite = data.get("appetite")
    if "appetite" not in errors and not (isinstance(appetite, int) and 1 <= appetite <= 25):
        errors["appetite"] = [_("Risk appetite: a magnitude from 1 to 25.")]
    raise_if(errors)
    fields = ["appetite", "appetite_statement", "likelihood_criteria", "impact_criteria"]
    with transaction.atomic():
        context, created = RiskContext.objects.select_for_update().get_or_create(
            institution=institution, year=year, defaults={f: data.get(f) or "" for f in fields}
        )
        before = None if created else stored_values(context, fields)
        assign_given(context, data, fields)
        context.save()
        record_change(actor, "governance.risk_context_save", context, fields, before=before)
    return context


def _check_risk(agency: Agency, data: dict[str, Any]) -> tuple[dict[str, list[str]], int | None, int | None]:
    errors = require_filled(data, RISK_LABELS)
    if data.get("category") not in RiskCategory.values:
        errors["category"] = [_("Category: choose a risk category.")]
    if data.get("impact_area") not in ImpactArea.values:
        errors["impact_area"] = [_("Impact area: choose an impact area.")]
    kind = data.get("asset_kind")
    if kind not in AssetKind.values:
        errors["asset_kind"] = [_("Linked to: choose what the risk is about.")]
    elif kind == AssetKind.APPLICATION and data.get("application") is None:
        errors["application"] = [_("Application: choose the application the risk is about.")]
    elif kind == AssetKind.INFRASTRUCTURE and data.get("data_centre") is None:
        errors["data_centre"] = [_("Infrastructure: choose the data centre or server room.")]
    elif kind in (AssetKind.DATASET, AssetKind.PROCESS) and not str(data.get("asset_reference") or "").strip():
        errors["asset_reference"] = [_("Dataset or process: name the dataset or business process.")]
    asset_of_agency(data.get("application"), agency, "application", "Aplikasi", errors)
    asset_of_agency(data.get("data_centre"), agency, "data_centre", "Infrastruktur", errors)
    likelihood = scale_value(data, "likelihood", "Kemungkinan", errors)
    impact = scale_value(data, "impact", "Dampak", errors)
    return errors, likelihood, impact


def risk_create(*, actor: Person, agency: Agency, data: dict[str, Any]) -> Risk:
    require(actor, perms.MANAGE_RISK, agency_scope(agency))
    errors, likelihood, impact = _check_risk(agency, data)
    raise_if(errors)
    assert likelihood is not None and impact is not None
    scale = current_scale()
    magnitude, level = assess(scale, likelihood, impact)
    risk = Risk(institution_id=agency.institution_id, agency=agency, scale=scale, created_by=actor)
    for name in RISK_FIELDS:
        if name in data:
            value = data[name]
            setattr(risk, name, value.strip() if isinstance(value, str) else value)
    if risk.asset_kind != AssetKind.APPLICATION:
        risk.application = None
    if risk.asset_kind != AssetKind.INFRASTRUCTURE:
        risk.data_centre = None
    risk.likelihood, risk.impact, risk.magnitude, risk.level = likelihood, impact, magnitude, level
    with transaction.atomic():
        risk.save()
        record_change(actor, "governance.risk_create", risk, RISK_FIELDS, also={"magnitude": magnitude, "level": level})
    return risk


def treatment_add(*, actor: Person, risk: Risk, action: str, owner: Any, due_on: date | None) -> Treatment:
    require(actor, perms.MANAGE_RISK, risk)
    errors = require_filled(
        {"action": action, "owner": owner, "due_on": due_on},
        {"action": "Rencana penanganan", "owner": "Penanggung jawab", "due_on": "Tenggat"},
    )
    raise_if(errors)
    assert due_on is not None
    with transaction.atomic():
        treatment = Treatment.objects.create(risk=risk, action=action.strip(), owner=owner, due_on=due_on)
        Risk.objects.filter(pk=risk.pk, status=RiskStatus.OPEN).update(status=RiskStatus.TREATED)
        record_change(
            actor, "governance.treatment_add", treatment, ["action", "owner", "due_on", "status"], target=risk
        )
    return treatment


def treatment_set_status(*, actor: Person, treatment: Treatment, status: str) -> Treatment:
    require(actor, perms.MANAGE_RISK, treatment)
    if status not in Treatment.Status.values:
        raise ValidationError({"status": [_("Status: choose planned, ongoing or done.")]})
    with transaction.atomic():
        before = {"status": treatment.status}
        treatment.status = status
        treatment.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="governance.treatment_status",
            target=treatment.risk,
            before=before,
            after={"treatment": treatment.pk, "status": status},
        )
    return treatment


def monitoring_record(*, actor: Person, risk: Risk, data: dict[str, Any]) -> Monitoring:
    """A periodic review: the level now (after treatment) becomes the risk's residual level."""
    require(actor, perms.MANAGE_RISK, risk)
    errors = require_filled(data, {"period": "Periode", "note": "Catatan"})
    likelihood = scale_value(data, "likelihood", "Kemungkinan", errors)
    impact = scale_value(data, "impact", "Dampak", errors)
    raise_if(errors)
    assert likelihood is not None and impact is not None
    magnitude, level = assess(risk.scale, likelihood, impact)
    with transaction.atomic():
        entry = Monitoring.objects.create(
            risk=risk,
            period=data["period"],
            likelihood=likelihood,
            impact=impact,
            magnitude=magnitude,
            level=level,
            note=str(data["note"]).strip(),
            recorded_by=actor,
        )
        residual = ["residual_likelihood", "residual_impact", "residual_magnitude", "status"]
        before = stored_values(risk, residual)
        risk.residual_likelihood, risk.residual_impact = likelihood, impact
        risk.residual_magnitude, risk.residual_level = magnitude, level
        if data.get("close"):
            risk.status = RiskStatus.CLOSED
        risk.save()
        record_change(actor, "governance.risk_monitor", risk, residual, before=before)
    return entry
