"""Inventory tried as a new user would (issue 6, "Done when").

- A visitor, JavaScript off, not signed in, opens the village-connectivity page and sees the
  kecamatan map and the programme progress per kab/kota.
- An admin OPD imports applications from a spreadsheet (one row is wrong: a per-row report,
  then "import only the valid rows"), the duplicate-detection job runs, and the admin sees
  which imported applications duplicate another OPD's application or a national one.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from etam.inventory import imports
from etam.inventory.models import AccessPoint, Application, DuplicateFlag, NationalApplication, ProgrammeTarget
from etam.inventory.national_seed import NATIONAL_APPLICATIONS
from tests.inventory.factories import ApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_sees_connectivity_map_and_progress_without_javascript(page_nojs, screenshot_dir):
    from etam.inventory.models import VillageConnectivity

    imports.ensure_villages()
    ProgrammeTarget.objects.update_or_create(regency_code="64.03", defaults={"target_villages": 40})
    ProgrammeTarget.objects.update_or_create(regency_code="64.11", defaults={"target_villages": 30})
    for village in VillageConnectivity.objects.filter(regency_code="64.03", is_kelurahan=False)[:10]:
        AccessPoint.objects.create(
            village=village, programme="internet_desa", provider="Telkom", technology="vsat", bandwidth_mbps=20
        )
    VillageConnectivity.objects.filter(regency_code="64.11").update(coverage="tidak_ada")

    response = page_nojs.goto("/konektivitas-desa/")
    assert response is not None and response.status == 200
    assert page_nojs.locator("html").get_attribute("lang") == "id"
    assert page_nojs.get_by_role("heading", level=1).inner_text() == "Konektivitas desa di Kalimantan Timur"
    # The choropleth is server-rendered SVG: there without JavaScript, one path per kecamatan.
    svg = page_nojs.locator("main svg").first
    assert svg.is_visible()
    assert svg.locator("path").count() >= 100
    box = svg.bounding_box()
    assert box is not None and box["width"] >= 300 and box["height"] >= 300
    # Progress per kab/kota, in Indonesian.
    main = page_nojs.get_by_role("main")
    assert main.get_by_role("heading", name="Kemajuan program Internet Desa").is_visible()
    berau = main.get_by_role("row").filter(has_text="Berau")
    assert "10/40" in berau.inner_text()
    assert "desa terhubung" in main.inner_text()
    assert page_nojs.evaluate("document.documentElement.scrollWidth") <= 1280
    # Layout: the page's own styles leave the site header alone (it once shared a class name),
    # the legend shows its colours, and progress bars start at the left of their track.
    header = page_nojs.locator("header").first.bounding_box()
    title = page_nojs.get_by_role("heading", level=1).bounding_box()
    assert header is not None and title is not None and title["y"] >= header["y"] + header["height"]
    swatch = page_nojs.locator(".lg i").first
    assert swatch.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(26, 127, 90)"
    track = berau.get_by_role("img").bounding_box()
    fill = berau.get_by_role("img").locator("rect.isi").bounding_box()
    assert track is not None and fill is not None
    assert abs(fill["x"] - track["x"]) < 1 and abs(fill["width"] - 0.25 * track["width"]) < 2
    page_nojs.screenshot(path=str(screenshot_dir / "inventory-public-connectivity.png"), full_page=True)

    # Nothing of the staff inventory leaks to a visitor.
    response = page_nojs.goto("/staf/inventaris/aplikasi/")
    assert "/masuk/" in page_nojs.url


CSV = (
    "kode_wilayah,kode_opd,nama,tujuan,jenis,kode_proses_bisnis,data,url,status\n"
    "64,{opd},Beasiswa Kaltim Tuntas,"
    '"Pendaftaran dan seleksi beasiswa mahasiswa berprestasi dan kurang mampu",khusus,06.01,Penerima beasiswa,'
    "https://beasiswa.kaltimprov.go.id,produksi\n"
    "64,{opd},Lapor Gubernur,"
    '"Kanal pengaduan masyarakat: warga menyampaikan aduan dan keluhan atas layanan publik",khusus,,,'
    "https://lapor.kaltimprov.go.id,produksi\n"
    "64,{opd},SI Retribusi Pasar,"
    '"Penagihan retribusi pedagang pasar tradisional",khusus,,,bukan-url,produksi\n'
)


def test_admin_opd_imports_and_sees_duplicates(page, sign_in, province, screenshot_dir, tmp_path):
    # A transactional test starts from an empty table: put the national list back.
    for row in NATIONAL_APPLICATIONS:
        NationalApplication.objects.get_or_create(
            code=row["code"], defaults={k: v for k, v in row.items() if k != "code"}
        )
    other = ApplicationFactory(
        agency=province.diskominfo,
        name="SI Beasiswa Mahasiswa",
        purpose="Pengajuan beasiswa bagi mahasiswa berprestasi dan kurang mampu",
        business_process_code="06.01",
        datasets=["Penerima beasiswa"],
    )
    sheet = tmp_path / "aplikasi-dpmptsp.csv"
    sheet.write_text(CSV.format(opd=province.dpmptsp.code), encoding="utf-8")

    sign_in(page, province.admin_dpmptsp)
    page.goto("/staf/inventaris/aplikasi/")
    page.get_by_role("link", name="Impor dari CSV/XLSX").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Impor aplikasi"
    page.get_by_label("Berkas (CSV atau XLSX)").set_input_files(str(sheet))
    page.get_by_role("button", name="Periksa berkas").click()

    # The check: two valid rows, one wrong URL reported against its row and column.
    main = page.get_by_role("main")
    assert "2 baris sah, 1 baris bermasalah." in main.inner_text()
    error_row = main.get_by_role("row").filter(has_text="url")
    assert "4" in error_row.inner_text() and "alamat web lengkap" in error_row.inner_text()
    page.screenshot(path=str(screenshot_dir / "inventory-import-check.png"), full_page=True)
    assert Application.objects.count() == 1  # nothing written before the user decides
    page.get_by_role("button", name="Impor", exact=True).click()
    assert "pilih untuk mengimpor baris yang sah saja" in main.inner_text()  # refused as a whole
    assert Application.objects.count() == 1
    page.get_by_label("Impor hanya 2 baris yang sah").check()
    page.get_by_role("button", name="Impor", exact=True).click()
    assert "2 baris diimpor." in main.inner_text()
    assert Application.objects.filter(agency=province.dpmptsp).count() == 2

    # The import scheduled duplicate detection; the worker runs it.
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert DuplicateFlag.objects.count() >= 2

    page.get_by_role("link", name="Lihat aplikasi yang mungkin menduplikasi aplikasi lain").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kandidat duplikasi"
    rows = page.get_by_role("main").get_by_role("row")
    beasiswa = rows.filter(has_text="Beasiswa Kaltim Tuntas")
    assert (
        other.name in beasiswa.inner_text()
        and f"({province.kaltim.short_name} — {province.diskominfo})" in beasiswa.inner_text()
    )
    assert "proses bisnis yang sama 06.01" in beasiswa.inner_text()
    lapor = rows.filter(has_text="Lapor Gubernur")
    assert "SP4N-LAPOR!" in lapor.inner_text() and "menduplikasi Aplikasi Umum nasional" in lapor.inner_text()
    assert "Retribusi" not in page.get_by_role("main").inner_text()
    assert "Terbuka" in beasiswa.inner_text()
    page.screenshot(path=str(screenshot_dir / "inventory-duplicates.png"), full_page=True)

    # The admin OPD opens a flag and sees why; only koordinator/admin instansi decide.
    beasiswa.get_by_role("link").first.click()
    assert page.get_by_role("heading", level=1).count() == 1
    assert "Alasan ditandai" in page.get_by_role("main").inner_text()
    page.screenshot(path=str(screenshot_dir / "inventory-duplicate-detail.png"), full_page=True)
