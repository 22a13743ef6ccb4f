"""Every public page keeps the budgets in DESIGN.md; the checker itself is shown to fail."""

from __future__ import annotations

import gzip
import os

import pytest
from django.test import override_settings

from etam.web.budget import register_public_sample, unregister_public_sample
from tests.web.budget_checker import (
    HTML_BUDGET,
    TOTAL_BUDGET,
    Fetched,
    check_page,
    client_fetcher,
)
from tests.web.public_pages import NOT_FOUND_SAMPLE, discover_public_pages, parameterless_paths


@pytest.mark.django_db
def test_every_public_page_keeps_the_budget(client, province, capsys):
    discovery = discover_public_pages(client)
    assert "/" in discovery.pages, discovery.skipped
    fetch = client_fetcher(client)
    reports = [check_page(path, fetch) for path in discovery.pages]
    not_found = check_page(NOT_FOUND_SAMPLE, fetch)
    with capsys.disabled():
        print(f"\npage budget: {len(reports)} public page(s) + the 404 page")
        for report in [*reports, not_found]:
            print("  " + report.summary())
        excluded = [p for p, reason in discovery.skipped.items() if reason == "excluded prefix"]
        print(f"  ({len(excluded)} URL(s) under excluded prefixes not fetched)")
        for path, reason in sorted(discovery.skipped.items()):
            if reason != "excluded prefix":
                print(f"  skipped {path}: {reason}")
    problems = [f"{r.path}: {p}" for r in [*reports, not_found] for p in r.problems]
    problems += [f"{path}: {error}" for path, error in discovery.errors.items()]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_citizens_own_pages_keep_the_budget(client, province, capsys):
    """Signed in (issue 15): the account pages and the list of one's applications, with a
    submitted application in it, keep the same budgets as the public pages."""
    from etam.eservices import demo_definitions
    from etam.eservices import services as eservices
    from tests.eservices.conftest import info_answers, publish

    service = publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.informasi_publik())
    submission = eservices.application_submit(actor=province.citizen, service=service, answers=info_answers())
    client.force_login(province.citizen)
    fetch = client_fetcher(client)
    paths = [
        "/akun/",
        "/akun/profil/",
        "/akun/kata-sandi/",
        "/permohonan/",
        f"/permohonan/{submission.application.tracking_number}/",
    ]
    reports = [check_page(path, fetch) for path in paths]
    with capsys.disabled():
        print(f"\npage budget, signed in as a citizen: {len(reports)} page(s)")
        for report in reports:
            print("  " + report.summary())
    assert all(client.get(path).status_code == 200 for path in paths)
    problems = [f"{r.path}: {p}" for r in reports for p in r.problems]
    assert not problems, "\n".join(problems)


def test_discovery_finds_parameterless_urls_and_ignores_parameterised_ones():
    paths = set(parameterless_paths())
    assert {"/", "/staf/", "/healthz"} <= paths
    assert not any("<" in p or "(?P" in p for p in paths)


@pytest.mark.django_db
def test_registered_samples_are_included(client):
    def sample():
        return ["/?halaman=contoh"]

    register_public_sample(sample)
    try:
        pages = discover_public_pages(client).pages
    finally:
        unregister_public_sample(sample)
    assert "/?halaman=contoh" in pages
    assert "/staf/" not in pages  # login required and excluded
    assert "/healthz" not in pages  # JSON, not a page


# --- the checker fails when a rule is broken ------------------------------------------

PAGE = """<!doctype html><html lang="id"><head><title>x</title>{head}</head>
<body><main id="konten"><h1>x</h1>{body}</main></body></html>"""


def fake_site(pages: dict[str, tuple[str, bytes]]):
    def fetch(path: str) -> Fetched:
        if path not in pages:
            return Fetched(status=404, content_type="text/html", body=b"not found")
        content_type, body = pages[path]
        if content_type.startswith("text/html"):
            return Fetched(status=200, content_type=content_type, body=gzip.compress(body), content_encoding="gzip")
        return Fetched(status=200, content_type=content_type, body=body)

    return fetch


