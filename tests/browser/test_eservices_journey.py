"""End to end: a citizen applies (with and without JavaScript), an officer takes the case
to approval, the signing official approves and signs with their passphrase (a wrong one
first), the citizen downloads the signed PDF, which verifies offline and online; a visitor
verifies by the QR link and by uploading the file (and a changed file is called changed)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _publish(province):
    from etam.eservices import demo_definitions, services

    return services.service_import(
        actor=province.admin_dpmptsp,
        agency=province.dpmptsp,
        document=demo_definitions.as_export(demo_definitions.informasi_publik()),
        publish=True,
    )


def _choose_region(page, level: str, javascript: bool) -> None:
    select = page.locator(f'select[name="alamat__{level}"]')
    select.select_option(index=1)
    if not javascript and level != "desa_kelurahan":
        page.get_by_role("button", name="Tampilkan pilihan berikutnya").click()
        page.wait_for_load_state()


def _citizen_applies(page, service, javascript: bool, screenshot_dir) -> str:
    page.goto("/layanan/")
    page.get_by_role("link", name=service.name).click()
    assert page.get_by_role("heading", level=2, name="Persyaratan").is_visible()
    page.get_by_role("link", name="Ajukan sekarang").click()
    page.wait_for_url("**/ajukan/1/")
    # A wrong NIK first: the page comes back with the message and what was typed.
    page.get_by_label("Nama lengkap").fill("Siti Rahmawati")
    page.get_by_label("NIK", exact=True).fill("123")
    page.get_by_role("button", name="Simpan dan lanjut", exact=True).click()
    assert page.get_by_role("alert").is_visible()
    assert "16 digit" in page.content()
    assert page.get_by_label("Nama lengkap").input_value() == "Siti Rahmawati"
    page.get_by_label("NIK", exact=True).fill("6472015708900001")
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.locator('select[name="alamat__kabupaten_kota"]').select_option("64.72")
    if not javascript:
        page.get_by_role("button", name="Tampilkan pilihan berikutnya").click()
        page.wait_for_load_state()
        assert page.get_by_label("Nama lengkap").input_value() == "Siti Rahmawati"  # kept across the step
    else:
        page.wait_for_function("() => document.querySelector('select[name=alamat__kecamatan]').options.length > 1")
    page.locator('select[name="alamat__kecamatan"]').select_option("64.72.01")
    if not javascript:
        page.get_by_role("button", name="Tampilkan pilihan berikutnya").click()
        page.wait_for_load_state()
    else:
        page.wait_for_function("() => document.querySelector('select[name=alamat__desa_kelurahan]').options.length > 1")
    page.locator('select[name="alamat__desa_kelurahan"]').select_option(index=1)
    page.get_by_label("Jalan, nomor, RT/RW").fill("Jl. Gajah Mada No. 1")
    page.get_by_role("button", name="Simpan dan lanjut", exact=True).click()
    page.wait_for_load_state()
    assert "/ajukan/2/" in page.url, page.locator("main").inner_text()
    page.get_by_label("Rincian informasi").fill("Realisasi anggaran 2025")
    page.get_by_label("Tujuan penggunaan informasi").fill("Penelitian")
    page.get_by_label("Salinan elektronik").check()
    page.get_by_role("button", name="Simpan dan lanjut", exact=True).click()
    page.wait_for_load_state()
    assert "/periksa/" in page.url, page.locator("main").inner_text()
    page.screenshot(path=str(screenshot_dir / f"eservices-review-{'js' if javascript else 'nojs'}.png"), full_page=True)
    page.get_by_role("button", name="Kirim permohonan").click()
    page.wait_for_load_state()
    assert "/tanda-terima/" in page.url, page.locator("main").inner_text()
    number = page.locator("dd.secret").first.inner_text().strip()
    assert number.startswith("64-DPMPTSP-")
    return number


def _officer_processes(page, number: str) -> None:
    page.goto("/staf/layanan/kotak-masuk/")
    page.get_by_role("link", name=number).click()
    for action in ("Mulai verifikasi", "Berkas lengkap, ajukan persetujuan"):
        page.get_by_role("button", name=action).click()
        page.wait_for_load_state()
    from tests.conftest import OFFICIAL_PASSPHRASE

    # The signing official: a wrong passphrase is refused in plain words, nothing changes.
    page.get_by_label("Passphrase tanda tangan elektronik (BSrE)").fill("bukan-ini")
    page.get_by_role("button", name="Setujui dan terbitkan dokumen").click()
    page.wait_for_load_state()
    assert "passphrase salah" in page.locator(".errsum").inner_text()
    from etam.eservices.models import Application, IssuedDocument

    assert Application.objects.get(tracking_number=number).state == "persetujuan"
    assert not IssuedDocument.objects.filter(application__tracking_number=number).exists()
    page.get_by_label("Passphrase tanda tangan elektronik (BSrE)").fill(OFFICIAL_PASSPHRASE)
    page.get_by_role("button", name="Setujui dan terbitkan dokumen").click()
    page.wait_for_load_state()
    assert "Selesai" in page.content()
    assert "Perlu ditandatangani" not in page.locator(".msg").all_inner_texts()


def _in_thread(fn, *args):
    """pyHanko runs its own event loop; Playwright's sync API holds one in this thread
    (a real worker is another process anyway)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            return fn(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=120)


