"""What the browser and the service worker may keep (docs/adr/0079): staff pages that show
people are never stored, blank forms are, caches carry a version, and signing out empties
the browser's HTTP cache without touching the outbox. The browser proof (log out, go
offline) is tests/browser/test_offline_cache.py."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from etam.offline import views
from tests.helpers import client_for
from tests.offline.conftest import pairs


def assisted_post() -> dict[str, str]:
    return {
        **dict(pairs(nama="Abdul")),
        "_key": str(uuid.uuid4()),
        "_warga_nama": "Abdul Rahman",
        "_warga_telepon": "081298765432",
        "_persetujuan": "1",
    }


def officer_after_one_assisted_entry(province, service) -> Client:
    """The officer's client once it has entered one case for Abdul Rahman (a post without JavaScript)."""
    officer = client_for(province.officer_dpmptsp)
    officer.post(f"/staf/petugas/layanan/{service.slug}/", assisted_post())
    return officer


def cache_control(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


def sw_lists(body: str) -> dict[str, list[re.Pattern[str]]]:
    """The allowlists of the served worker, as Python patterns (they are simple regexes)."""
    out = {}
    for name in ("PAGE_RE", "FORM_RE"):
        match = re.search(rf"var {name} = \[(.*?)\];", body, re.S)
        assert match, f"{name} missing from sw.js"
        out[name] = [re.compile(p.replace("\\/", "/")) for p in re.findall(r"/(\^.*?\$)/", match.group(1))]
    return out


def cached_by_worker(body: str, path: str) -> bool:
    return any(p.search(path) for patterns in sw_lists(body).values() for p in patterns)


@pytest.mark.django_db
def test_staff_pages_with_people_are_never_stored(province, service):
    officer = officer_after_one_assisted_entry(province, service)
    listing = officer.get("/staf/petugas/")
    assert "Abdul Rahman" in listing.content.decode()
    assert {"no-store", "private"} <= cache_control(listing)
    inbox = client_for(province.admin_dpmptsp).get("/staf/layanan/kotak-masuk/")
    assert inbox.status_code == 200 and {"no-store", "private"} <= cache_control(inbox)
    dashboard = client_for(province.admin_dpmptsp).get("/staf/")
    assert {"no-store", "private"} <= cache_control(dashboard)
    body = Client().get("/sw.js").content.decode()
    for path in ("/staf/petugas/", "/staf/", "/staf/layanan/kotak-masuk/", "/staf/bundel/", "/permohonan/"):
        assert not cached_by_worker(body, path), path


@pytest.mark.django_db
def test_blank_forms_may_be_kept_but_not_with_a_citizen_in_them(province, service):
    officer = client_for(province.officer_dpmptsp)
    form_path = f"/staf/petugas/layanan/{service.slug}/"
    blank = officer.get(form_path)
    assert blank.status_code == 200
    assert "no-store" not in cache_control(blank) and {"private", "no-cache"} <= cache_control(blank)
    citizen_form = client_for(province.citizen).get(f"/luring/layanan/{service.slug}/")
    assert "no-store" not in cache_control(citizen_form)
    # After a post without JavaScript the same form carries "Received: <citizen>, <secret>".
    sent = officer.post(
        form_path,
        assisted_post(),
    )
    assert sent.status_code == 302
    after = officer.get(form_path)
    assert "Abdul Rahman" in after.content.decode()
    assert "no-store" in cache_control(after)
    # A refused post shows what was typed: never kept either.
    refused = officer.post(form_path, {**dict(pairs(nik="12")), "_key": str(uuid.uuid4()), "_warga_nama": "Cici"})
    assert refused.status_code == 422 and "no-store" in cache_control(refused)
    body = Client().get("/sw.js").content.decode()
    for path in (form_path, f"/luring/layanan/{service.slug}/", "/kotak-keluar/", "/staf/petugas/luring/"):
        assert cached_by_worker(body, path), path


@pytest.mark.django_db
def test_device_page_shows_no_one_and_may_be_kept(province, service):
    officer = officer_after_one_assisted_entry(province, service)
    assert "Abdul Rahman" in officer.get("/staf/petugas/").content.decode()  # received, and the message shown
    page = officer.get("/staf/petugas/luring/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Abdul Rahman" not in html and "data-outbox-list" in html and "data-bundle-export" in html
    assert "no-store" not in cache_control(page)
    assert client_for(province.citizen).get("/staf/petugas/luring/").status_code == 403


@pytest.mark.django_db
def test_caches_are_versioned_and_the_worker_refuses_no_store(client, monkeypatch):
    body = client.get("/sw.js").content.decode()
    version = views._assets_version()
    assert f"var VERSION = '{version}'" in body
    for name in ("STATIC", "PAGES", "FORMS"):
        assert re.search(rf"var {name} = 'etam-[a-z]+-' \+ VERSION;", body), name
    assert "no-store" in body and "'etam-pages'" in body  # keepable() refuses it; the old unversioned cache goes
    # A deployment that changes a static file changes the version.
    from django.contrib.staticfiles.storage import staticfiles_storage

    views._assets_version.cache_clear()
    try:
        monkeypatch.setattr(type(staticfiles_storage._wrapped), "manifest_hash", "abc", raising=False)
        assert views._assets_version() != version
    finally:
        views._assets_version.cache_clear()


@pytest.mark.django_db
def test_sign_out_clears_the_http_cache_but_not_storage(province):
    client = client_for(province.citizen)
    response = client.post("/keluar/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'
    assert "storage" not in response["Clear-Site-Data"] and "*" not in response["Clear-Site-Data"]
    assert "/keluar/" in Client().get("/sw.js").content.decode()  # the worker drops its page cache there


@pytest.mark.django_db
def test_a_page_showing_a_message_is_not_stored(client, province):
    client.force_login(province.citizen)
    client.post("/keluar/")
    home = client.get("/")
    assert home.status_code == 200 and "no-store" in cache_control(home)
    assert "no-store" not in cache_control(client.get("/"))  # the next visit, without the message


@pytest.mark.django_db
def test_the_served_worker_has_every_placeholder_filled():
    body = Client().get("/sw.js").content.decode()
    assert not re.findall(r"'__[A-Z_]+__'", body)
    # The language switch drops the kept pages; the language cookie is what a kept page is compared with.
    assert "var SET_LANGUAGE = '/i18n/setlang/'" in body
    assert "var LANGUAGE_COOKIE = 'django_language'" in body
