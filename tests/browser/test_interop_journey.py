"""Issue 16, "Done when": a provider registers a service, a consumer applies, the provider
approves, the consumer calls through the gateway, both see the exchange in their logs."""

from __future__ import annotations

import re

import pytest

from etam.interop import services
from etam.interop.models import Exchange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_provider_and_consumer_through_the_node(page, page_nojs, sign_in, live_server, province, screenshot_dir):
    # The super admin put Etam itself on the gateway's allowlist (loopback: the live server).
    host = services.host_register(actor=province.superadmin, base_url=live_server.url, allow_private_address=True)
    consumer = services.consumer_register(
        actor=province.admin_dpmptsp,
        agency=province.dpmptsp,
        name="SiCantik DPMPTSP",
        kind="aplikasi_opd",
        contact_name="Admin SiCantik",
        contact_email="sicantik@example.id",
    )

    provider = page
    sign_in(provider, province.admin_diskominfo)
    provider.goto("/staf/interop/layanan/baru/")
    provider.get_by_label("Kode").fill("daftar-opd")
    provider.get_by_label(re.compile(r"^Nama:?$")).fill("Daftar OPD Kaltim")
    provider.get_by_label("Host penyedia").select_option(str(host.pk))
    provider.get_by_label("Path di penyedia").fill("/api/v1/organisations/opd")
    provider.get_by_label("Kelas akses").select_option("terbatas")
    provider.get_by_label("Status").select_option("aktif")
    provider.get_by_label("Nama kontak pemilik").fill("Aptika Diskominfo")
    provider.get_by_label("Email kontak pemilik").fill("aptika@example.id")
    provider.get_by_role("button", name="Simpan").click()
    assert provider.get_by_role("heading", level=1).inner_text() == "Daftar OPD Kaltim"

    # The consumer's admin, JavaScript off: a key, then the application for an agreement.
    applicant = page_nojs
    sign_in(applicant, province.admin_dpmptsp)
    applicant.goto(f"/staf/interop/konsumen/{consumer.pk}/")
    applicant.get_by_role("button", name="Terbitkan kunci baru").click()
    key = applicant.locator("#new-key").inner_text()
    assert key.startswith("etamx_")
    applicant.get_by_label("Layanan").select_option(label="Daftar OPD Kaltim")
    applicant.get_by_label("Tujuan").fill("Menampilkan nama OPD di SiCantik")
    applicant.get_by_role("button", name="Ajukan", exact=True).click()
    assert "Diajukan" in applicant.locator("main").inner_text()

    refused = applicant.request.get("/api/v1/interop/gateway/daftar-opd", headers={"X-Consumer-Key": key})
    assert refused.status == 403

    provider.goto("/staf/interop/layanan/")
    provider.get_by_role("link", name="SiCantik DPMPTSP → Daftar OPD Kaltim").click()
    provider.get_by_label("Setujui").check()
    provider.get_by_label("Alasan").fill("Data publik, untuk layanan perizinan")
    provider.get_by_role("button", name="Putuskan").click()
    assert "Disetujui" in provider.locator("main").inner_text()
    provider.screenshot(path=str(screenshot_dir / "interop-provider-agreement.png"), full_page=True)

    answer = applicant.request.get("/api/v1/interop/gateway/daftar-opd", headers={"X-Consumer-Key": key})
    assert answer.status == 200
    exchange_id = answer.headers["x-etam-exchange-id"]
    assert Exchange.objects.filter(exchange_id=exchange_id, outcome="ok").exists()

    for side in (provider, applicant):
        side.goto("/staf/interop/log/")
        rows = side.locator("tbody tr")
        assert rows.filter(has_text="daftar-opd").filter(has_text="ok").count() == 1
        assert rows.filter(has_text="no_agreement").count() == 1  # the refused call is logged too
    applicant.screenshot(path=str(screenshot_dir / "interop-consumer-log.png"), full_page=True)
