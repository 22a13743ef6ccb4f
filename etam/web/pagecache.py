"""Anonymous public pages rendered once and kept in the cache (Redis) for everyone (docs/adr/0146).

Only for a GET of a page in ``PUBLIC_PAGES`` (home, the service catalogue and service pages,
the Satu Data search and dataset pages, e.g. the school tables) by a visitor **without a
session cookie and without a pending message**. A signed-in visitor's page, or any page that
showed a message, set a cookie of its own, wrote the session or chose its own Cache-Control,
is never stored and never served from the store.

The two per-visitor parts of such a page are punched out before storing and filled in for
each visitor: the CSRF token of the language switch (``get_token``: the visitor's own, so
the cookie is set for them as usual) and the CSP nonce of the inline style (the request's
own, which CSPMiddleware then puts in the header). So no visitor ever receives another's
token, and the rendering (templates, queries) runs once per page, language and
``PAGE_CACHE_SECONDS``.

Answers carry ``Cache-Control: private, no-cache`` (a browser may keep its copy, a shared
proxy may not: it holds the visitor's token) and a weak ETag of the stored page plus the
visitor's CSRF cookie; a reload with a matching ``If-None-Match`` gets a bodiless 304 without
a CSP header (the browser keeps the header that matches its copy's nonce).

Placed right after RequestContextMiddleware: every header-setting middleware (security,
CSP, CSRF, locale, X-Frame-Options, request id) still runs around a served copy.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

PUBLIC_PAGES = re.compile(r"^/(?:layanan/(?:[-\w]+/)?|data/(?:[-\w]+/)?)?$")
MAX_QUERY = 200
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
CSRF_HOLE = b"\x00etam-csrf\x00"
NONCE_HOLE = b"\x00etam-nonce\x00"
KEY_PREFIX = "pagecache:v1:"


def cacheable_request(request: HttpRequest) -> bool:
    """A GET of a public page by someone without a session and without a pending message."""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and PUBLIC_PAGES.match(request.path) is not None
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def cache_key(request: HttpRequest) -> str:
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    place = f"{request.get_host()}|{language}|{request.get_full_path()}"
    return KEY_PREFIX + hashlib.sha256(place.encode()).hexdigest()


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.has_header("Cache-Control")
        and not response.cookies
        and not (session is not None and (session.modified or session.session_key))
        and not getattr(request.user, "is_authenticated", False)
    )


def _nonce(request: HttpRequest) -> str | None:
    value = getattr(request, "_csp_nonce", None)
    return value if isinstance(value, str) else None


def _etag(stored: bytes, request: HttpRequest) -> str:
    visitor = str(request.META.get("CSRF_COOKIE") or "")  # the visitor's CSRF secret, once known
    return 'W/"' + hashlib.sha256(stored + b"|" + visitor.encode()).hexdigest()[:24] + '"'


def _mark(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Cookie",))
    return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not cacheable_request(request):
            response = self.get_response(request)
            if PUBLIC_PAGES.match(request.path) and not response.has_header("Cache-Control"):
                # The same address signed in (or with a message): this visitor's alone.
                response["Cache-Control"] = "private, no-cache"
                patch_vary_headers(response, ("Cookie",))
            return response
        key = cache_key(request)
        stored = cache.get(key)
        if isinstance(stored, bytes):
            return self._serve(request, stored)
        response = self.get_response(request)
        if not _storable(request, response):
            return response
        body = CSRF_INPUT.sub(rb"\1" + CSRF_HOLE + rb"\2", response.content)
        nonce = _nonce(request)
        if nonce:
            body = body.replace(f'nonce="{nonce}"'.encode(), b'nonce="' + NONCE_HOLE + b'"')
        cache.set(key, body, settings.PAGE_CACHE_SECONDS)
        return _mark(response, _etag(body, request))

    def _serve(self, request: HttpRequest, stored: bytes) -> HttpResponse:
        etag = _etag(stored, request)
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            not_modified = HttpResponseNotModified()
            not_modified._csp_exempt = True  # type: ignore[attr-defined]  # keep the copy's header
            return _mark(not_modified, etag)
        body = stored
        if CSRF_HOLE in body:
            body = body.replace(CSRF_HOLE, get_token(request).encode())
        if NONCE_HOLE in body:
            body = body.replace(NONCE_HOLE, str(request.csp_nonce).encode())  # type: ignore[attr-defined]
        return _mark(HttpResponse(body, content_type="text/html; charset=utf-8"), _etag(stored, request))
