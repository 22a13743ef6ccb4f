"""Seams to the SPBE evaluation (evidence suggestions) and Satu Data (counts by status).

Registered from ``GovernanceConfig.ready`` when the other module is installed. Suggestions stop at
level 3 (levels 4–5 of 59/2020 need review and improvement evidence a register cannot show by
itself); an assessor accepts or rejects each one. Satu Data gets counts by status, no details
(docs/adr/0144).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count

FRAMEWORK_59_2020 = "permenpanrb-59-2020"


# --- Satu Data --------------------------------------------------------------------------------


def status_count_rows() -> Iterable[Sequence[Any]]:
    """(kode wilayah of the instansi, register, status, count) for every register."""
    from etam.governance.models import AuditFinding, Incident, Risk, SecurityControl, ServiceRequest

    registers: list[tuple[str, Any, str]] = [
        ("permohonan_layanan", ServiceRequest, "status"),
        ("risiko", Risk, "status"),
        ("kendali_keamanan", SecurityControl, "status"),
        ("insiden", Incident, "status"),
        ("temuan_audit", AuditFinding, "follow_up"),
    ]
    rows = []
    for name, model, field in registers:
        for region, status, n in (
            model.objects.values_list("institution__region_code", field)
            .annotate(n=Count("id"))
            .order_by("institution__region_code", field)
        ):
            rows.append((region, name, status, n))
    rows.sort()
    yield from rows


def register_with_opendata() -> None:
    try:
        from etam.opendata.registry import SystemColumn, region_column, register_system_dataset
    except ImportError:
        return
    register_system_dataset(
        key="manajemen-spbe-status",
        title="Manajemen SPBE: jumlah per status",
        description=(
            "Jumlah permohonan layanan Diskominfo, risiko SPBE, kendali keamanan aplikasi, insiden dan "
            "temuan audit TIK per instansi menurut status. Hanya jumlah, tanpa rincian."
        ),
        agency_code="DISKOMINFO",
        topic="pemerintahan",
        update_frequency="monthly",
        columns=[
            region_column(title="", definition="Kode Kemendagri instansi"),
            SystemColumn(
                "register",
                "string",
                definition="permohonan_layanan, risiko, kendali_keamanan, insiden atau temuan_audit",
            ),
            SystemColumn("status", "string"),
            SystemColumn("jumlah", "integer"),
        ],
        rows=status_count_rows,
    )


# --- Evaluation suggestions -------------------------------------------------------------------


def suggest_risk_management(evaluation: Any, indicator: Any) -> Any:
    """Indicator 21: a risk context (appetite) for the year, risks with treatment, monitoring."""
    from etam.evaluation.registry import Proposal
    from etam.governance.models import Monitoring, Risk, RiskContext, Treatment

    risks = Risk.objects.filter(institution_id=evaluation.institution_id)
    total = risks.count()
    if not total:
        return None
    has_context = RiskContext.objects.filter(
        institution_id=evaluation.institution_id, year=int(evaluation.period)
    ).exists()
    treated = Treatment.objects.filter(risk__in=risks).values("risk").distinct().count()
    monitored = Monitoring.objects.filter(risk__in=risks).values("risk").distinct().count()
    level = 1
    if has_context and treated / total >= 0.5:
        level = 3 if monitored / total >= 0.5 else 2
    return Proposal.to_page(
        level,
        f"Register risiko: {total} risiko; konteks/selera risiko tahun {evaluation.period}: "
        f"{'ada' if has_context else 'belum ada'}; {treated} dengan rencana penanganan; {monitored} dipantau.",
        "Register risiko",
        "governance:risk_list",
    )


def suggest_information_security(evaluation: Any, indicator: Any) -> Any:
    """Indicator 22: BSSN 4/2021 checklists filled and incidents handled."""
    from etam.evaluation.registry import Proposal
    from etam.governance.models import ControlStatus, Incident, SecurityControl

    controls = SecurityControl.objects.filter(institution_id=evaluation.institution_id)
    total = controls.count()
    if not total:
        return None
    met = controls.filter(status__in=[ControlStatus.MET, ControlStatus.NOT_APPLICABLE]).count()
    incidents = Incident.objects.filter(institution_id=evaluation.institution_id)
    closed = incidents.filter(status=Incident.Status.CLOSED).count()
    handled = not incidents.exists() or closed / incidents.count() >= 0.8
    level = 3 if met / total >= 0.8 and handled else 2
    return Proposal.to_page(
        level,
        f"Daftar periksa BSSN 4/2021: {met} dari {total} kendali terpenuhi/tidak berlaku; "
        f"insiden: {closed} dari {incidents.count()} ditutup.",
        "Keamanan dan audit",
        "governance:security_home",
    )


def suggest_service_desk(evaluation: Any, indicator: Any) -> Any:
    """Indicator 28: SPBE service management through the Diskominfo service desk (SLA tracked)."""
    from etam.evaluation.registry import Proposal
    from etam.governance.models import RequestStatus, ServiceRequest

    reqs = ServiceRequest.objects.filter(
        institution_id=evaluation.institution_id, filed_on__year=int(evaluation.period)
    )
    total = reqs.count()
    if not total:
        return None
    closed = list(
        reqs.filter(status__in=[RequestStatus.DONE, RequestStatus.REJECTED]).values_list("closed_at", "due_on")
    )
    on_time = sum(1 for at, due in closed if at is not None and at.date() <= due)
    level = 3 if closed and on_time / len(closed) >= 0.8 else 2
    return Proposal.to_page(
        level,
        f"Layanan Diskominfo: {total} permohonan dengan SLA hari kerja; {len(closed)} selesai, {on_time} tepat waktu.",
        "Layanan Diskominfo",
        "governance:request_list",
    )


def _suggest_audit(evaluation: Any, keyword: str) -> Any:
    from etam.evaluation.registry import Proposal
    from etam.governance.models import AuditEngagement, AuditFinding, AuditStage

    audits = AuditEngagement.objects.filter(institution_id=evaluation.institution_id, year=int(evaluation.period))
    if keyword:
        audits = audits.filter(scope__icontains=keyword)
    if not audits.exists():
        return None
    reported = audits.filter(stage__in=[AuditStage.FOLLOW_UP, AuditStage.CLOSED]).count()
    findings = AuditFinding.objects.filter(engagement__in=audits)
    done = findings.filter(follow_up=AuditFinding.FollowUp.DONE).count()
    level = 1
    if reported:
        level = 3 if findings.exists() and done / findings.count() >= 0.8 else 2
    return Proposal.to_page(
        level,
        f"Audit TIK internal {evaluation.period}: {audits.count()} audit, {reported} sudah dilaporkan; "
        f"{done} dari {findings.count()} temuan selesai ditindaklanjuti.",
        "Audit TIK",
        "governance:audit_list",
    )


def suggest_infrastructure_audit(evaluation: Any, indicator: Any) -> Any:
    return _suggest_audit(evaluation, "infrastruktur")


def suggest_application_audit(evaluation: Any, indicator: Any) -> Any:
    return _suggest_audit(evaluation, "aplikasi")


def suggest_security_audit(evaluation: Any, indicator: Any) -> Any:
    return _suggest_audit(evaluation, "keamanan")


def register_with_evaluation() -> None:
    try:
        from etam.evaluation.registry import register_indicator_rules
    except ImportError:
        return
    register_indicator_rules(
        FRAMEWORK_59_2020,
        [
            (21, "governance.risk_management", suggest_risk_management),
            (22, "governance.information_security", suggest_information_security),
            (28, "governance.service_desk", suggest_service_desk),
            (29, "governance.audit_infrastructure", suggest_infrastructure_audit),
            (30, "governance.audit_application", suggest_application_audit),
            (31, "governance.audit_security", suggest_security_audit),
        ],
    )
