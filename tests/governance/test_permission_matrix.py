"""The rest of the permission matrix: every write refuses the wrong user, changes nothing and
writes no audit event (the main flows' negative tests sit with their modules)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from etam.core.models import AuditEvent
from etam.governance import services
from etam.governance.models import (
    ApplicationProposal,
    AuditFinding,
    Monitoring,
    RequestComment,
    RequestFile,
    ServiceRequest,
    Treatment,
)
from tests.governance.conftest import file_proposal, make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(province, apps_kaltim):
    req = file_proposal(province)
    hosting = services.request_file(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, kind="hosting", title="VM", description="VM"
    )
    risk = make_risk(
        province,
        apps_kaltim,
        title="Risiko",
        category="data",
        impact_area="hukum",
        asset_kind="proses",
        application=None,
        asset_reference="Perizinan",
        causes="a",
        consequences="b",
        likelihood=3,
        impact=3,
    )
    treatment = services.treatment_add(
        actor=province.admin_dpmptsp, risk=risk, action="x", owner=province.admin_dpmptsp, due_on=date(2027, 1, 1)
    )
    engagement = services.audit_create(
        actor=province.coordinator_kaltim,
        institution=province.kaltim,
        data={"title": "Audit", "year": 2026, "scope": "aplikasi", "auditor": "Inspektorat"},
    )
    services.audit_advance(actor=province.coordinator_kaltim, engagement=engagement)
    finding = services.finding_add(
        actor=province.coordinator_kaltim,
        engagement=engagement,
        agency=province.dpmptsp,
        data={"title": "Temuan", "recommendation": "Perbaiki"},
    )
    return {
        "req": req,
        "hosting": hosting,
        "risk": risk,
        "treatment": treatment,
        "engagement": engagement,
        "finding": finding,
    }


def _pdf():
    return SimpleUploadedFile("a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf")


CALLS = {
    "request_assign": lambda p, w, actor: services.request_assign(
        actor=actor, request=w["hosting"], assignee=p.coordinator_kaltim
    ),
    "request_close": lambda p, w, actor: services.request_close(
        actor=actor, request=w["hosting"], status="selesai", note="ok"
    ),
    "request_comment": lambda p, w, actor: services.request_comment(actor=actor, request=w["hosting"], body="hai"),
    "request_attach": lambda p, w, actor: services.request_attach(actor=actor, request=w["hosting"], upload=_pdf()),
    "proposal_map": lambda p, w, actor: services.proposal_map(
        actor=actor, proposal=w["req"].proposal, raa_code="02.02", business_process_code=""
    ),
    "proposal_decide": lambda p, w, actor: services.proposal_decide(
        actor=actor, proposal=w["req"].proposal, decision="tolak", reason="x"
    ),
    "treatment_set_status": lambda p, w, actor: services.treatment_set_status(
        actor=actor, treatment=w["treatment"], status="selesai"
    ),
    "monitoring_record": lambda p, w, actor: services.monitoring_record(
        actor=actor, risk=w["risk"], data={"period": date(2026, 12, 1), "likelihood": 1, "impact": 1, "note": "x"}
    ),
    "finding_add": lambda p, w, actor: services.finding_add(
        actor=actor, engagement=w["engagement"], agency=p.dpmptsp, data={"title": "x", "recommendation": "y"}
    ),
    "finding_follow_up": lambda p, w, actor: services.finding_follow_up(
        actor=actor, finding=w["finding"], follow_up="selesai", note="x"
    ),
    "incident_report": lambda p, w, actor: services.incident_report(
        actor=actor,
        agency=p.dpmptsp,
        data={
            "title": "x",
            "description": "y",
            "severity": "rendah",
            "application": None,
            "data_centre": None,
            "detected_at": datetime(2026, 1, 1, tzinfo=UTC),
        },
    ),
}
# Who must be refused for each write (OPD officer, another OPD's admin, another instansi, citizen...).
REFUSED = {
    "request_assign": ["officer_dpmptsp", "admin_dpmptsp", "admin_samarinda", "assessor_kaltim"],
    "request_close": ["officer_dpmptsp", "admin_dpmptsp", "admin_samarinda"],
    "request_comment": ["officer_dpmptsp", "admin_diskominfo", "admin_samarinda", "citizen"],
    "request_attach": ["officer_dpmptsp", "admin_diskominfo", "admin_samarinda", "citizen"],
    "proposal_map": ["admin_dpmptsp", "admin_diskominfo", "admin_samarinda", "steward_kaltim"],
    "proposal_decide": ["admin_dpmptsp", "admin_diskominfo", "admin_samarinda", "assessor_kaltim"],
    "treatment_set_status": ["officer_dpmptsp", "admin_diskominfo", "admin_samarinda"],
    "monitoring_record": ["officer_dpmptsp", "admin_diskominfo", "admin_samarinda"],
    "finding_add": ["admin_dpmptsp", "admin_samarinda", "assessor_kaltim"],
    "finding_follow_up": ["officer_dpmptsp", "admin_diskominfo", "admin_samarinda"],
    "incident_report": ["officer_dpmptsp", "admin_diskominfo", "admin_samarinda", "citizen"],
}


def _state():
    return (
        AuditEvent.objects.count(),
        list(ServiceRequest.objects.order_by("pk").values_list("status", "assignee_id")),
        list(ApplicationProposal.objects.values_list("raa_code", "decision")),
        RequestComment.objects.count(),
        RequestFile.objects.count(),
        list(Treatment.objects.values_list("status", flat=True)),
        Monitoring.objects.count(),
        list(AuditFinding.objects.values_list("follow_up", flat=True)),
    )


@pytest.mark.parametrize(("call", "who"), [(c, w) for c, people in REFUSED.items() for w in people])
def test_refused_and_nothing_changed(province, world, call, who):
    before = _state()
    with pytest.raises(PermissionDenied):
        CALLS[call](province, world, getattr(province, who))
    assert _state() == before
