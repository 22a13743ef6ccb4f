"""Issue 15, items 7, 8, 9, 11 and 12 in a browser, at 360 px (phone) and 1366 px (laptop):
no page scrolls sideways; tables stack on a phone; the service's main action comes before
its legal basis; filters fold away above results on a phone; staff pages use the width and
their forms look like the citizen forms; the receipt prints; English labels fit."""

from __future__ import annotations

import pytest

from etam.eservices import demo_definitions
from etam.eservices import services as eservices
from etam.inventory import imports
from etam.inventory.models import ProgrammeTarget, VillageConnectivity
from tests.browser.screens import LAPTOP, PHONE, no_sideways_scroll, opened
from tests.eservices.conftest import info_answers, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOTH = pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["360", "1366"])


def inside_viewport(page, locator):
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 0.5, box


@pytest.fixture
def research(province):
    return publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.izin_penelitian())


@pytest.fixture
def submitted(province):
    service = publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.informasi_publik())
    return eservices.application_submit(actor=province.citizen, service=service, answers=info_answers())


@pytest.fixture
def villages(db):
    imports.ensure_villages()
    ProgrammeTarget.objects.create(regency_code="64.03", target_villages=100)
    VillageConnectivity.objects.filter(regency_code="64.11").update(coverage="tidak_ada")


@BOTH
def test_public_pages_fit_the_screen(browser, live_server, province, research, villages, viewport):
    with opened(browser, live_server, viewport) as page:
        for path in ("/", "/layanan/", f"/layanan/{research.slug}/", "/konektivitas-desa/", "/data/", "/lacak/"):
            page.goto(path)
            no_sideways_scroll(page)
        response = page.goto("/halaman-yang-tidak-ada-di-etam/")
        assert response.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == "Halaman tidak ditemukan"
        no_sideways_scroll(page)


@BOTH
def test_my_applications_show_every_column(browser, live_server, sign_in, province, submitted, viewport):
    with opened(browser, live_server, viewport) as page:
        sign_in(page, province.citizen)
        page.goto("/permohonan/")
        no_sideways_scroll(page)
        row = page.locator("main tbody tr").first
        inside_viewport(page, row.locator(".tag"))  # the status: hidden off-screen on a phone before
        inside_viewport(page, row.get_by_role("link", name=submitted.application.tracking_number))
        if viewport is PHONE:
            label = row.locator("td").nth(3).evaluate("td => getComputedStyle(td, '::before').content")
            assert "Status" in label


@BOTH
def test_the_main_action_comes_before_the_legal_basis(browser, live_server, province, research, viewport):
    with opened(browser, live_server, viewport) as page:
        page.goto(f"/layanan/{research.slug}/")
        apply = page.get_by_role("link", name="Ajukan sekarang").bounding_box()
        legal = page.get_by_role("heading", name="Dasar hukum").bounding_box()
        assert apply["y"] < legal["y"]
        if viewport is PHONE:
            assert apply["y"] < 2 * viewport["height"]


@BOTH
def test_village_search_and_the_map_in_words(browser, live_server, province, villages, viewport):
    with opened(browser, live_server, viewport) as page:
        page.goto("/konektivitas-desa/")
        assert page.locator("figure figcaption ol li").count() == 5
        page.get_by_label("Nama desa").fill("Long")
        page.get_by_role("button", name="Cari").click()
        rows = page.locator("#cari-desa ~ table tbody tr")
        assert rows.count() > 0
        assert "long" in rows.first.locator("td").first.inner_text().lower()
        no_sideways_scroll(page)
        page.get_by_label("Nama desa").fill("zzzz")
        page.get_by_role("button", name="Cari").click()
        assert "Tidak ada desa dengan nama seperti" in page.locator("main").inner_text()


@BOTH
def test_catalogue_filters_fold_away_on_a_phone(browser, live_server, province, research, viewport):
    with opened(browser, live_server, viewport) as page:
        page.goto("/layanan/?q=riset")
        assert research.name in page.locator("main").inner_text()  # a synonym (item 11)
        sector = page.get_by_label("Sektor")
        if viewport is PHONE:
            assert not sector.is_visible()
            page.get_by_text("Saring menurut sektor, pemerintah, atau OPD").click()
        assert sector.is_visible()
        page.goto("/data/")
        folded = page.locator(".od-facet details.filters > summary")  # the data filters: a fold on a phone
        assert folded.is_visible() is (viewport is PHONE)


def test_staff_pages_use_the_laptop_width(browser, live_server, sign_in, province):
    with opened(browser, live_server, LAPTOP) as page:
        sign_in(page, province.officer_dpmptsp)
        page.goto("/staf/layanan/kotak-masuk/")
        main = page.locator("main").bounding_box()
        assert main["width"] > 64 * 16, f"staff main column is {main['width']} px on a 1366 px laptop"


@BOTH
def test_staff_forms_look_like_citizen_forms(browser, live_server, sign_in, province, viewport):
    with opened(browser, live_server, viewport) as page:
        sign_in(page, province.superadmin)
        page.goto("/staf/organisasi/pegawai/baru/")
        labels = [t.strip() for t in page.locator("main form label").all_inner_texts() if t.strip()]
        assert labels and not [t for t in labels if t.endswith(":")], labels
        widths = {
            round(box["width"])
            for box in (el.bounding_box() for el in page.locator("main form input[type=text], main form select").all())
            if box
        }
        assert len(widths) == 1, f"uneven field widths {widths}"
        no_sideways_scroll(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_receipt_prints(browser, live_server, sign_in, province, submitted, javascript):
    with opened(browser, live_server, PHONE, javascript=javascript) as page:
        sign_in(page, province.citizen)
        page.goto(f"/permohonan/{submitted.application.tracking_number}/tanda-terima/")
        button = page.get_by_role("button", name="Cetak tanda terima")
        hint = page.get_by_text("gunakan perintah Cetak di peramban")
        assert button.is_visible() is javascript
        assert hint.is_visible() is (not javascript)
        assert "Nomor pelacakan" in page.locator("main").inner_text()
        no_sideways_scroll(page)
    with opened(browser, live_server, LAPTOP) as page:
        page.goto("/lacak/")
        assert page.get_by_label("Nomor pelacakan").get_attribute("placeholder") == "64-DPMPTSP-2026-000123"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_english_labels_fit_a_phone(browser, live_server, sign_in, province, research, javascript):
    with opened(browser, live_server, PHONE, javascript=javascript, english=True) as page:
        sign_in(page, province.citizen)
        page.goto(f"/layanan/{research.slug}/")
        offline = page.get_by_role("link", name="Fill in this form without signal (one page, kept on this device)")
        assert offline.is_visible() is javascript  # the script's link, now in English
        page.goto(f"/layanan/{research.slug}/ajukan/")
        later = page.get_by_role("button", name="Save and finish later")
        inside_viewport(page, later)
        assert later.evaluate("b => b.scrollWidth <= b.clientWidth")
        no_sideways_scroll(page)
