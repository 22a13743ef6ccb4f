"""The blank-spot proof in Chromium: a form opened once is filled and sent with the
network off, kept in the device outbox, and arrives exactly once — also when the browser
is closed in the middle of sending. Bundles: the same file twice creates nothing twice, a
one-byte change is refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from etam.eservices import services as eservices
from etam.eservices.models import Application
from etam.offline.models import AssistedSubmission
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.offline.conftest import NIK, Device, bundle_item, definition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def service(province):
    return eservices.service_import(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, document=definition(), publish=True
    )


def _persistent(browser, live_server, user_data_dir: Path):
    context = browser.browser_type.launch_persistent_context(
        str(user_data_dir),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        base_url=live_server.url,
        locale="id-ID",
    )
    context.set_default_timeout(15_000)
    return context


def _sign_in(context, live_server, user) -> None:
    from django.conf import settings

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


# Is a path in the service worker's form cache (etam-forms-<version>, docs/adr/0079)?
KEPT = (
    "(path => caches.keys().then(names => Promise.all(names.filter(n => n.startsWith('etam-forms-'))"
    ".map(n => caches.open(n).then(c => c.match(location.origin + path))))).then(hits => hits.some(Boolean)))"
)


def _open_form_once(page, service) -> None:
    """Visit the service page and its one-page form while online, so both are cached."""
    page.goto(f"/layanan/{service.slug}/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"/luring/layanan/{service.slug}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # the service worker keeps the form page
    page.wait_for_function(f"() => {KEPT}('/luring/layanan/{service.slug}/')")


def _fill(page) -> None:
    page.fill("#f-nama", "Siti Rahmawati")
    page.fill("#f-nik", NIK)
    page.fill("#f-telepon", "081234567890")
    page.fill("#f-keperluan", "Melamar kerja di Samarinda")


def _outbox_states(page) -> list[str]:
    return page.evaluate("EtamOutbox.all().then(items => items.map(i => i.state))")


def _wait_for(page, predicate, timeout=15.0) -> None:
    """Poll the database while letting Playwright dispatch its events (route handlers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        page.wait_for_timeout(200)
    raise AssertionError("condition not reached")


def test_offline_submit_is_queued_then_arrives_exactly_once(browser, live_server, province, service, tmp_path):
    context = _persistent(browser, live_server, tmp_path / "profil")
    try:
        _sign_in(context, live_server, province.citizen)
        page = context.new_page()
        _open_form_once(page, service)

        context.set_offline(True)
        page.goto(f"/luring/layanan/{service.slug}/")  # answered by the service worker
        _fill(page)
        page.click("form[data-offline-form] .row button[type=submit]")
        page.wait_for_selector("text=Tersimpan di perangkat ini")
        assert _outbox_states(page) == ["saved"]
        assert Application.objects.count() == 0

        page.goto("/kotak-keluar/")
        page.wait_for_selector("[data-outbox-list] li[data-state=saved]")
        assert "tersimpan di perangkat ini" in page.inner_text("[data-outbox-list]")

        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_selector("[data-outbox-list] li[data-state=received]")
        application = Application.objects.get()
        assert application.tracking_number in page.inner_text("[data-outbox-list]")
        # A second page load (another sync) changes nothing.
        page.reload()
        page.wait_for_selector("[data-outbox-list] li[data-state=received]")
        assert Application.objects.count() == 1
    finally:
        context.close()


def test_browser_closed_mid_send_still_exactly_one(browser, live_server, province, service, tmp_path):
    profile = tmp_path / "profil"
    context = _persistent(browser, live_server, profile)
    _sign_in(context, live_server, province.citizen)
    page = context.new_page()
    _open_form_once(page, service)
    context.set_offline(True)
    page.goto(f"/luring/layanan/{service.slug}/")
    _fill(page)
    page.click("form[data-offline-form] .row button[type=submit]")
    page.wait_for_selector("text=Tersimpan di perangkat ini")

    # The request reaches the server (which commits) but the answer never comes back:
    # the browser is closed while the item is "sending".
    held = []

    def hold(route) -> None:
        route.fetch()
        held.append(route)

    context.route("**/api/v1/offline/applications", hold)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _wait_for(page, lambda: Application.objects.count() == 1)
    assert _outbox_states(page) == ["sending"]  # committed on the server, not yet known here
    context.close()

    reopened = _persistent(browser, live_server, profile)
    try:
        # The test's session cookie had no expiry date, so it went with the browser.
        _sign_in(reopened, live_server, province.citizen)
        page = reopened.new_page()
        page.goto("/kotak-keluar/")
        page.wait_for_selector("[data-outbox-list] li[data-state=received]")
        assert Application.objects.count() == 1
        assert Application.objects.get().tracking_number in page.inner_text("[data-outbox-list]")
    finally:
        reopened.close()


def test_same_bundle_twice_and_tampered_bundle(browser, live_server, province, service, tmp_path, sign_in):
    device = Device(province.officer_dpmptsp)
    raw = device.bundle([bundle_item(service, name="Abdul"), bundle_item(service, name="Budi", with_file=True)])
    path = tmp_path / "bundel.etam"
    path.write_bytes(raw)
    tampered = bytearray(raw)
    tampered[len(raw) // 2] = ord("A") if tampered[len(raw) // 2] != ord("A") else ord("B")
    bad_path = tmp_path / "rusak.etam"
    bad_path.write_bytes(bytes(tampered))

    context = browser.new_context(base_url=live_server.url, locale="id-ID")
    try:
        page = context.new_page()
        sign_in(page, province.admin_dpmptsp)
        for expected in ("diterima", "sudah_ada"):
            page.goto("/staf/bundel/")
            page.set_input_files("#f-bundel", str(path))
            page.click("form .row button[type=submit]")
            page.wait_for_selector(f"tr[data-status={expected}]")
            assert page.locator(f"tr[data-status={expected}]").count() == 2
            assert Application.objects.count() == 2
        page.goto("/staf/bundel/")
        page.set_input_files("#f-bundel", str(bad_path))
        page.click("form .row button[type=submit]")
        page.wait_for_selector(".errsum")
        assert page.locator("tr[data-status]").count() == 0
        assert Application.objects.count() == 2 and AssistedSubmission.objects.count() == 2
    finally:
        context.close()


def test_officer_batch_offline_export_and_import(browser, live_server, province, service, tmp_path):
    """Mode petugas: register the device, enter two citizens offline, export a signed
    bundle; another officer imports it: two cases, each with consent and helper."""
    context = _persistent(browser, live_server, tmp_path / "petugas")
    try:
        _sign_in(context, live_server, province.officer_dpmptsp)
        page = context.new_page()
        page.goto("/staf/petugas/")
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        page.click("[data-device-register]")
        page.wait_for_selector("text=Perangkat ini terdaftar")
        page.goto("/staf/petugas/luring/")  # kept on the device for the offline export below
        page.wait_for_function(f"() => {KEPT}('/staf/petugas/luring/')")
        page.goto(f"/staf/petugas/layanan/{service.slug}/")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.reload()
        context.set_offline(True)
        for name in ("Abdul Rahman", "Budi Santoso"):
            page.fill("#f-_warga_nama", name)
            page.fill("#f-_warga_telepon", "081298765432")
            page.check("#f-_persetujuan")
            _fill(page)
            page.fill("#f-nama", name)
            page.click("form[data-offline-form] .row button[type=submit]")
            page.wait_for_selector(f"text=Tersimpan di perangkat ini: {name}")
        page.goto("/staf/petugas/luring/")
        page.wait_for_selector("[data-outbox-list] li[data-state=saved] >> nth=1")
        with page.expect_download() as download:
            page.click("[data-bundle-export]")
        bundle = tmp_path / "dari-desa.etam"
        download.value.save_as(str(bundle))
    finally:
        context.close()
    assert Application.objects.count() == 0

    other = Client()
    other.force_login(province.admin_dpmptsp)
    response = other.post("/staf/bundel/", {"bundel": SimpleUploadedFile("b.etam", bundle.read_bytes())})
    assert response.content.decode().count('data-status="diterima"') == 2
    records = AssistedSubmission.objects.order_by("citizen_name")
    assert [r.citizen_name for r in records] == ["Abdul Rahman", "Budi Santoso"]
    assert all(r.consent and r.assisted_by == province.officer_dpmptsp and r.channel == "bundel" for r in records)


def test_script_messages_are_indonesian_even_for_browser_errors(browser, live_server, province, service, tmp_path):
    """What the script says is Bahasa Indonesia with what to do next: our own checks, a
    missing connection, and an error the browser raises in its own words."""
    context = _persistent(browser, live_server, tmp_path / "pesan")
    try:
        _sign_in(context, live_server, province.officer_dpmptsp)
        page = context.new_page()
        page.goto(f"/staf/petugas/layanan/{service.slug}/")
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        page.fill("#f-_warga_nama", "Abdul Rahman")
        _fill(page)
        page.click("form[data-offline-form] .row button[type=submit]")  # consent not ticked
        page.wait_for_selector("text=Persetujuan: centang hanya setelah warga setuju")
        assert page.evaluate("EtamOutbox.all().then(items => items.length)") == 0

        page.goto("/staf/petugas/")
        page.evaluate("EtamOutbox.exportBundle()")
        page.wait_for_selector("[data-bundle-status] >> text=Perangkat ini belum terdaftar")

        context.set_offline(True)
        page.evaluate("EtamOutbox.registerDevice()")
        status = "[data-device-key-status]"
        page.wait_for_selector(f"{status} >> text=Tidak ada sinyal atau server sedang sibuk")
        assert "network" not in page.inner_text(status)

        page.evaluate(
            "crypto.subtle.generateKey = () => Promise.reject(new DOMException('Unrecognized name.', "
            "'NotSupportedError')); EtamOutbox.registerDevice()"
        )
        page.wait_for_selector(f"{status} >> text=Peramban ini terlalu lama untuk fitur ini")
        assert "Unrecognized" not in page.inner_text(status)
    finally:
        context.close()
    assert Application.objects.count() == 0
