from __future__ import annotations

import pytest

from tests.browser.screens import PHONE, no_sideways_scroll, opened

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_without_javascript_and_switch_to_english(page_nojs, screenshot_dir):
    requests: list[str] = []
    page_nojs.on("request", lambda request: requests.append(request.url))

    response = page_nojs.goto("/")
    assert response is not None and response.status == 200
    assert page_nojs.locator("html").get_attribute("lang") == "id"
    assert page_nojs.locator("h1").count() == 1
    assert "Etam" in page_nojs.locator("h1").inner_text()
    assert page_nojs.get_by_role("main").count() == 1
    page_nojs.screenshot(path=str(screenshot_dir / "home-id.png"), full_page=True)

    # The skip link is the first thing the keyboard reaches, and it becomes visible.
    page_nojs.keyboard.press("Tab")
    skip = page_nojs.get_by_role("link", name="Langsung ke konten utama")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["x"] >= 0

    page_nojs.get_by_role("button", name="English").click()
    page_nojs.wait_for_load_state()
    assert page_nojs.locator("html").get_attribute("lang") == "en"
    assert page_nojs.get_by_role("heading", level=2, name="What is SPBE?").is_visible()
    page_nojs.screenshot(path=str(screenshot_dir / "home-en.png"), full_page=True)

    page_nojs.get_by_role("button", name="Bahasa Indonesia").click()
    page_nojs.wait_for_load_state()
    assert page_nojs.locator("html").get_attribute("lang") == "id"

    base = page_nojs.url.split("/", 3)[:3]
    assert all(url.split("/", 3)[:3] == base for url in requests), requests  # no third-party request


def test_home_on_a_phone(browser, live_server, screenshot_dir):
    with opened(browser, live_server, PHONE) as page:
        page.goto("/")
        no_sideways_scroll(page)
        page.screenshot(path=str(screenshot_dir / "home-phone.png"), full_page=True)


def test_staff_dashboard_without_javascript(page_nojs, sign_in, province, screenshot_dir):
    sign_in(page_nojs, province.admin_dpmptsp)
    page_nojs.goto("/staf/")
    assert page_nojs.get_by_role("heading", level=1).inner_text() == "Dasbor pegawai"
    menu = page_nojs.get_by_role("navigation", name="Menu pegawai")
    assert menu.get_by_role("link", name="Dasbor").get_attribute("aria-current") == "page"
    page_nojs.screenshot(path=str(screenshot_dir / "staff-dashboard.png"), full_page=True)

    menu.get_by_role("button", name="Keluar").click()
    page_nojs.wait_for_load_state()
    page_nojs.goto("/staf/")
    assert "/staf/" not in page_nojs.url.split("?")[0] or page_nojs.get_by_role("heading", level=1).count() == 1
