"""End to end: a citizen applies (with and without JavaScript), an officer takes the case
to approval, the citizen downloads the signed PDF, which verifies offline and online."""

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
    for action in ("Mulai verifikasi", "Berkas lengkap, ajukan persetujuan", "Setujui dan terbitkan dokumen"):
        page.get_by_role("button", name=action).click()
        page.wait_for_load_state()
    assert "Selesai" in page.content()


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


def _worker_runs() -> None:
    """What `manage.py db_worker` does for the document task enqueued after approval."""
    from etam.eservices import documents
    from etam.eservices.models import IssuedDocument

    for document in IssuedDocument.objects.filter(status=IssuedDocument.Status.PENDING):
        documents.generate(document.pk)


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
    assert "Sah" in page.content() and issued.number in page.content()


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_apply_approve_download(browser, live_server, sign_in, province, screenshot_dir, tmp_path, javascript):
    service = _publish(province)
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
        _in_thread(_worker_runs)
        _download_and_verify(citizen, number, tmp_path)
    finally:
        context.close()
        officer_context.close()
