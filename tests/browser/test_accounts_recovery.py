"""Issue 15, items 5 and 6 in a browser: password recovery by an emailed code, the profile
page, and the header of a signed-in citizen, on a 360 px phone and a 1366 px laptop, with
JavaScript off (recovery works without it) and on (the outbox link)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from etam.core.models import User
from tests.browser.screens import LAPTOP, PHONE, no_sideways_scroll, opened

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Mahakam-Sungai-2025"


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["360", "1366"])
def test_a_citizen_resets_a_forgotten_password_without_javascript(
    browser, live_server, province, viewport, screenshot_dir
):
    with opened(browser, live_server, viewport, javascript=False) as page:
        page.goto("/masuk/")
        page.get_by_role("link", name="Lupa kata sandi?").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Lupa kata sandi"
        no_sideways_scroll(page)
        page.get_by_label("Email atau nomor HP").fill("warga1@example.id")
        page.get_by_role("button", name="Kirim kode").click()
        assert page.url.endswith("/lupa-kata-sandi/kode/")
        assert "kode 6 angka" in page.locator(".msgs").inner_text()
        code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        page.get_by_label("Kode 6 angka").fill(code)
        page.get_by_label("Kata sandi baru", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Ulangi kata sandi baru").fill(NEW_PASSWORD)
        no_sideways_scroll(page)
        page.screenshot(path=str(screenshot_dir / f"recovery-code-{viewport['width']}.png"), full_page=True)
        page.get_by_role("button", name="Simpan kata sandi baru").click()
        assert page.url.endswith("/masuk/")
        assert "Kata sandi Anda sudah diganti" in page.locator(".msgs").inner_text()
        page.get_by_label("Email atau nomor HP").fill("warga1@example.id")
        page.locator("#id_password").fill(NEW_PASSWORD)
        page.locator("main").get_by_role("button", name="Masuk").click()
        assert User.objects.get(pk=province.citizen.pk).check_password(NEW_PASSWORD)
        assert not page.url.endswith("/masuk/")


def test_an_unknown_address_gets_the_same_page(browser, live_server, province):
    with opened(browser, live_server, PHONE, javascript=False) as page:
        page.goto("/lupa-kata-sandi/")
        page.get_by_label("Email atau nomor HP").fill("bukan-warga@example.id")
        page.get_by_role("button", name="Kirim kode").click()
        assert page.url.endswith("/lupa-kata-sandi/kode/")
        assert "kode 6 angka" in page.locator(".msgs").inner_text()
        assert mail.outbox == []


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["360", "1366"])
def test_the_profile_page_changes_name_and_phone(browser, live_server, sign_in, province, viewport):
    with opened(browser, live_server, viewport, javascript=False) as page:
        sign_in(page, province.citizen)
        page.goto("/akun/")
        page.get_by_role("link", name="Ubah profil").click()
        page.get_by_label("Nama lengkap").fill("Warga Satu Baru")
        page.get_by_label("Nomor HP").fill("0812 1111 2222")
        no_sideways_scroll(page)
        page.get_by_role("button", name="Simpan").click()
        assert page.url.endswith("/akun/")
        assert "Warga Satu Baru" in page.locator("main").inner_text()
    user = User.objects.get(pk=province.citizen.pk)
    assert (user.full_name, user.phone) == ("Warga Satu Baru", "+6281211112222")


def header_links(page) -> list[str]:
    """The header links a person can see now."""
    return [a.inner_text().strip() for a in page.locator("header a").all() if a.is_visible()]


@pytest.mark.parametrize("javascript", [False, True], ids=["nojs", "js"])
def test_a_signed_in_citizen_sees_their_pages_in_a_phone_menu(browser, live_server, sign_in, province, javascript):
    with opened(browser, live_server, PHONE, javascript=javascript) as page:
        sign_in(page, province.citizen)
        page.goto("/layanan/")
        summary = page.locator("header details.menu > summary")
        assert summary.is_visible()
        head = page.locator("header").bounding_box()
        assert head["height"] < 90, f"the phone header is {head['height']} px tall: not one short row"
        assert "Permohonan saya" not in header_links(page)  # folded away
        summary.click()  # <details>: opens without JavaScript
        links = header_links(page)
        assert "Permohonan saya" in links and "Akun" in links and "Layanan" in links
        assert "Kotak keluar" not in links  # nothing on this device
        no_sideways_scroll(page)
        page.locator("header details.menu").get_by_role("link", name="Permohonan saya").click()
        assert page.url.endswith("/permohonan/")


def test_on_a_laptop_the_header_is_one_row_without_a_menu_button(browser, live_server, sign_in, province):
    with opened(browser, live_server, LAPTOP, javascript=True) as page:
        sign_in(page, province.citizen)
        page.goto("/")
        assert not page.locator("header details.menu").is_visible()
        links = header_links(page)
        assert "Permohonan saya" in links and "Akun" in links and "Kotak keluar" not in links


def test_the_outbox_link_appears_once_the_device_holds_something(browser, live_server, province):
    with opened(browser, live_server, LAPTOP, javascript=True) as page:
        page.goto("/")
        assert "Kotak keluar" not in header_links(page)
        page.evaluate(
            """() => new Promise((resolve, reject) => {
                const open = indexedDB.open('etam-outbox');
                open.onupgradeneeded = () => {
                  open.result.createObjectStore('items', {keyPath: 'key'});
                  open.result.createObjectStore('meta');
                };
                open.onsuccess = () => {
                  const db = open.result;
                  const tx = db.transaction('items', 'readwrite');
                  tx.objectStore('items').put({key: 'uji', state: 'saved', created: new Date().toISOString()});
                  tx.oncomplete = () => resolve(true); tx.onerror = () => reject(tx.error);
                };
                open.onerror = () => reject(open.error);
            })"""
        )
        page.reload()
        page.wait_for_function("() => [...document.querySelectorAll('[data-outbox-nav]')].some(li => !li.hidden)")
        assert "Kotak keluar" in header_links(page)


def test_staff_in_petugas_mode_always_see_the_outbox_link(browser, live_server, sign_in, province):
    with opened(browser, live_server, LAPTOP, javascript=False) as page:
        sign_in(page, province.officer_dpmptsp)
        page.goto("/")
        assert "Kotak keluar" in header_links(page)
