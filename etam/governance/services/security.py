"""Security checklist (BSSN 4/2021), incidents (UU 27/2022 3×24 h), internal ICT audit, and the
personal-data processing register (docs/adr/0142, 0143)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit
from etam.core.actors import Person
from etam.core.changes import record_change
from etam.core.fieldvalues import assign_given, stored_values
from etam.core.models import Agency, Institution
from etam.core.permissions import Scope, has_perm, require
from etam.governance import permissions as perms
from etam.governance.models import (
    AUDIT_STAGE_ORDER,
    AuditEngagement,
    AuditFinding,
    AuditStage,
    ControlArea,
    ControlStatus,
    DataProtectionOfficer,
    Incident,
    IncidentEvent,
    LegalBasis,
    ProcessingActivity,
    SecurityControl,
    Severity,
)
from etam.governance.services._common import (
    agency_scope,
    asset_of_agency,
    institution_scope,
    raise_if,
    require_filled,
)


def _app_scope(application: Any) -> Scope:
    return Scope(institution_id=application.institution_id, agency_id=application.agency_id)


# --- BSSN 4/2021 checklist --------------------------------------------------------------------


def control_set(*, actor: Person, application: Any, area: str, status: str, evidence: str) -> SecurityControl:
    require(actor, perms.MANAGE_SECURITY, _app_scope(application))
    errors: dict[str, list[str]] = {}
    if area not in ControlArea.values:
        errors["area"] = [_("Control area: choose a BSSN 4/2021 control area.")]
    if status not in ControlStatus.values:
        errors["status"] = [_("Status: choose a status.")]
    if status in (ControlStatus.MET, ControlStatus.PARTIAL) and not evidence.strip():
        errors["evidence"] = [_("Evidence: describe or link the evidence for a control that is met.")]
    raise_if(errors)
    with transaction.atomic():
        control, created = SecurityControl.objects.select_for_update().get_or_create(
            application_id=application.pk,
            area=area,
            defaults={
                "institution_id": application.institution_id,
                "agency_id": application.agency_id,
                "updated_by": actor,
            },
        )
        before = None if created else stored_values(control, ["status", "evidence"])
        control.status, control.evidence, control.updated_by = status, evidence.strip(), actor
        control.save()
        record_change(
            actor,
            "governance.control_set",
            control,
            ["area", "status", "evidence"],
            before=before,
            also={"application": application.pk},
        )
    return control


# --- Incidents --------------------------------------------------------------------------------


def incident_report(*, actor: Person, agency: Agency, data: dict[str, Any]) -> Incident:
    require(actor, perms.MANAGE_SECURITY, agency_scope(agency))
    errors = require_filled(data, {"title": "Judul", "description": "Uraian", "detected_at": "Waktu terdeteksi"})
    if data.get("severity") not in Severity.values:
        errors["severity"] = [_("Severity: choose a severity.")]
    if data.get("application") is None and data.get("data_centre") is None:
        errors["application"] = [_("Asset: choose the application or infrastructure affected.")]
    asset_of_agency(data.get("application"), agency, "application", "Aplikasi", errors)
    asset_of_agency(data.get("data_centre"), agency, "data_centre", "Infrastruktur", errors)
    detected = data.get("detected_at")
    if isinstance(detected, datetime) and timezone.is_naive(detected):
        detected = data["detected_at"] = timezone.make_aware(detected)
    if isinstance(detected, datetime) and detected > timezone.now():
        errors["detected_at"] = [_("Detected at: cannot be in the future.")]
    raise_if(errors)
    fields = ["title", "description", "severity", "application", "data_centre", "detected_at", "personal_data"]
    incident = Incident(institution_id=agency.institution_id, agency=agency, reported_by=actor)
    assign_given(incident, data, fields)
    with transaction.atomic():
        incident.save()
        IncidentEvent.objects.create(incident=incident, at=incident.detected_at, note=incident.description, actor=actor)
        record_change(actor, "governance.incident_report", incident, fields)
    return incident


def incident_update(
    *, actor: Person, incident: Incident, note: str, status: str = "", notified_at: datetime | None = None
) -> Incident:
    """A timeline entry; optionally a new status and the time the breach notice went out."""
    require(actor, perms.MANAGE_SECURITY, incident)
    errors = require_filled({"note": note}, {"note": "Catatan"})
    if notified_at is not None and timezone.is_naive(notified_at):
        notified_at = timezone.make_aware(notified_at)
    if status and status not in Incident.Status.values:
        errors["status"] = [_("Status: choose a status.")]
    if notified_at is not None and notified_at < incident.detected_at:
        errors["notified_at"] = [_("Notified at: cannot be before the incident was detected.")]
    raise_if(errors)
    with transaction.atomic():
        before = stored_values(incident, ["status", "notified_at"])
        if status:
            incident.status = status
        if notified_at is not None:
            incident.notified_at = notified_at
        incident.save(update_fields=["status", "notified_at"])
        IncidentEvent.objects.create(incident=incident, at=timezone.now(), note=note.strip(), actor=actor)
        record_change(actor, "governance.incident_update", incident, ["status", "notified_at"], before=before)
    return incident


# --- Internal ICT audit ----------------------------------------------------------------------


def audit_create(*, actor: Person, institution: Institution, data: dict[str, Any]) -> AuditEngagement:
    require(actor, perms.MANAGE_AUDIT, institution_scope(institution))
    errors = require_filled(data, {"title": "Judul", "year": "Tahun", "scope": "Ruang lingkup", "auditor": "Auditor"})
    raise_if(errors)
    fields = ["title", "year", "scope", "auditor"]
    with transaction.atomic():
        engagement = AuditEngagement.objects.create(institution=institution, **{f: data[f] for f in fields})
        record_change(actor, "governance.audit_create", engagement, fields)
    return engagement


def audit_advance(*, actor: Person, engagement: AuditEngagement, report_summary: str = "") -> AuditEngagement:
    """Plan → fieldwork → report → follow-up → closed; the report stage needs its summary."""
    require(actor, perms.MANAGE_AUDIT, engagement)
    position = AUDIT_STAGE_ORDER.index(engagement.stage)
    if engagement.stage == AuditStage.CLOSED:
        raise ValidationError({"stage": [_("Stage: this audit is closed.")]})
    following = AUDIT_STAGE_ORDER[position + 1]
    summary = report_summary.strip() or engagement.report_summary
    if following == AuditStage.FOLLOW_UP and not summary:
        raise ValidationError({"report_summary": [_("Report summary: write the report summary first.")]})
    with transaction.atomic():
        before = {"stage": engagement.stage}
        engagement.stage, engagement.report_summary = following, summary
        engagement.save(update_fields=["stage", "report_summary"])
        audit.record(
            actor=actor, action="governance.audit_advance", target=engagement, before=before, after={"stage": following}
        )
    return engagement


def finding_add(*, actor: Person, engagement: AuditEngagement, agency: Agency, data: dict[str, Any]) -> AuditFinding:
    require(actor, perms.MANAGE_AUDIT, engagement)
    errors = require_filled(data, {"title": "Temuan", "recommendation": "Rekomendasi"})
    if agency.institution_id != engagement.institution_id:
        errors["agency"] = [_("OPD: choose an OPD of the audited instansi.")]
    if engagement.stage in (AuditStage.PLAN, AuditStage.CLOSED):
        errors["stage"] = [_("Stage: findings are recorded from fieldwork until follow-up.")]
    asset_of_agency(data.get("application"), agency, "application", "Aplikasi", errors)
    risk = data.get("risk")
    if risk is not None and risk.agency_id != agency.pk:
        errors["risk"] = [_("Risk: it belongs to another OPD.")]
    raise_if(errors)
    fields = ["title", "recommendation", "application", "risk", "due_on"]
    with transaction.atomic():
        finding = AuditFinding.objects.create(
            engagement=engagement,
            institution_id=agency.institution_id,
            agency=agency,
            **{f: data.get(f) for f in fields},
        )
        record_change(actor, "governance.finding_add", finding, fields)
    return finding


def finding_follow_up(*, actor: Person, finding: AuditFinding, follow_up: str, note: str) -> AuditFinding:
    """The audited OPD (or the auditors) reports the follow-up of a finding."""
    if not (has_perm(actor, perms.MANAGE_SECURITY, finding) or has_perm(actor, perms.MANAGE_AUDIT, finding)):
        raise PermissionDenied(_("You do not have permission for this action."))
    errors = require_filled({"note": note}, {"note": "Catatan tindak lanjut"})
    if follow_up not in AuditFinding.FollowUp.values:
        errors["follow_up"] = [_("Follow-up: choose a status.")]
    raise_if(errors)
    with transaction.atomic():
        before = stored_values(finding, ["follow_up", "follow_up_note"])
        finding.follow_up, finding.follow_up_note = follow_up, note.strip()
        finding.save(update_fields=["follow_up", "follow_up_note"])
        record_change(actor, "governance.finding_follow_up", finding, ["follow_up", "follow_up_note"], before=before)
    return finding


# --- Personal data (UU 27/2022) ---------------------------------------------------------------

PROCESSING_LABELS = {
    "name": "Kegiatan pemrosesan",
    "purpose": "Tujuan",
    "data_categories": "Kategori data",
    "retention": "Masa retensi",
}
PROCESSING_FIELDS = [*PROCESSING_LABELS, "legal_basis", "specific_data", "recipients"]


def processing_save(
    *, actor: Person, application: Any, data: dict[str, Any], instance: ProcessingActivity | None = None
) -> ProcessingActivity:
    require(actor, perms.MANAGE_PRIVACY, _app_scope(application))
    if instance is not None:
        require(actor, perms.MANAGE_PRIVACY, instance)
    errors = require_filled(data, PROCESSING_LABELS)
    if data.get("legal_basis") not in LegalBasis.values:
        errors["legal_basis"] = [_("Legal basis: choose a basis of UU 27/2022 Pasal 20.")]
    raise_if(errors)
    activity = instance or ProcessingActivity(
        institution_id=application.institution_id, agency_id=application.agency_id, application_id=application.pk
    )
    before = stored_values(activity, PROCESSING_FIELDS) if instance else None
    for name in PROCESSING_FIELDS:
        if name in data:
            value = data[name]
            setattr(activity, name, value.strip() if isinstance(value, str) else value)
    with transaction.atomic():
        activity.save()
        record_change(actor, "governance.processing_save", activity, PROCESSING_FIELDS, before=before)
    return activity


def dpo_save(*, actor: Person, institution: Institution, data: dict[str, Any]) -> DataProtectionOfficer:
    require(actor, perms.MANAGE_DPO, institution_scope(institution))
    errors = require_filled(data, {"name": "Nama PPDP", "email": "Email PPDP"})
    raise_if(errors)
    fields = ["name", "email", "phone"]
    with transaction.atomic():
        dpo = DataProtectionOfficer.objects.select_for_update().filter(institution=institution).first()
        before = stored_values(dpo, fields) if dpo else None
        dpo = dpo or DataProtectionOfficer(institution=institution)
        for name in fields:
            setattr(dpo, name, str(data.get(name) or "").strip())
        dpo.full_clean()
        dpo.save()
        record_change(actor, "governance.dpo_save", dpo, fields, before=before)
    return dpo
