"""SPBE management tried as its users would (issue 18, "Done when").

- An OPD admin proposes a new application with its needs analysis; Diskominfo (the koordinator
  SPBE) opens it, sees the duplicate flag with the explanation, and decides with reasons.
- A risk is recorded on the OPD's application, gets its level from the matrix, and is treated.
"""

from __future__ import annotations

import pytest

from etam.governance.models import ApplicationProposal, Risk
from etam.inventory.models import Application
from tests.governance.conftest import NEEDS
from tests.inventory.factories import ApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.locator(f"main [name={name}]").fill(value)


def test_opd_proposes_and_diskominfo_sees_the_duplicate_and_decides(page, sign_in, province):
    ApplicationFactory(
        agency=province.dpmptsp,
        name="Sistem Perizinan Online Terpadu",
        acronym="SIPOT",
        purpose=NEEDS["purpose"],
        business_process_code="02.05.01",
    )
    sign_in(page, province.admin_dpmptsp)
    page.goto("/staf/tata-kelola/layanan/")
    page.get_by_role("link", name="Permohonan baru").click()
    page.locator("select[name=agency]").select_option(str(province.dpmptsp.pk))
    page.locator("select[name=kind]").select_option("aplikasi_baru")
    _fill(page, {"title": "Usulan aplikasi perizinan", "description": "Usulan aplikasi baru"})
    fields = {k: v for k, v in NEEDS.items() if k != "raa_code"}
    _fill(page, {**fields, "cost_benefit": ""})
    page.locator("select[name=raa_code]").select_option("02.01")
    page.get_by_role("button", name="Simpan").click()
    # The needs analysis is incomplete: the field is named, nothing typed is lost.
    assert "Analisis biaya-manfaat: kolom ini wajib diisi." in page.locator("main").inner_text()
    assert page.locator("[name=problem]").input_value() == NEEDS["problem"]
    _fill(page, {"cost_benefit": NEEDS["cost_benefit"]})
    page.get_by_role("button", name="Simpan").click()
    assert "Permohonan diajukan." in page.locator("main").inner_text()
    url = page.url

    page.context.clear_cookies()
    sign_in(page, province.coordinator_kaltim)
    page.goto(url)
    flag = page.locator("#duplicate-flag")
    assert "Kemungkinan duplikat" in flag.inner_text()
    gate = page.locator("section[aria-labelledby=gate]")
    assert "Sistem Perizinan Online Terpadu" in gate.inner_text()
    assert "proses bisnis" in gate.inner_text() or "02.05.01" in gate.inner_text()
    page.locator("select[name=decision]").select_option("setujui")
    page.get_by_role("button", name="Simpan keputusan").click()
    assert "Alasan: kolom ini wajib diisi." in page.locator("main").inner_text()
    page.locator("select[name=decision]").select_option("setujui")
    page.locator("[name=reason]").fill("Cakupan provinsi; SIPOT akan diintegrasikan")
    page.get_by_role("button", name="Simpan keputusan").click()
    assert "Keputusan disimpan." in page.locator("main").inner_text()
    proposal = ApplicationProposal.objects.get()
    assert proposal.decision == "setujui"
    assert Application.objects.get(pk=proposal.created_application_id).lifecycle == "rencana"
    assert page.get_by_role("link", name=NEEDS["name"]).is_visible()


def test_a_risk_is_recorded_and_treated(page, sign_in, province):
    app = ApplicationFactory(agency=province.dpmptsp, name="SICANTIK Kaltim")
    sign_in(page, province.admin_dpmptsp)
    page.goto("/staf/tata-kelola/risiko/")
    assert page.locator("main svg").count() == 2  # inherent and residual heat maps
    page.get_by_role("link", name="Catat risiko").click()
    page.locator("select[name=agency]").select_option(str(province.dpmptsp.pk))
    _fill(page, {"title": "Layanan izin berhenti", "causes": "Server tunggal", "consequences": "Pemohon tak terlayani"})
    page.locator("select[name=category]").select_option("infrastruktur")
    page.locator("select[name=impact_area]").select_option("layanan_organisasi")
    page.locator("select[name=asset_kind]").select_option("aplikasi")
    page.locator("select[name=application]").select_option(str(app.pk))
    page.locator("select[name=likelihood]").select_option("4")
    page.locator("select[name=impact]").select_option("3")
    page.get_by_role("button", name="Simpan").click()
    assert "Pemilik risiko: kolom ini wajib diisi." in page.locator("main").inner_text()
    assert Risk.objects.count() == 0
    page.locator("select[name=owner]").select_option(str(province.admin_dpmptsp.pk))
    page.get_by_role("button", name="Simpan").click()
    assert "besaran 16, level 4" in page.locator("#level").inner_text()
    page.get_by_role("link", name="Tambah rencana penanganan").click()
    page.locator("[name=action]").fill("Replikasi server ke PDN")
    page.locator("select[name=owner]").select_option(str(province.admin_dpmptsp.pk))
    page.locator("[name=due_on]").fill("2027-03-31")
    page.get_by_role("button", name="Simpan").click()
    assert "Replikasi server ke PDN" in page.locator("main").inner_text()
    assert page.locator("#risk-status").inner_text() == "Ditangani"
    page.get_by_role("link", name="Catat pemantauan").click()
    page.locator("[name=period]").fill("2027-04-01")
    page.locator("select[name=likelihood]").select_option("2")
    page.locator("select[name=impact]").select_option("3")
    page.locator("[name=note]").fill("Replikasi berjalan")
    page.get_by_role("button", name="Simpan").click()
    assert "besaran 11, level 3" in page.locator("#residual").inner_text()
