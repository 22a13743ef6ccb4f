"""Anonymous public pages are rendered once and shared; a signed-in page never is (docs/adr/0146)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from etam.web import pagecache
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
NONCE = re.compile(r'<style nonce="([^"]+)"')


@pytest.fixture(autouse=True)
def page_cache():
    with override_settings(
        PAGE_CACHE_SECONDS=60, CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        cache.clear()
        yield
        cache.clear()


def stored_pages() -> list[str]:
    """The stored pages' keys (LocMemCache keeps them as ":<version>:<key>")."""
    internal = cache._cache  # type: ignore[attr-defined]
    return [key.split(":", 2)[2] for key in internal if pagecache.KEY_PREFIX in key]


def test_anonymous_catalogue_is_rendered_once_and_served_from_the_cache(client, django_assert_num_queries):
    first = client.get("/layanan/")
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    assert first["ETag"].startswith('W/"')
    assert "Cookie" in first["Vary"]
    assert len(stored_pages()) == 1
    visitor = Client()
    with django_assert_num_queries(0):
        second = visitor.get("/layanan/")
    assert second.status_code == 200
    assert second.content.decode().count("<h1") == first.content.decode().count("<h1")
    assert second["X-Frame-Options"] == "DENY"  # the outer middleware still runs


@pytest.mark.parametrize("path", ["/", "/layanan/", "/data/"])
def test_public_pages_revalidate_with_304(client, path):
    first = client.get(path)
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])  # the same browser, same cookie
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    # No CSP header on the 304: the browser keeps the one that matches its copy's nonce.
    assert "Content-Security-Policy" not in again


def test_each_visitor_gets_their_own_csrf_token_and_nonce():
    a, b = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_a = a.get("/layanan/").content.decode()
    response_b = b.get("/layanan/")  # served from the stored copy
    page_b = response_b.content.decode()
    token_a, token_b = TOKEN.search(page_a).group(1), TOKEN.search(page_b).group(1)
    assert a.cookies["csrftoken"].value != b.cookies["csrftoken"].value
    # The stored copy's nonce is replaced by this request's, which is the one in the header.
    nonce_b = NONCE.search(page_b).group(1)
    assert f"'nonce-{nonce_b}'" in response_b["Content-Security-Policy"]
    assert NONCE.search(page_a).group(1) != nonce_b
    # Each token works with its own visitor's cookie (the language switch posts it).
    for visitor, token in ((a, token_a), (b, token_b)):
        switched = visitor.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
        assert switched.status_code == 302
    # ... and not with another visitor's cookie.
    c = Client(enforce_csrf_checks=True)
    c.get("/masuk/")
    refused = c.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token_a})
    assert refused.status_code == 403


def test_a_signed_in_page_is_never_stored_or_shared(province):
    name = province.citizen.full_name
    signed = client_for(province.citizen)
    mine = signed.get("/layanan/")
    assert mine.status_code == 200 and name in mine.content.decode()
    assert "ETag" not in mine
    assert mine["Cache-Control"] == "private, no-cache" and "Cookie" in mine["Vary"]
    assert stored_pages() == []  # nothing stored from a signed-in visit
    anonymous = Client().get("/layanan/")
    assert name not in anonymous.content.decode()
    assert len(stored_pages()) == 1
    # With a stored copy present, the signed-in visitor still gets a page rendered for them.
    again = signed.get("/layanan/")
    assert name in again.content.decode() and "ETag" not in again
    for key in stored_pages():
        assert name.encode() not in cache.get(key)


def test_a_pending_message_bypasses_the_cache(client):
    client.get("/layanan/")
    client.cookies["messages"] = "pending"
    response = client.get("/layanan/")
    assert "ETag" not in response


@pytest.mark.parametrize("path", ["/masuk/", "/daftar/", "/lacak/", "/staf/"])
def test_other_pages_are_not_stored(client, path):
    client.get(path)
    assert stored_pages() == []


def test_languages_are_stored_apart(client):
    indonesian = client.get("/layanan/").content
    client.cookies["django_language"] = "en"
    english = client.get("/layanan/").content
    assert indonesian != english
    assert len(stored_pages()) == 2


def test_off_when_page_cache_seconds_is_zero(client):
    with override_settings(PAGE_CACHE_SECONDS=0):
        response = client.get("/layanan/")
    assert "ETag" not in response and stored_pages() == []
