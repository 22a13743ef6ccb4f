"""Graceful overload: above capacity, a quick 503 with Retry-After and a small "antrean" page.

nginx is the first line (``limit_conn`` in deploy/nginx/etam.conf answers 503 without
touching Etam). This middleware is the second, for what gets past it (docs/adr/0145):

- a request that already waited in the backlog longer than ``OVERLOAD_MAX_QUEUE_MS``
  (nginx stamps ``X-Request-Start: t=<seconds.millis>`` when it accepted the request) is
  answered at once instead of being served late, so a backlog drains rather than grows;
- a process already serving ``OVERLOAD_MAX_INFLIGHT`` requests (threaded workers) answers
  the next one the same way.

The answer touches neither the database nor the session, and is never cached. Probes
(``/healthz``, ``/readyz``) are never shed. First in MIDDLEWARE, so it costs the least.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 10
PROBES = ("/healthz", "/readyz")


def queue_seconds(request: HttpRequest, now: float | None = None) -> float | None:
    """How long the request waited since nginx accepted it, from ``X-Request-Start: t=<s>``;
    None when the header is missing or unreadable (then nothing is shed on that ground)."""
    value = request.headers.get("X-Request-Start", "")
    if value.startswith("t="):
        value = value[2:]
    try:
        started = float(value)
    except ValueError:
        return None
    return (time.time() if now is None else now) - started


def busy_response() -> HttpResponse:
    """503 + Retry-After + a small page in Bahasa Indonesia (English when chosen)."""
    title = escape(_("The queue is full; try again shortly"))
    text = escape(
        _(
            "Very many people are using Etam right now. Your request was not processed and "
            "nothing was lost: reload this page in %(seconds)s seconds."
        )
        % {"seconds": RETRY_AFTER_SECONDS}
    )
    body = (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"
    )
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["X-Antrean"] = "etam"  # who shed it (nginx's own page says "nginx")
    # Not one django.request error line per shed request while overloaded (nginx logs it).
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class OverloadMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.lock = threading.Lock()
        self.inflight = 0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in PROBES:
            return self.get_response(request)
        limit_ms = settings.OVERLOAD_MAX_QUEUE_MS
        if limit_ms:
            waited = queue_seconds(request)
            if waited is not None and waited * 1000 > limit_ms:
                return busy_response()
        limit = settings.OVERLOAD_MAX_INFLIGHT
        with self.lock:
            if limit and self.inflight >= limit:
                return busy_response()
            self.inflight += 1
        try:
            return self.get_response(request)
        finally:
            with self.lock:
                self.inflight -= 1
