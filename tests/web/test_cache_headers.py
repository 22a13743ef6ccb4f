"""Anonymous public pages are rendered once and shared, the same bytes for every anonymous
visitor; a signed-in page never is (docs/adr/0146, 0167)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from etam.web import pagecache
from tests.helpers import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_page_cache")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
NONCE = re.compile(r'<style nonce="([^"]+)"')


def stored_pages() -> list[str]:
    """The stored pages' keys (LocMemCache keeps them as ":<version>:<key>")."""
    internal = cache._cache  # type: ignore[attr-defined]
    return [key.split(":", 2)[2] for key in internal if pagecache.KEY_PREFIX in key]


def test_anonymous_catalogue_is_rendered_once_and_served_from_the_cache(client, django_assert_num_queries):
    first = client.get("/layanan/")
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, no-cache"
    assert first["X-Accel-Expires"] == "3"  # nginx's microcache may keep it 3 s
    assert first["ETag"].startswith('W/"')
    assert "Cookie" in first["Vary"]
    assert not first.cookies  # no Set-Cookie: nginx would not keep it, and must not
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
    assert "Content-Security-Policy" not in again  # the browser keeps its copy's header
    # Another anonymous visitor with the same copy revalidates too: the ETag is the page's alone.
    assert Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert Client().get(path, HTTP_IF_NONE_MATCH='W/"other"').status_code == 200


@pytest.mark.parametrize("path", ["/", "/layanan/", "/layanan/?q=sekolah", "/data/"])
def test_anonymous_pages_are_the_same_bytes_for_everyone(path):
    a, b = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first, second = a.get(path), b.get(path)  # rendered, then served from the stored copy
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    body = first.content.decode()
    assert "csrfmiddlewaretoken" not in body and "nonce=" not in body
    assert not first.cookies and not second.cookies
    # Each inline style is allowed by its hash in the header, and no nonce is.
    policy = first["Content-Security-Policy"]
    styles = re.findall(r"<style>(.*?)</style>", body, re.S)
    assert styles
    for css in styles:
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "nonce-" not in policy


def test_a_page_with_a_csrf_input_is_never_made_shared():
    body = b'<form><input type="hidden" name="csrfmiddlewaretoken" value="' + b"a" * 64 + b'"></form>'
    assert pagecache._shareable(body, None) is None
    # A nonce left outside a <style> tag (say on a <link>) keeps the page per visitor too.
    assert pagecache._shareable(b'<link nonce="abc"><style nonce="abc">p{}</style>', "abc") is None
    shared, hashes = pagecache._shareable(b'<style nonce="abc">p{}</style>', "abc")
    assert shared == b"<style>p{}</style>" and len(hashes) == 1


def test_the_language_switch_needs_no_token_but_refuses_other_sites():
    visitor = Client(enforce_csrf_checks=True)
    switched = visitor.post("/i18n/setlang/", {"language": "en", "next": "/layanan/"}, HTTP_ORIGIN="http://testserver")
    assert switched.status_code == 302 and switched.url == "/layanan/"
    assert visitor.cookies["django_language"].value == "en"
    assert visitor.get("/layanan/").content.decode().startswith('<!doctype html>\n<html lang="en">')
    for headers in (
        {"HTTP_ORIGIN": "https://jahat.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_REFERER": "https://jahat.example/halaman"},
    ):
        other = Client(enforce_csrf_checks=True)
        refused = other.post("/i18n/setlang/", {"language": "en", "next": "/"}, **headers)
        assert refused.status_code == 403
        assert "django_language" not in other.cookies
    # GET changes nothing; next never leaves the site.
    assert Client().get("/i18n/setlang/?language=en").status_code == 405
    away = Client().post("/i18n/setlang/", {"language": "en", "next": "https://jahat.example/"})
    assert away.status_code == 302 and away.url == "/"


def test_a_signed_in_page_is_never_stored_or_shared(province):
    name = province.citizen.full_name
    signed = client_for(province.citizen)
    mine = signed.get("/layanan/")
    assert mine.status_code == 200 and name in mine.content.decode()
    assert "ETag" not in mine and "X-Accel-Expires" not in mine  # never for nginx's microcache
    assert mine["Cache-Control"] == "private, no-cache" and "Cookie" in mine["Vary"]
    assert stored_pages() == []  # nothing stored from a signed-in visit
    anonymous = Client().get("/layanan/")
    assert name not in anonymous.content.decode()
    assert len(stored_pages()) == 1
    # With a stored copy present, the signed-in visitor still gets a page rendered for them.
    again = signed.get("/layanan/")
    assert name in again.content.decode() and "ETag" not in again and "X-Accel-Expires" not in again
    for key in stored_pages():
        assert name.encode() not in cache.get(key)


def test_a_pending_message_bypasses_the_cache(client):
    client.get("/layanan/")
    client.cookies["messages"] = "pending"
    response = client.get("/layanan/")
    assert "ETag" not in response and "X-Accel-Expires" not in response


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
