"""Service desk and the new-application gate: duplicate flag with its explanation, mapping,
decisions with reasons, approve → inventory entry in status rencana."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from etam.core.models import AuditEvent
from etam.governance import services
from etam.governance.models import ApplicationProposal, Decision, RequestStatus, ServiceRequest
from etam.inventory.models import Application
from tests.governance.conftest import NEEDS, file_proposal

pytestmark = pytest.mark.django_db


def test_proposal_duplicating_an_app_is_flagged_with_the_explanation(province, apps_kaltim):
    req = file_proposal(province)
    proposal = req.proposal
    assert proposal.duplicate_checked_at is not None
    names = [m["name"] for m in proposal.duplicate_matches]
    assert "Sistem Perizinan Online Terpadu" in names
    match = next(m for m in proposal.duplicate_matches if m["name"] == "Sistem Perizinan Online Terpadu")
    assert match["application_id"] == apps_kaltim["perizinan"].pk
    kinds = {r["kind"] for r in match["reasons"]}
    assert "purpose" in kinds and "business_process" in kinds
    purpose = next(r for r in match["reasons"] if r["kind"] == "purpose")
    assert "perizinan" in purpose["terms"] or "izin" in purpose["terms"]
    assert "Pemprov Kaltim" in match["owner"]


def test_unrelated_proposal_is_not_flagged(province, apps_kaltim):
    req = file_proposal(
        province,
        name="Pemantauan Kualitas Udara",
        purpose="Sensor kualitas udara dan peringatan kabut asap kebakaran hutan",
        business_process_code="",
    )
    assert req.proposal.duplicate_matches == []


def test_sla_in_working_days_skips_the_weekend(province, apps_kaltim, monkeypatch):
    from etam.governance.services import desk

    monkeypatch.setattr(desk.timezone, "localdate", lambda: date(2026, 12, 4))  # a Friday
    req = services.request_file(
        actor=province.admin_dpmptsp,
        agency=province.dpmptsp,
        kind="domain",
        title="Subdomain perizinan",
        description="perizinan.kaltimprov.go.id",
    )
    assert req.sla_days == 3
    assert req.due_on == date(2026, 12, 9)  # Mon, Tue, Wed


@pytest.mark.parametrize(
    "missing", ["name", "purpose", "legal_basis", "problem", "scope", "cost_benefit", "initial_risk"]
)
def test_proposal_without_its_needs_analysis_is_refused_naming_the_field(province, apps_kaltim, missing):
    with pytest.raises(ValidationError) as exc:
        file_proposal(province, **{missing: "  "})
    assert missing in exc.value.message_dict
    assert ServiceRequest.objects.count() == 0
    assert not AuditEvent.objects.filter(action="governance.request_file").exists()


def test_approve_creates_the_planned_inventory_entry(province, apps_kaltim):
    req = file_proposal(province)
    decided = services.proposal_decide(
        actor=province.coordinator_kaltim,
        proposal=req.proposal,
        decision=Decision.APPROVE,
        reason="Cakupan berbeda: izin provinsi; SIPOT akan diintegrasikan",
    )
    app = Application.objects.get(pk=decided.created_application_id)
    assert app.lifecycle == "rencana"
    assert app.agency == province.dpmptsp
    assert app.name == NEEDS["name"]
    assert app.raa_code == "02.01"
    req.refresh_from_db()
    assert req.status == RequestStatus.DONE
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "governance.proposal_decide" in actions and "inventory.application_create" in actions


def test_decision_without_reasons_is_refused_and_nothing_saved(province, apps_kaltim):
    req = file_proposal(province)
    apps_before = Application.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.proposal_decide(
            actor=province.coordinator_kaltim, proposal=req.proposal, decision=Decision.APPROVE, reason=" "
        )
    assert "reason" in exc.value.message_dict
    assert Application.objects.count() == apps_before
    assert ApplicationProposal.objects.get(pk=req.proposal.pk).decision == ""


def test_reuse_needs_an_application_and_reject_closes_as_rejected(province, apps_kaltim):
    req = file_proposal(province)
    with pytest.raises(ValidationError) as exc:
        services.proposal_decide(
            actor=province.coordinator_kaltim, proposal=req.proposal, decision=Decision.REUSE, reason="Pakai SIPOT"
        )
    assert "reuse_application" in exc.value.message_dict
    services.proposal_decide(
        actor=province.coordinator_kaltim,
        proposal=req.proposal,
        decision=Decision.REUSE,
        reason="Pakai SIPOT",
        reuse_application_id=apps_kaltim["perizinan"].pk,
    )
    other = file_proposal(province)
    services.proposal_decide(
        actor=province.coordinator_kaltim, proposal=other.proposal, decision=Decision.REJECT, reason="Tidak perlu"
    )
    other.refresh_from_db()
    assert other.status == RequestStatus.REJECTED
    with pytest.raises(ValidationError) as exc:
        services.proposal_decide(
            actor=province.coordinator_kaltim, proposal=other.proposal, decision=Decision.APPROVE, reason="x"
        )
    assert "decision" in exc.value.message_dict


def test_mapping_checks_the_reference_architecture(province, apps_kaltim):
    req = file_proposal(province, raa_code="")
    with pytest.raises(ValidationError) as exc:
        services.proposal_decide(
            actor=province.coordinator_kaltim, proposal=req.proposal, decision=Decision.APPROVE, reason="ok"
        )
    assert "raa_code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.proposal_map(
            actor=province.coordinator_kaltim, proposal=req.proposal, raa_code="02.01", business_process_code="99.99"
        )
    assert "business_process_code" in exc.value.message_dict
    mapped = services.proposal_map(
        actor=province.coordinator_kaltim, proposal=req.proposal, raa_code="02.01", business_process_code="02.05.01"
    )
    assert mapped.raa_code == "02.01" and mapped.duplicate_matches


def test_an_opd_may_not_decide_nor_file_for_another_opd(province, apps_kaltim):
    req = file_proposal(province)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.proposal_decide(
            actor=province.admin_dpmptsp, proposal=req.proposal, decision=Decision.APPROVE, reason="sendiri"
        )
    with pytest.raises(PermissionDenied):
        services.proposal_decide(
            actor=province.admin_samarinda, proposal=req.proposal, decision=Decision.REJECT, reason="lain"
        )
    with pytest.raises(PermissionDenied):
        services.request_file(
            actor=province.admin_dpmptsp,
            agency=province.disdikbud,
            kind="hosting",
            title="x",
            description="y",
        )
    with pytest.raises(PermissionDenied):
        services.request_comment(actor=province.officer_dpmptsp, request=req, body="komentar")
    assert AuditEvent.objects.count() == events
    assert ServiceRequest.objects.count() == 1
    assert ApplicationProposal.objects.get(pk=req.proposal.pk).decision == ""


def test_assign_comment_attach_and_close(province, apps_kaltim):
    req = services.request_file(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, kind="hosting", title="Hosting", description="VM"
    )
    with pytest.raises(ValidationError) as exc:
        services.request_assign(actor=province.coordinator_kaltim, request=req, assignee=province.admin_dpmptsp)
    assert "assignee" in exc.value.message_dict
    services.request_assign(actor=province.coordinator_kaltim, request=req, assignee=province.admin_kaltim)
    services.request_comment(actor=province.admin_dpmptsp, request=req, body="Butuh 4 vCPU")
    pdf = SimpleUploadedFile("spek.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf")
    stored = services.request_attach(actor=province.admin_dpmptsp, request=req, upload=pdf)
    assert stored.kind == "pdf"
    bad = SimpleUploadedFile("x.pdf", b"MZ not a pdf", "application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.request_attach(actor=province.admin_dpmptsp, request=req, upload=bad)
    assert "file" in exc.value.message_dict
    closed = services.request_close(actor=province.admin_kaltim, request=req, status="selesai", note="VM siap")
    assert closed.status == RequestStatus.DONE and closed.closed_at
