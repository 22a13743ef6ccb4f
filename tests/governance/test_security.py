"""Security checklist, incidents with the UU 27/2022 3×24-hour clock, the audit cycle, the
personal-data register: behaviour, bad input and the permission matrix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from etam.core.models import AuditEvent
from etam.governance import services
from etam.governance.models import (
    AuditEngagement,
    AuditFinding,
    DataProtectionOfficer,
    Incident,
    ProcessingActivity,
    SecurityControl,
)

pytestmark = pytest.mark.django_db


def incident_data(apps, **overrides):
    data = {
        "title": "Kebocoran data pemohon",
        "description": "Berkas pemohon terbuka tanpa login",
        "severity": "tinggi",
        "application": apps["perizinan"],
        "detected_at": datetime(2026, 11, 27, 16, 30, tzinfo=UTC),  # a Friday afternoon
        "personal_data": True,
    }
    data.update(overrides)
    return data


def test_breach_clock_runs_72_calendar_hours_through_the_weekend(province, apps_kaltim):
    incident = services.incident_report(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, data=incident_data(apps_kaltim)
    )
    # Friday 16:30 + 3 × 24 h = Monday 16:30: Saturday and Sunday count.
    assert incident.notice_due == datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    assert incident.notice_due.weekday() == 0
    assert incident.timeline.count() == 1
    no_pd = services.incident_report(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, data=incident_data(apps_kaltim, personal_data=False)
    )
    assert no_pd.notice_due is None


def test_incident_on_an_asset_of_another_opd_is_refused(province, apps_kaltim):
    for overrides, field in (
        ({"application": apps_kaltim["sekolah"]}, "application"),
        ({"application": apps_kaltim["smr"]}, "application"),
        ({"application": None, "data_centre": None}, "application"),
        ({"severity": "bencana"}, "severity"),
        ({"detected_at": datetime.now(UTC) + timedelta(days=1)}, "detected_at"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.incident_report(
                actor=province.admin_dpmptsp, agency=province.dpmptsp, data=incident_data(apps_kaltim, **overrides)
            )
        assert field in exc.value.message_dict
    assert Incident.objects.count() == 0 and not AuditEvent.objects.exists()


def test_incident_update_and_notice(province, apps_kaltim):
    incident = services.incident_report(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, data=incident_data(apps_kaltim)
    )
    with pytest.raises(ValidationError) as exc:
        services.incident_update(
            actor=province.admin_dpmptsp,
            incident=incident,
            note="Pemberitahuan",
            notified_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
    assert "notified_at" in exc.value.message_dict
    services.incident_update(
        actor=province.admin_dpmptsp,
        incident=incident,
        note="Subjek data diberi tahu",
        status="ditangani",
        notified_at=datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
    )
    incident.refresh_from_db()
    assert incident.status == "ditangani" and incident.notified_at <= incident.notice_due
    assert incident.timeline.count() == 2


def test_checklist_needs_evidence_for_a_met_control(province, apps_kaltim):
    app = apps_kaltim["perizinan"]
    with pytest.raises(ValidationError) as exc:
        services.control_set(
            actor=province.admin_dpmptsp, application=app, area="autentikasi", status="terpenuhi", evidence=""
        )
    assert "evidence" in exc.value.message_dict
    control = services.control_set(
        actor=province.admin_dpmptsp, application=app, area="autentikasi", status="terpenuhi", evidence="Kata sandi 12+"
    )
    again = services.control_set(
        actor=province.admin_dpmptsp, application=app, area="autentikasi", status="sebagian", evidence="TOTP belum"
    )
    assert again.pk == control.pk and again.status == "sebagian"


def test_audit_cycle_and_findings(province, apps_kaltim):
    engagement = services.audit_create(
        actor=province.coordinator_kaltim,
        institution=province.kaltim,
        data={
            "title": "Audit aplikasi 2026",
            "year": 2026,
            "scope": "Audit aplikasi perizinan",
            "auditor": "Inspektorat",
        },
    )
    with pytest.raises(ValidationError) as exc:
        services.finding_add(
            actor=province.coordinator_kaltim,
            engagement=engagement,
            agency=province.dpmptsp,
            data={"title": "x", "recommendation": "y"},
        )
    assert "stage" in exc.value.message_dict
    services.audit_advance(actor=province.coordinator_kaltim, engagement=engagement)
    finding = services.finding_add(
        actor=province.coordinator_kaltim,
        engagement=engagement,
        agency=province.dpmptsp,
        data={
            "title": "Tidak ada log akses",
            "recommendation": "Aktifkan log",
            "application": apps_kaltim["perizinan"],
        },
    )
    services.audit_advance(actor=province.coordinator_kaltim, engagement=engagement)
    with pytest.raises(ValidationError) as exc:
        services.audit_advance(actor=province.coordinator_kaltim, engagement=engagement)
    assert "report_summary" in exc.value.message_dict
    services.audit_advance(actor=province.coordinator_kaltim, engagement=engagement, report_summary="1 temuan")
    assert engagement.stage == "tindak_lanjut"
    services.finding_follow_up(actor=province.admin_dpmptsp, finding=finding, follow_up="selesai", note="Log aktif")
    finding.refresh_from_db()
    assert finding.follow_up == "selesai"


def test_processing_register_and_dpo(province, apps_kaltim):
    data = {
        "name": "Pendaftaran pemohon izin",
        "purpose": "Memproses permohonan izin",
        "legal_basis": "tugas_publik",
        "data_categories": "Nama, NIK, alamat",
        "recipients": "DPMPTSP",
        "retention": "5 tahun",
    }
    with pytest.raises(ValidationError) as exc:
        services.processing_save(
            actor=province.admin_dpmptsp, application=apps_kaltim["perizinan"], data={**data, "legal_basis": "suka"}
        )
    assert "legal_basis" in exc.value.message_dict
    activity = services.processing_save(actor=province.admin_dpmptsp, application=apps_kaltim["perizinan"], data=data)
    assert activity.agency == province.dpmptsp
    dpo = services.dpo_save(
        actor=province.coordinator_kaltim,
        institution=province.kaltim,
        data={"name": "Sari", "email": "ppdp@kaltimprov.go.id"},
    )
    assert dpo.institution == province.kaltim


GOVERNANCE_ROWS = (
    AuditEvent,
    SecurityControl,
    Incident,
    AuditEngagement,
    AuditFinding,
    ProcessingActivity,
    DataProtectionOfficer,
)


def _row_counts():
    return tuple(model.objects.count() for model in GOVERNANCE_ROWS)


def test_permission_matrix_refuses_and_changes_nothing(province, apps_kaltim):
    app = apps_kaltim["perizinan"]
    incident = services.incident_report(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, data=incident_data(apps_kaltim)
    )
    engagement = services.audit_create(
        actor=province.admin_kaltim,
        institution=province.kaltim,
        data={"title": "Audit", "year": 2026, "scope": "keamanan", "auditor": "Inspektorat"},
    )
    counts = _row_counts()
    outsiders = [province.officer_dpmptsp, province.admin_diskominfo, province.admin_samarinda, province.steward_kaltim]
    for actor in outsiders:
        with pytest.raises(PermissionDenied):
            services.control_set(actor=actor, application=app, area="sesi", status="belum", evidence="")
        with pytest.raises(PermissionDenied):
            services.incident_report(actor=actor, agency=province.dpmptsp, data=incident_data(apps_kaltim))
        with pytest.raises(PermissionDenied):
            services.incident_update(actor=actor, incident=incident, note="x")
        with pytest.raises(PermissionDenied):
            services.processing_save(actor=actor, application=app, data={})
    for actor in [*outsiders, province.admin_dpmptsp]:
        with pytest.raises(PermissionDenied):
            services.audit_create(actor=actor, institution=province.kaltim, data={})
        with pytest.raises(PermissionDenied):
            services.audit_advance(actor=actor, engagement=engagement)
        with pytest.raises(PermissionDenied):
            services.dpo_save(actor=actor, institution=province.kaltim, data={})
    after = _row_counts()
    assert after == counts
    incident.refresh_from_db()
    assert incident.status == "dibuka" and incident.timeline.count() == 1
    engagement.refresh_from_db()
    assert engagement.stage == "perencanaan"
