"""Anonymous public pages made the same for everyone (docs/adr/0167) in a real browser: the
inline styles, allowed by their hashes instead of a nonce, apply without a CSP violation (the
automatic watcher fails the test otherwise), on the rendering answer and on a stored copy, and
the token-free language switch works."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def page_cache():
    with override_settings(
        PAGE_CACHE_SECONDS=60, CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        cache.clear()
        yield
        cache.clear()


def test_styles_by_hash_apply_and_the_language_switch_works(page, live_server):
    for _visit in range(2):  # rendered, then served from the stored copy
        response = page.goto("/layanan/")
        assert response.headers["cache-control"] == "public, no-cache"
        assert "sha256-" in response.headers["content-security-policy"]
        # The critical CSS (an inline <style>) applied: the skip link is moved off screen.
        assert page.evaluate("getComputedStyle(document.querySelector('a.skip')).position") == "absolute"
    assert page.evaluate("document.cookie").find("csrftoken") == -1
    with page.expect_response(lambda r: r.url.endswith("/i18n/setlang/")) as posted:
        page.locator("form[action='/i18n/setlang/'] button[value='en']").first.click()
    assert posted.value.status == 302, posted.value.status
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
