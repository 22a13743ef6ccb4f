"""Seams: evaluation suggestions for indicators 21, 22, 28–31 and the Satu Data counts by status."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from etam.governance import feeds, services
from tests.governance.conftest import file_proposal, make_risk

pytestmark = pytest.mark.django_db


def test_registered_when_the_other_modules_are_installed():
    from etam.evaluation.registry import registered_rules
    from etam.opendata.registry import SYSTEM_DATASETS

    assert "manajemen-spbe-status" in SYSTEM_DATASETS
    numbers = {r.indicator_number for r in registered_rules() if r.code.startswith("governance.")}
    assert numbers == {21, 22, 28, 29, 30, 31}


def _risk(province, apps):
    return make_risk(
        province,
        apps,
        title="Server tunggal",
        category="infrastruktur",
        impact_area="operasional_aset_tik",
        causes="a",
        consequences="b",
        impact=4,
    )


def test_risk_management_suggestion_climbs_with_context_treatment_and_monitoring(province, apps_kaltim):
    evaluation = SimpleNamespace(institution_id=province.kaltim.pk, period="2026")
    assert feeds.suggest_risk_management(evaluation, None) is None
    risk = _risk(province, apps_kaltim)
    assert feeds.suggest_risk_management(evaluation, None).level == 1
    services.risk_context_save(
        actor=province.coordinator_kaltim,
        institution=province.kaltim,
        year=2026,
        data={"appetite": 8, "appetite_statement": "Sampai Rendah"},
    )
    services.treatment_add(
        actor=province.admin_dpmptsp,
        risk=risk,
        action="Cadangan",
        owner=province.admin_dpmptsp,
        due_on=date(2026, 12, 31),
    )
    assert feeds.suggest_risk_management(evaluation, None).level == 2
    services.monitoring_record(
        actor=province.admin_dpmptsp,
        risk=risk,
        data={"period": date(2026, 12, 1), "likelihood": 2, "impact": 4, "note": "turun"},
    )
    proposal = feeds.suggest_risk_management(evaluation, None)
    assert proposal.level == 3 and "1 risiko" in proposal.rationale


def test_security_service_desk_and_audit_suggestions(province, apps_kaltim):
    evaluation = SimpleNamespace(institution_id=province.kaltim.pk, period=str(timezone.localdate().year))
    app = apps_kaltim["perizinan"]
    for area in ("autentikasi", "sesi", "kontrol_akses", "validasi_input", "kriptografi"):
        services.control_set(
            actor=province.admin_dpmptsp, application=app, area=area, status="terpenuhi", evidence="ok"
        )
    assert feeds.suggest_information_security(evaluation, None).level == 3
    services.incident_report(
        actor=province.admin_dpmptsp,
        agency=province.dpmptsp,
        data={
            "title": "x",
            "description": "y",
            "severity": "rendah",
            "application": app,
            "detected_at": datetime(2026, 1, 5, tzinfo=UTC),
        },
    )
    assert feeds.suggest_information_security(evaluation, None).level == 2
    req = services.request_file(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, kind="hosting", title="VM", description="VM"
    )
    services.request_close(actor=province.coordinator_kaltim, request=req, status="selesai", note="siap")
    assert feeds.suggest_service_desk(evaluation, None).level == 3
    assert feeds.suggest_application_audit(evaluation, None) is None
    engagement = services.audit_create(
        actor=province.coordinator_kaltim,
        institution=province.kaltim,
        data={"title": "Audit", "year": int(evaluation.period), "scope": "Audit aplikasi", "auditor": "Inspektorat"},
    )
    assert feeds.suggest_application_audit(evaluation, None).level == 1
    services.audit_advance(actor=province.coordinator_kaltim, engagement=engagement)
    services.audit_advance(actor=province.coordinator_kaltim, engagement=engagement)
    services.audit_advance(actor=province.coordinator_kaltim, engagement=engagement, report_summary="Tanpa temuan")
    assert feeds.suggest_application_audit(evaluation, None).level == 2
    assert feeds.suggest_security_audit(evaluation, None) is None


def test_satu_data_rows_are_counts_by_status_only(province, apps_kaltim):
    file_proposal(province)
    _risk(province, apps_kaltim)
    rows = list(feeds.status_count_rows())
    assert ("64", "permohonan_layanan", "diajukan", 1) in rows
    assert ("64", "risiko", "terbuka", 1) in rows
    assert all(len(row) == 4 for row in rows)
    assert not any("Server tunggal" in str(value) for row in rows for value in row)
