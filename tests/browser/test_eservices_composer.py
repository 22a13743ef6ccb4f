"""The service composer in Chromium without JavaScript: add a conditional field, edit the
workflow SLA, preview the page as a citizen, publish."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compose_preview_publish_without_javascript(browser, live_server, sign_in, province, screenshot_dir):
    from etam.eservices import demo_definitions, services
    from etam.eservices.models import ServiceVersion

    service = services.service_import(
        actor=province.admin_dpmptsp,
        agency=province.dpmptsp,
        document=demo_definitions.as_export(demo_definitions.informasi_publik()),
        publish=True,
    )
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="id-ID")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, province.admin_dpmptsp)
        page.goto(f"/staf/layanan/kelola/{service.pk}/")
        page.get_by_role("link", name="Susun layanan").click()
        page.get_by_role("button", name="Mulai versi draf baru").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="Tambah isian ke halaman 1").click()
        page.get_by_label("Jenis", exact=True).select_option("yes_no")
        page.get_by_label("Nama (kunci jawaban)").fill("Punya NPWP")  # invalid: kept, message shown
        page.get_by_label("Pertanyaan (label)", exact=True).fill("Apakah Anda memiliki NPWP?")
        page.get_by_role("button", name="Simpan").click()
        page.wait_for_load_state()
        assert page.get_by_role("alert").first.is_visible()
        assert page.get_by_label("Pertanyaan (label)", exact=True).input_value() == "Apakah Anda memiliki NPWP?"
        page.screenshot(path=str(screenshot_dir / "es-composer-1-error.png"), full_page=True)
        page.get_by_label("Nama (kunci jawaban)").fill("punya_npwp")
        page.get_by_role("button", name="Simpan").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="Tambah isian ke halaman 1").click()
        page.get_by_label("Nama (kunci jawaban)").fill("npwp")
        page.get_by_label("Pertanyaan (label)", exact=True).fill("Nomor NPWP")
        page.get_by_label("Tampilkan hanya jika isian").select_option("punya_npwp")
        page.get_by_label("bernilai salah satu dari").fill("ya")
        page.get_by_role("button", name="Simpan").click()
        page.wait_for_load_state()
        page.screenshot(path=str(screenshot_dir / "es-composer-2-overview.png"), full_page=True)
        assert "bersyarat pada punya_npwp" in page.content()
        page.get_by_role("link", name="Alur kerja (tahap, tindakan, peran, SLA)").click()
        page.locator('input[name="state-1-sla_days"]').fill("3")
        page.screenshot(path=str(screenshot_dir / "es-composer-3-workflow.png"), full_page=True)
        page.get_by_role("button", name="Simpan alur kerja").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="Pratinjau sebagai warga").click()
        assert page.get_by_text("Apakah Anda memiliki NPWP?", exact=True).is_visible()
        assert page.get_by_label("Nomor NPWP").is_visible()
        page.screenshot(path=str(screenshot_dir / "es-composer-4-preview.png"), full_page=True)
        page.get_by_role("link", name="Kembali ke penyusun").click()
        page.get_by_role("button", name="Terbitkan versi 2").click()
        page.wait_for_load_state()
        service.refresh_from_db()
        version = service.published_version
        assert version.number == 2 and version.status == ServiceVersion.Status.PUBLISHED
        names = [f["name"] for f in version.form["pages"][0]["fields"]]
        assert names[-2:] == ["punya_npwp", "npwp"]
        assert version.form["pages"][0]["fields"][-1]["visible_if"] == {"field": "punya_npwp", "equals": "ya"}
    finally:
        context.close()
