"""Shared Playwright fixtures: Debian's Chromium, driven through the sync API.

Write browser tests as ``tests/browser/test_<module>_*.py`` (fixtures here are visible to
that directory only) and mark them ``@pytest.mark.browser``::

    @pytest.mark.browser
    def test_apply_without_javascript(page_nojs, live_server, province):
        page_nojs.goto(live_server.url + "/layanan/")
        ...

- ``browser``: one headless Chromium per session (``/usr/bin/chromium``; the tests skip
  with a reason when it is absent; Playwright never downloads a browser);
- ``page``: a fresh context and page with JavaScript on;
- ``page_nojs``: the same with JavaScript off, for "works without JavaScript";
- ``sign_in``: ``sign_in(page, user)`` puts a signed-in session for ``user`` into the
  page's browser context (no login form, no second factor step);
- ``screenshot_dir``: where screenshots go (``var/screenshots/``, git-ignored);
- ``csp_violations`` (automatic): every browser context a test opens, through these
  fixtures or ``browser.new_context``/``launch_persistent_context`` directly, is watched for
  Content-Security-Policy violations (the page's ``securitypolicyviolation`` events and
  Chromium's "Refused to ..." console lines); any violation fails the test at teardown
  (docs/adr/0078).

Pages speak to pytest-django's ``live_server`` (a real server thread; the database is
transactional for such tests). Navigation that leaves the live server is blocked, so a
third-party request fails the test instead of reaching the internet.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', function (e) {
  if (window.__etamCspViolation) {
    window.__etamCspViolation([e.effectiveDirective, e.blockedURI || '-',
      (e.sourceFile || location.href) + ':' + e.lineNumber, (e.sample || '').slice(0, 80)].join(' '));
  }
}, true);
"""


def _is_csp_message(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


def watch_csp(context, seen: list[str]) -> None:
    """Record every CSP violation in ``context`` (all its pages) into ``seen``."""
    context.expose_binding("__etamCspViolation", lambda source, text: seen.append(f"{source['page'].url}: {text}"))
    context.add_init_script(CSP_LISTENER)
    context.on("console", lambda message: seen.append(message.text) if _is_csp_message(message.text) else None)
    context.on("weberror", lambda error: seen.append(str(error.error)) if _is_csp_message(str(error.error)) else None)


@pytest.fixture(autouse=True)
def csp_violations(monkeypatch) -> Iterator[list[str]]:
    """Fails the test when a page broke the Content-Security-Policy (see watch_csp)."""
    seen: list[str] = []
    try:
        from playwright.sync_api import Browser, BrowserType
    except ImportError:  # pragma: no cover - the browser fixture skips then
        yield seen
        return
    new_context, persistent = Browser.new_context, BrowserType.launch_persistent_context

    def watched_new_context(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        watch_csp(context, seen)
        return context

    def watched_persistent(self, *args, **kwargs):
        context = persistent(self, *args, **kwargs)
        watch_csp(context, seen)
        return context

    monkeypatch.setattr(Browser, "new_context", watched_new_context)
    monkeypatch.setattr(BrowserType, "launch_persistent_context", watched_persistent)
    yield seen
    assert not seen, "Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(seen))


@pytest.fixture(scope="session")
def browser(django_db_setup) -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev requirements include playwright
        pytest.skip("the playwright package is not installed (pip install -r requirements/dev.txt)")
    # Playwright's sync API keeps an event loop in the main thread while it runs; Django
    # then refuses ORM calls from test code unless told that this is deliberate. The
    # test database is set up before (django_db_setup) and torn down after the browser.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                yield instance
            finally:
                instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser, live_server, *, javascript: bool):
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=javascript,
        locale="id-ID",
        viewport={"width": 1280, "height": 900},
    )
    allowed = urlsplit(live_server.url).netloc

    def guard(route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https") and url.netloc != allowed:
            route.abort("blockedbyclient")
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context, new_page = _new_page(browser, live_server, javascript=True)
    yield new_page
    context.close()


@pytest.fixture
def page_nojs(browser, live_server) -> Iterator:
    context, new_page = _new_page(browser, live_server, javascript=False)
    yield new_page
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    path = Path(settings.VAR_DIR) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def sign_in(live_server):
    """``sign_in(page, user)``: the page's context gets a session cookie for ``user``."""
    from django.test import Client

    def do(page, user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )

    return do
