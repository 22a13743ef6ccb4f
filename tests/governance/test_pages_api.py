"""Staff pages and the API: scoped like everything else, bad input answered naming the field."""

from __future__ import annotations

import json

import pytest

from etam.core.models import AuditEvent
from etam.governance.models import Risk, ServiceRequest
from etam.inventory.models import Application
from tests.governance.conftest import NEEDS, file_proposal, make_risk
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_opd_files_a_proposal_through_the_page_and_diskominfo_decides(province, apps_kaltim):
    opd = client_for(province.admin_dpmptsp)
    form = {"agency": province.dpmptsp.pk, "kind": "aplikasi_baru", "title": "Usulan", "description": "Uraian", **NEEDS}
    form["legal_basis"] = ""
    response = opd.post("/staf/tata-kelola/layanan/baru/", form)
    assert response.status_code == 200
    assert "Dasar hukum" in response.content.decode()
    assert NEEDS["problem"] in response.content.decode()  # nothing typed is lost
    assert ServiceRequest.objects.count() == 0
    form["legal_basis"] = NEEDS["legal_basis"]
    response = opd.post("/staf/tata-kelola/layanan/baru/", form)
    req = ServiceRequest.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/layanan/{req.pk}/")
    page = client_for(province.coordinator_kaltim).get(response.url).content.decode()
    assert "Sistem Perizinan Online Terpadu" in page and 'id="duplicate-flag"' in page
    coordinator = client_for(province.coordinator_kaltim)
    response = coordinator.post(f"/staf/tata-kelola/layanan/{req.pk}/keputusan/", {"decision": "setujui", "reason": ""})
    assert response.status_code == 400 and "Alasan" in response.content.decode()
    response = coordinator.post(
        f"/staf/tata-kelola/layanan/{req.pk}/keputusan/", {"decision": "setujui", "reason": "Cakupan provinsi"}
    )
    assert response.status_code == 302
    assert Application.objects.filter(lifecycle="rencana", name=NEEDS["name"]).exists()


def test_pages_are_scoped(province, apps_kaltim):
    req = file_proposal(province)
    risk = make_risk(
        province,
        apps_kaltim,
        title="Server tunggal",
        category="infrastruktur",
        impact_area="operasional_aset_tik",
        asset_kind="infrastruktur",
        application=None,
        data_centre=apps_kaltim["dc"],
        causes="a",
        consequences="b",
        likelihood=5,
        impact=5,
    )
    for url in (
        "/staf/tata-kelola/layanan/",
        "/staf/tata-kelola/risiko/",
        "/staf/tata-kelola/keamanan/",
        "/staf/tata-kelola/audit/",
        "/staf/tata-kelola/data-pribadi/",
        f"/staf/tata-kelola/layanan/{req.pk}/",
        f"/staf/tata-kelola/risiko/{risk.pk}/",
    ):
        assert client_for(province.admin_dpmptsp).get(url).status_code == 200, url
    risk_page = client_for(province.coordinator_kaltim).get("/staf/tata-kelola/risiko/").content.decode()
    assert "<svg" in risk_page and "Server tunggal" in risk_page
    other = client_for(province.admin_diskominfo)
    assert other.get(f"/staf/tata-kelola/layanan/{req.pk}/").status_code == 404
    assert other.get(f"/staf/tata-kelola/risiko/{risk.pk}/").status_code == 404
    assert "Server tunggal" not in other.get("/staf/tata-kelola/risiko/").content.decode()
    assert client_for(province.admin_samarinda).get(f"/staf/tata-kelola/risiko/{risk.pk}/").status_code == 404
    assert client_for(province.citizen).get("/staf/tata-kelola/risiko/").status_code == 403


def test_forms_refuse_other_opds_and_post_only_handlers(province, apps_kaltim):
    req = file_proposal(province)
    events = AuditEvent.objects.count()
    opd = client_for(province.admin_dpmptsp)
    assert (
        opd.post(f"/staf/tata-kelola/layanan/{req.pk}/keputusan/", {"decision": "setujui", "reason": "x"}).status_code
        == 403
    )
    other = client_for(province.admin_diskominfo)
    assert other.post(f"/staf/tata-kelola/layanan/{req.pk}/komentar/", {"body": "hai"}).status_code == 404
    response = opd.post(
        "/staf/tata-kelola/risiko/baru/",
        {"agency": province.disdikbud.pk, "title": "x", "likelihood": "3", "impact": "3"},
    )
    assert response.status_code == 200 and Risk.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_api_scoped_and_validated(province, apps_kaltim):
    req = file_proposal(province)
    opd = client_for(province.admin_dpmptsp)
    body = opd.get(f"/api/v1/governance/requests/{req.pk}").json()
    assert body["proposal"]["duplicate_matches"][0]["name"] == "Sistem Perizinan Online Terpadu"
    assert client_for(province.admin_diskominfo).get(f"/api/v1/governance/requests/{req.pk}").status_code == 404
    response = opd.post(
        "/api/v1/governance/requests",
        json.dumps({"agency_id": province.dpmptsp.pk, "kind": "aplikasi_baru", "title": "x", "description": "y"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "name" in json.dumps(response.json())
    response = opd.post(
        "/api/v1/governance/risks",
        json.dumps(
            {
                "agency_id": province.dpmptsp.pk,
                "title": "Risiko",
                "category": "data",
                "impact_area": "hukum",
                "asset_kind": "dataset",
                "asset_reference": "Data pemohon izin",
                "causes": "a",
                "consequences": "b",
                "owner_id": province.admin_dpmptsp.pk,
                "likelihood": 6,
                "impact": 2,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422 and "likelihood" in json.dumps(response.json())
    assert Risk.objects.count() == 0
    decided = client_for(province.coordinator_kaltim).post(
        f"/api/v1/governance/requests/{req.pk}/decision",
        json.dumps({"decision": "tolak", "reason": "Pakai SIPOT"}),
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "ditolak"
    matrix = opd.get("/api/v1/governance/risk-matrix").json()
    assert len(matrix) == 25
    incident = opd.post(
        "/api/v1/governance/incidents",
        json.dumps(
            {
                "agency_id": province.dpmptsp.pk,
                "title": "Insiden",
                "description": "d",
                "severity": "rendah",
                "application_id": apps_kaltim["sekolah"].pk,
                "detected_at": "2026-11-27T16:30:00Z",
            }
        ),
        content_type="application/json",
    )
    assert incident.status_code == 422  # Disdikbud's application is not DPMPTSP's


def test_api_refuses_a_null_character_naming_the_field(province, apps_kaltim):
    response = client_for(province.admin_dpmptsp).post(
        "/api/v1/governance/requests",
        json.dumps({"agency_id": province.dpmptsp.pk, "kind": "hosting", "title": "VM\u0000", "description": "y"}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "title" in json.dumps(response.json())
    assert ServiceRequest.objects.count() == 0


def test_dashboard_card_counts_open_requests_and_pending_proposals(province, apps_kaltim):
    file_proposal(province)
    page = client_for(province.coordinator_kaltim).get("/staf/").content.decode()
    assert "1 usulan aplikasi menunggu keputusan" in page
    assert "1 permohonan terbuka" in page
