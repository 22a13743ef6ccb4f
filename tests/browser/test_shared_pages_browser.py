"""Anonymous public pages made the same for everyone (docs/adr/0167) in a real browser: the
inline styles, allowed by their hashes instead of a nonce, apply without a CSP violation (the
automatic watcher fails the test otherwise), on the rendering answer and on a stored copy, and
the token-free language switch works."""

from __future__ import annotations

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("public_page_cache"),
]


def test_styles_by_hash_apply_and_the_language_switch_works(page, live_server):
    for _visit in range(2):  # rendered, then served from the stored copy
        response = page.goto("/layanan/")
        assert response.headers["cache-control"] == "public, no-cache"
        assert "sha256-" in response.headers["content-security-policy"]
        # The critical CSS (an inline <style>) applied: the skip link is moved off screen.
        assert page.evaluate("getComputedStyle(document.querySelector('a.skip')).position") == "absolute"
    assert page.evaluate("document.cookie").find("csrftoken") == -1
    # The switch posts without a token and is accepted: the page comes back in English. (Not
    # the 302 itself: with the offline service worker active, Chromium reports the redirect's
    # final page under the POST's address, so the status seen here depends on that timing.)
    with page.expect_navigation():
        page.locator("form[action='/i18n/setlang/'] button[value='en']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/layanan/")
    assert page.evaluate("document.documentElement.lang") == "en"