def _download_and_verify(page, number: str, tmp_path) -> None:
    from etam.eservices import documents
    from etam.eservices.models import IssuedDocument

    page.goto(f"/permohonan/{number}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh dokumen").click()
    target = tmp_path / "dokumen.pdf"
    info.value.save_as(target)
    pdf = target.read_bytes()
    assert _in_thread(lambda: documents.verify_pdf(pdf, documents.trust_roots()).valid)
    issued = IssuedDocument.objects.get(application__tracking_number=number)
    keys = {k["kid"]: documents.unb64url(k["x"]) for k in documents.public_keys() if k["purpose"] == "qr"}
    check = documents.verify_payload(issued.qr_payload, keys)  # offline: only the published keys
    assert check.valid and documents.content_matches(pdf, check.fields)
    page.goto(f"/v/{issued.code}")
    assert "Asli:" in page.content() and issued.number in page.content()
    return pdf, issued


def _visitor_verifies(browser, live_server, pdf: bytes, issued, tmp_path, screenshot_dir) -> None:
    """Someone shown the paper scans the QR (a link with the payload in the fragment) and
    someone given the file uploads it: both read the verdict in plain Indonesian."""
    context = browser.new_context(base_url=live_server.url, locale="id-ID")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"/v/{issued.code}#{issued.qr_payload}")
        verdict = page.get_by_role("status").inner_text()
        assert verdict.startswith("Asli:") and "Admin DPMPTSP" in verdict and "198001012005011001" in verdict
        page.screenshot(path=str(screenshot_dir / "eservices-verify-qr.png"), full_page=True)
        good = tmp_path / "asli.pdf"
        good.write_bytes(pdf)
        page.goto("/v/periksa/")
        page.get_by_label("Berkas PDF").set_input_files(str(good))
        page.get_by_role("button", name="Periksa").click()
        page.wait_for_load_state()
        assert page.get_by_role("status").inner_text().startswith("Asli:")
        page.screenshot(path=str(screenshot_dir / "eservices-verify-upload.png"), full_page=True)
        changed = bytearray(pdf)
        changed[len(pdf) // 2] ^= 0x01
        bad = tmp_path / "ubah.pdf"
        bad.write_bytes(bytes(changed))
        page.goto("/v/periksa/")
        page.get_by_label("Berkas PDF").set_input_files(str(bad))
        page.get_by_role("button", name="Periksa").click()
        page.wait_for_load_state()
        assert page.get_by_role("status").inner_text().startswith("Berubah:")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_apply_approve_download(browser, live_server, sign_in, province, screenshot_dir, tmp_path, javascript):
    from tests.conftest import make_signatory
    from tests.eservices.conftest import enrol_official

    service = _publish(province)
    make_signatory(province.admin_dpmptsp, province.dpmptsp)
    enrol_official()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, locale="id-ID")
    officer_context = browser.new_context(base_url=live_server.url, locale="id-ID")
    try:
        citizen = context.new_page()
        citizen.set_default_timeout(15_000)
        sign_in(citizen, province.citizen)
        number = _citizen_applies(citizen, service, javascript, screenshot_dir)
        officer = officer_context.new_page()
        officer.set_default_timeout(15_000)
        sign_in(officer, province.admin_dpmptsp)
        _officer_processes(officer, number)
        pdf, issued = _download_and_verify(citizen, number, tmp_path)
        if javascript:
            _visitor_verifies(browser, live_server, pdf, issued, tmp_path, screenshot_dir)
    finally:
        context.close()
        officer_context.close()
