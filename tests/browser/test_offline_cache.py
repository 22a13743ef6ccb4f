"""What stays on an officer's device after signing out (docs/adr/0079): not the staff page
that lists citizens, but the blank assisted-entry form and the submissions still in transit."""

from __future__ import annotations

import pytest

from etam.eservices import services as eservices
from etam.eservices.models import Application
from tests.offline.conftest import definition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Is there a response for `path` in any cache whose name starts with `prefix`?
IN_CACHE = (
    "([prefix, path]) => caches.keys().then(names => Promise.all(names.filter(n => n.startsWith(prefix))"
    ".map(n => caches.open(n).then(c => c.match(location.origin + path))))).then(hits => hits.some(Boolean))"
)
# The text of every page in the caches whose name starts with `prefix`.
CACHED_TEXT = (
    "prefix => caches.keys().then(names => Promise.all(names.filter(n => n.startsWith(prefix))"
    ".map(n => caches.open(n).then(c => c.matchAll()).then(rs => Promise.all(rs.map(r => r.text()))))))"
    ".then(lists => [].concat(...lists).join('\\n'))"
)


@pytest.fixture
def service(province):
    return eservices.service_import(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, document=definition(), publish=True
    )


def test_sign_out_keeps_blank_form_and_outbox_but_not_the_staff_page(browser, live_server, province, service, sign_in):
    context = browser.new_context(base_url=live_server.url, locale="id-ID")
    try:
        page = context.new_page()
        sign_in(page, province.officer_dpmptsp)
        # A second tab holds the outbox's Web Lock, so nothing is sent: the item stays "in transit".
        holder = context.new_page()
        holder.goto("/kotak-keluar/")
        holder.evaluate(
            "() => { navigator.locks.request('etam-outbox', () => { window.held = true; "
            "return new Promise(() => {}); }); }"
        )
        holder.wait_for_function("() => window.held === true")

        form = f"/staf/petugas/layanan/{service.slug}/"
        page.goto("/staf/petugas/")
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        page.goto(form)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.reload()
        page.wait_for_function(IN_CACHE, arg=["etam-forms-", form])

        context.set_offline(True)
        page.fill("#f-_warga_nama", "Abdul Rahman")
        page.fill("#f-_warga_telepon", "081298765432")
        page.check("#f-_persetujuan")
        page.fill("#f-nama", "Abdul Rahman")
        page.fill("#f-nik", "6472015708900001")
        page.fill("#f-telepon", "081234567890")
        page.fill("#f-keperluan", "Melamar kerja")
        page.click("form[data-offline-form] .row button[type=submit]")
        page.wait_for_selector("text=Tersimpan di perangkat ini: Abdul Rahman")
        context.set_offline(False)

        # The staff page (it lists what the server received, with citizens' names) is shown
        # online but never kept.
        page.goto("/staf/petugas/")
        page.wait_for_selector("[data-outbox-list] li[data-state=saved]")
        assert not page.evaluate(IN_CACHE, ["etam-", "/staf/petugas/"])
        assert "Petugas DPMPTSP" in page.evaluate(CACHED_TEXT, "etam-pages-")  # pages seen while signed in

        page.click("nav.side form[data-sign-out] button")
        page.wait_for_selector("text=Anda sudah keluar")
        assert "Petugas DPMPTSP" not in page.evaluate(CACHED_TEXT, "etam-pages-")

        context.set_offline(True)
        page.goto("/staf/petugas/")
        assert page.get_by_role("heading", name="Diterima server").count() == 0
        assert "Mode petugas (entri terbantu)" not in page.content()
        page.goto(form)  # the blank form, for the next blank spot
        assert page.locator("form[data-offline-form][data-assisted]").count() == 1
        assert page.input_value("#f-_warga_nama") == ""
        items = page.evaluate(
            "() => EtamOutbox.all().then(items => items.map(i => [i.state, i.assisted.citizen_name]))"
        )
        assert items == [["saved", "Abdul Rahman"]]
        assert Application.objects.count() == 0
        holder.close()
    finally:
        context.close()
