"""Screens the layout tests look at: a 360 px phone and a 1366 px laptop, a browser context
opened at one of them, and the check that a page does not scroll sideways."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 800}


@contextmanager
def opened(browser, live_server, viewport, *, javascript: bool = False, english: bool = False) -> Iterator:
    """A page in a fresh browser context at ``viewport`` (Indonesian unless ``english``), closed afterwards."""
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=javascript, viewport=viewport, locale="id-ID"
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        if english:  # what the language switch leaves behind
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
        yield page
    finally:
        context.close()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} scrolls sideways: {width} px on a {viewport} px screen"
