"""The policy in a real browser: the watcher every browser test runs under sees a
violation (so "zero violations" in the other tests means something), and the pages with
the most moving parts (API docs with Swagger UI, charts and maps) draw without one."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_watcher_sees_violations(page, live_server, csp_violations):
    page.goto("/")
    assert "script-src 'self'" in page.evaluate("fetch('/').then(r => r.headers.get('content-security-policy'))")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.evaluate("var s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s)")
    page.wait_for_timeout(300)
    assert page.evaluate("window.ran === undefined"), "an inline script ran"
    assert any("style" in v for v in csp_violations), csp_violations
    assert any("script" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # seen on purpose


def test_api_docs_draw_under_the_policy(page, live_server):
    page.goto("/api/v1/docs")
    page.wait_for_selector("#swagger-ui .opblock", timeout=20_000)


def test_django_admin_draws_under_the_policy(page, live_server, sign_in):
    from tests.factories import UserFactory

    admin = UserFactory(full_name="Root", email="root@example.id", is_staff=True, is_superuser=True)
    sign_in(page, admin)
    page.goto("/django-admin/eservices/holiday/")
    page.wait_for_selector("#changelist")
    page.goto("/django-admin/eservices/holiday/add/")
    page.wait_for_selector("form#holiday_form")