def test_a_light_page_passes():
    site = fake_site(
        {
            "/": ("text/html", PAGE.format(head='<link rel="stylesheet" href="/s.css">', body="hello").encode()),
            "/s.css": ("text/css", b"body{color:#000;background:url(/bg.png)}"),
            "/bg.png": ("image/png", b"\x89PNG" + b"\0" * 100),
        }
    )
    report = check_page("/", site)
    assert report.problems == []
    assert [a.url for a in report.assets] == ["/s.css", "/bg.png"]


def test_an_oversized_page_is_flagged():
    incompressible = os.urandom(12 * 1024).hex()  # ~24 KB of text that gzip cannot shrink below ~13 KB
    site = fake_site({"/": ("text/html", PAGE.format(head="", body=incompressible).encode())})
    report = check_page("/", site)
    assert report.html_compressed > HTML_BUDGET
    assert any("first-render budget" in p for p in report.problems)


def test_heavy_assets_break_the_total_budget():
    big_image = os.urandom(TOTAL_BUDGET)
    site = fake_site(
        {
            "/": ("text/html", PAGE.format(head="", body='<img src="/foto.jpg" alt="">').encode()),
            "/foto.jpg": ("image/jpeg", big_image),
        }
    )
    report = check_page("/", site)
    assert report.total > TOTAL_BUDGET
    assert any("total transfer" in p for p in report.problems)


def test_heavy_javascript_is_flagged():
    site = fake_site(
        {
            "/": ("text/html", PAGE.format(head="", body='<script src="/app.js"></script>').encode()),
            "/app.js": ("application/javascript", os.urandom(21 * 1024)),
        }
    )
    assert any("JavaScript is" in p for p in check_page("/", site).problems)


@pytest.mark.parametrize(
    "head, blocking",
    [
        ('<script src="/a.js"></script>', True),
        ("<script>var x = 1;</script>", True),
        ("<script defer>var x = 1;</script>", True),  # defer does nothing for inline scripts
        ('<script src="/a.js" defer></script>', False),
        ('<script src="/a.js" async></script>', False),
        ('<script type="module" src="/a.js"></script>', False),
        ('<script type="application/ld+json">{}</script>', False),
    ],
)
def test_render_blocking_scripts_in_head_are_flagged(head, blocking):
    site = fake_site({"/": ("text/html", PAGE.format(head=head, body="").encode()), "/a.js": ("text/javascript", b"1")})
    problems = check_page("/", site).problems
    assert any("render-blocking" in p for p in problems) is blocking


@pytest.mark.parametrize(
    "markup",
    [
        '<link rel="stylesheet" href="https://cdn.example.com/x.css">',
        '<script src="//cdn.example.com/x.js" defer></script>',
        '<img src="https://tile.example.org/1.png" alt="">',
        '<style>@import "https://fonts.example.com/css";</style>',
        '<div style="background:url(https://img.example.net/a.png)"></div>',
        '<link rel="preconnect" href="https://fonts.example.com">',
    ],
)
def test_third_party_requests_are_flagged(markup):
    site = fake_site({"/": ("text/html", PAGE.format(head="", body=markup).encode())})
    assert any("third-party request" in p for p in check_page("/", site).problems)


def test_third_party_reference_inside_a_local_stylesheet_is_flagged():
    site = fake_site(
        {
            "/": ("text/html", PAGE.format(head='<link rel="stylesheet" href="/s.css">', body="").encode()),
            "/s.css": ("text/css", b"@font-face{src:url(https://fonts.example.com/f.woff2)}"),
        }
    )
    assert any("fonts.example.com" in p for p in check_page("/", site).problems)


def test_a_broken_local_reference_is_flagged():
    site = fake_site({"/": ("text/html", PAGE.format(head='<link rel="icon" href="/hilang.svg">', body="").encode())})
    assert any("answers 404" in p for p in check_page("/", site).problems)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.web.discovery_urls")
def test_discovery_classifies_every_kind_of_url(client):
    found = discover_public_pages(client)
    assert sorted(found.pages) == ["/", "/bagian/dalam/", "/tetap.html"]
    assert list(found.errors) == ["/rusak/"] and "halaman rusak" in found.errors["/rusak/"]
    assert found.skipped == {
        "/api/halaman/": "excluded prefix",
        "/data.json": "not an HTML page (application/json)",
        "/masuk-dulu/": "answers 302",
        "/unduh/": "not an HTML page (text/html)",
    }
    assert client.raise_request_exception  # restored
