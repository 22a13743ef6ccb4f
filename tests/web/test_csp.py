"""The Content-Security-Policy (docs/adr/0078): enforced on every response, scripts only
from our origin, inline <style> only with the request's nonce, and pages that need nothing
more than that (no style="" attribute, no inline script, no on*= handler).

The browser side (zero violations while the Playwright journeys run) is in
tests/browser/conftest.py (the ``page`` fixtures fail a test on any violation)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client, override_settings

from etam.eservices import services as eservices
from tests.offline.conftest import definition
from tests.opendata.conftest import make_dataset, publish
from tests.web.public_pages import NOT_FOUND_SAMPLE, discover_public_pages

REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
TEMPLATE_ROOT = Path(__file__).resolve().parents[2] / "etam"


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


class _Inline(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.styles: list[str | None] = []  # nonce of each <style>
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, _value in attrs:
            if name == "style":
                self.problems.append(f"<{tag} style=...> (a style attribute is refused)")
            elif name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (an inline event handler is refused)")
            elif name in ("href", "src", "action") and (_value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "style":
            self.styles.append(named.get("nonce"))
        if tag == "script" and not named.get("src") and named.get("type") != "application/json":
            self.problems.append("<script> without src (inline scripts are refused)")


def csp_problems(response) -> list[str]:
    """Everything wrong with one response under the policy; [] when it is right."""
    header = response.get("Content-Security-Policy")
    if not header:
        return ["no Content-Security-Policy header"]
    problems = []
    if response.has_header("Content-Security-Policy-Report-Only") and not header:
        problems.append("report-only instead of enforced")
    policy = directives(header)
    for name, value in REQUIRED.items():
        if policy.get(name) != [value]:
            problems.append(f"{name} is {policy.get(name)!r}, expected [{value!r}]")
    for name in ("script-src", "default-src", "style-src"):
        for bad in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "'unsafe-hashes'"):
            if bad in policy.get(name, []):
                problems.append(f"{name} allows {bad}")
    if not response.get("Content-Type", "").startswith("text/html"):
        return problems
    parser = _Inline()
    parser.feed(response.content.decode())
    problems += parser.problems
    nonces = [v[len("'nonce-") : -1] for v in policy.get("style-src", []) if v.startswith("'nonce-")]
    for nonce in parser.styles:
        if not nonce or nonce not in nonces:
            problems.append(f"<style nonce={nonce!r}> does not carry the header's nonce {nonces}")
    return problems


@pytest.fixture
def service(province):
    return eservices.service_import(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, document=definition(), publish=True
    )


@pytest.fixture
def dataset(province, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.MEDIA_ROOT = str(tmp_path)
    dataset = make_dataset(province)
    publish(province, dataset)
    return dataset


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_representative_pages_carry_the_enforced_policy(client, province, service, dataset):
    pages = [
        (client, "/", 200),
        (client, f"/layanan/{service.slug}/", 200),
        (as_user(province.citizen), f"/layanan/{service.slug}/ajukan/1/", 200),  # the service form
        (as_user(province.citizen), f"/luring/layanan/{service.slug}/", 200),  # its one-page offline form
        (client, f"/data/{dataset.slug}/", 200),
        (as_user(province.admin_dpmptsp), "/staf/", 200),
        (as_user(province.officer_dpmptsp), "/staf/petugas/", 200),
        (as_user(province.officer_dpmptsp), f"/staf/petugas/layanan/{service.slug}/", 200),
        (client, NOT_FOUND_SAMPLE, 404),
        (client, "/api/v1/docs", 200),
        (client, "/api/v1/openapi.json", 200),
    ]
    failures = []
    for who, path, status in pages:
        response = who.get(path, follow=path.endswith("/ajukan/1/"))
        assert response.status_code == status, (path, response.status_code)
        failures += [f"{path}: {p}" for p in csp_problems(response)]
    assert not failures, "\n".join(failures)
    header = client.get("/")["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


@pytest.mark.django_db
def test_every_public_page_keeps_the_policy(client, province):
    discovery = discover_public_pages(client)
    assert "/" in discovery.pages
    failures = [f"{path}: {p}" for path in discovery.pages for p in csp_problems(client.get(path))]
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_server_error_page_keeps_the_policy(province):
    from django.urls import path

    def boom(request):
        raise RuntimeError("test")

    urlconf = type("Urls", (), {"urlpatterns": [path("boom/", boom)], "handler500": "etam.web.views.server_error"})
    with override_settings(ROOT_URLCONF=urlconf):
        client = Client(raise_request_exception=False)
        response = client.get("/boom/")
    assert response.status_code == 500
    assert not csp_problems(response), csp_problems(response)
    assert b"<style" in response.content


def test_the_project_urlconf_uses_the_server_error_view():
    from config import urls

    assert getattr(urls, "handler500", None) == "etam.web.views.server_error"


def test_templates_need_nothing_unsafe():
    """A template that adds style="", an inline script, an on*= handler or a <style> without
    the nonce is caught here, before a browser refuses it."""
    problems = []
    for template in sorted(TEMPLATE_ROOT.rglob("templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        name = template.relative_to(TEMPLATE_ROOT)
        for match in re.finditer(r"<style\b[^>]*>", text):
            if 'nonce="{{ request.csp_nonce }}"' not in match.group(0) and "{{ csp_nonce }}" not in match.group(0):
                problems.append(f"{name}: {match.group(0)} without the request's nonce")
        for match in re.finditer(r"<[a-zA-Z][^>]*?\s(style|on[a-z]+)\s*=", text):
            problems.append(f"{name}: {match.group(1)}= attribute")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            if "src=" not in attrs and 'type="application/json"' not in attrs:
                problems.append(f"{name}: inline <script>")
    assert not problems, "\n".join(problems)


def test_the_checker_fails_on_each_kind_of_problem():
    class Fake(dict):
        def __init__(self, header: str, body: str) -> None:
            super().__init__({"Content-Security-Policy": header, "Content-Type": "text/html"})
            self.content = body.encode()

        def has_header(self, name: str) -> bool:
            return name in self

    good = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-abc'; object-src 'none'; "
        "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )
    assert csp_problems(Fake(good, '<style nonce="abc">a{}</style><script src="/x.js"></script>')) == []
    assert csp_problems(Fake(good, '<p style="color:red">x</p>'))
    assert csp_problems(Fake(good, '<button onclick="x()">x</button>'))
    assert csp_problems(Fake(good, "<script>alert(1)</script>"))
    assert csp_problems(Fake(good, "<style>a{}</style>"))
    assert csp_problems(Fake(good.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"), ""))
    assert csp_problems(Fake(good.replace("; object-src 'none'", ""), ""))
