"""Satu Data tried as a new user would (issue 4, "Done when").

A produsen data creates a dataset, uploads a CSV with errors (validated by the task queue),
reads the report, uploads the corrected file, describes the columns and submits; the
walidata publishes; a visitor with JavaScript off finds the dataset, previews it, draws a
chart, sees the map and downloads the CSV.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from etam.opendata.models import Dataset, DatasetVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = (
    "kode_wilayah;kabupaten_kota;tahun;sekolah;siswa\n"
    "64.01;Kabupaten Paser;2024;312;41.250\n"
    "64.02;Kabupaten Kutai Barat;2024;298;25.610\n"
    "64.03;Kabupaten Kutai Kartanegara;2024;901;118.400\n"
    "64.71;Kota Balikpapan;2024;402;96.730\n"
    "64.72;Kota Samarinda;2024;515;131.020\n"
    "64.74;Kota Bontang;2024;128;30.115\n"
)
# Two errors: kode wilayah that Kemendagri does not know (a typo and a retired code style).
BAD = GOOD.replace("64.02;", "64.99;").replace("64.74;", "64.7;")


def _work() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)


def _shot(page, screenshot_dir, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"opendata-{name}.png"), full_page=True)


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_upload_fix_submit_publish_and_visit_without_javascript(
    browser, page, page_nojs, live_server, sign_in, province, screenshot_dir, tmp_path, settings
):
    settings.OPENDATA_INLINE_VALIDATION_BYTES = 0  # the real queue, as for a large file

    # --- Produsen data (Diskominfo Kaltim) ---------------------------------------------------
    sign_in(page, province.producer_diskominfo)
    page.goto("/staf/data/")
    page.get_by_role("link", name="Dataset baru").click()
    page.fill("main [name=title]", "Sekolah dan siswa per kabupaten/kota")
    page.fill("main [name=slug]", "sekolah-siswa")
    page.fill("main [name=description]", "Jumlah sekolah dan siswa per kabupaten/kota di Kalimantan Timur, 2024.")
    page.select_option("main [name=topic]", "pendidikan")
    page.fill("main [name=spatial_code]", "64")
    page.select_option("main [name=spatial_level]", "kabupaten_kota")
    page.fill("main [name=contact_name]", "Bidang Statistik Sektoral")
    page.fill("main [name=contact_email]", "statistik@kaltimprov.go.id")
    page.fill("main [name=tags]", "sekolah, siswa")
    page.get_by_role("button", name="Simpan").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sekolah dan siswa per kabupaten/kota"
    _shot(page, screenshot_dir, "1-dataset")

    page.get_by_role("link", name="Unggah data").first.click()
    bad = tmp_path / "sekolah.csv"
    bad.write_text(BAD, encoding="utf-8")
    page.set_input_files("main [name=file]", str(bad))
    page.get_by_role("button", name="Simpan").click()
    status = page.get_by_role("status")
    assert "menunggu dalam antrean" in status.inner_text()
    _shot(page, screenshot_dir, "2-queued")
    _work()
    page.reload()
    main = page.get_by_role("main")
    assert "2 galat" in main.inner_text()
    report = main.get_by_role("row").filter(has_text="64.99")
    assert "kode_wilayah" in report.inner_text() and "Kemendagri" in report.inner_text()
    assert main.get_by_role("row").filter(has_text="64.7").count() >= 1
    assert main.get_by_role("button", name="Ajukan ke walidata").count() == 0
    _no_horizontal_scroll(page)
    _shot(page, screenshot_dir, "3-errors")

    good = tmp_path / "sekolah-benar.csv"
    good.write_text(GOOD, encoding="utf-8")
    page.get_by_role("link", name="Unggah berkas yang sudah diperbaiki").click()
    page.set_input_files("main [name=file]", str(good))
    page.fill("main [name=change_note]", "Kode wilayah dan angka siswa diperbaiki")
    page.get_by_role("button", name="Simpan").click()
    _work()
    page.reload()
    assert "6 baris diperiksa" in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="Perbaiki tipe dan jelaskan kolom").click()
    definitions = {
        "kode_wilayah": "Kode wilayah Kemendagri kabupaten/kota",
        "kabupaten_kota": "Nama kabupaten/kota",
        "tahun": "Tahun data",
        "sekolah": "Jumlah satuan pendidikan",
        "siswa": "Jumlah peserta didik",
    }
    for i, text in enumerate(definitions.values()):
        page.fill(f"main [name=form-{i}-definition]", text)
    page.fill("main [name=form-4-unit]", "orang")
    page.fill("main [name=form-4-time_reference]", "Semester genap 2023/2024")
    _shot(page, screenshot_dir, "4-columns")
    page.get_by_role("button", name="Simpan dan validasi").click()
    _work()
    page.reload()
    assert "6 baris diperiksa" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Ajukan ke walidata").click()
    assert "Diajukan" in page.get_by_role("main").inner_text()
    version = DatasetVersion.objects.get(dataset__slug="sekolah-siswa")
    assert version.status == "submitted" and version.row_count == 6

    # --- Walidata ------------------------------------------------------------------------------
    context = browser.new_context(base_url=live_server.url, locale="id-ID", viewport={"width": 1280, "height": 900})
    steward = context.new_page()
    sign_in(steward, province.steward_kaltim)
    steward.goto("/staf/data/tinjauan/")
    steward.get_by_role("link", name="Sekolah dan siswa per kabupaten/kota").click()
    assert "Jumlah peserta didik" in steward.get_by_role("main").inner_text()
    _shot(steward, screenshot_dir, "5-review")
    steward.get_by_label("Terbitkan").check()
    steward.get_by_role("button", name="Konfirmasi").click()
    context.close()
    dataset = Dataset.objects.get(slug="sekolah-siswa")
    assert dataset.published_version_id == version.pk

    # --- Visitor, JavaScript off ---------------------------------------------------------------
    visitor = page_nojs
    visitor.goto("/")
    visitor.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Satu Data").click()
    visitor.fill("main [name=q]", "siswa")
    visitor.keyboard.press("Enter")
    visitor.get_by_role("link", name="Sekolah dan siswa per kabupaten/kota").click()
    main = visitor.get_by_role("main")
    assert "Kota Samarinda" in main.get_by_role("table").first.inner_text()  # preview
    visitor.select_option("#x", "kabupaten_kota")
    visitor.select_option("#agg", "sum")
    visitor.select_option("#y", "siswa")
    main.get_by_role("button", name="Gambar").click()
    chart = main.locator("svg").first
    assert chart.is_visible() and "Kota Samarinda" in chart.inner_html()
    map_image = main.locator("img[src*='peta.svg']")
    _shot(visitor, screenshot_dir, "6-visitor")
    map_image.scroll_into_view_if_needed()
    assert map_image.is_visible()
    assert map_image.evaluate("img => img.complete && img.naturalWidth > 0")
    _no_horizontal_scroll(visitor)
    _shot(visitor, screenshot_dir, "6-visitor")
    with visitor.expect_download() as info:
        main.get_by_role("link", name="CSV", exact=True).first.click()
    rows = list(csv.DictReader(io.StringIO(info.value.path().read_text(encoding="utf-8-sig"))))
    assert len(rows) == 6 and {r["kode_wilayah"] for r in rows} >= {"64.72", "64.02"}
