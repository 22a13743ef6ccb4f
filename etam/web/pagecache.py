"""Anonymous public pages rendered once and kept in the cache (Redis) for everyone (docs/adr/0146).

Only for a GET of a page in ``PUBLIC_PAGES`` (home, the service catalogue and service pages,
the Satu Data search and dataset pages, e.g. the school tables) by a visitor **without a
session cookie and without a pending message**. A signed-in visitor's page, or any page that
showed a message, set a cookie of its own, wrote the session or chose its own Cache-Control,
is never stored and never served from the store.

**Shared** (docs/adr/0167): a page with no CSRF input (the language switch needs none since
ADR 0167) is made the same for every anonymous visitor: its inline ``<style nonce>`` blocks
lose the nonce and are allowed by their SHA-256 in this answer's CSP instead. It is served with
``Cache-Control: public, no-cache``, a weak ETag of the body alone, no cookie, and
``X-Accel-Expires: PAGE_SHARED_CACHE_SECONDS`` so that nginx's microcache (deploy/nginx/etam.conf)
keeps it for a few seconds without asking Etam again. Nothing per visitor is in it.

**Holes** (docs/adr/0146, the fallback for a public page that still carries a CSRF input): the
token and the nonce are punched out before storing and filled in for each visitor (their own
``get_token``, this request's nonce); such an answer is ``private, no-cache``, its ETag includes
the visitor's CSRF secret, and nginx never keeps it. Either way a reload with a matching
``If-None-Match`` gets a bodiless 304 without a CSP header.

Placed right after RequestContextMiddleware: every header-setting middleware (security,
CSP, CSRF, locale, X-Frame-Options, request id) still runs around a served copy.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers

from etam.core import pageholes

SELF = "'self'"

PUBLIC_PAGES = re.compile(r"^/(?:layanan/(?:[-\w]+/)?|data/(?:[-\w]+/)?)?$")
MAX_QUERY = 200
CSRF_INPUT = pageholes.CSRF_INPUT
KEY_PREFIX = "pagecache:v2:"


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


def _etag(stored: bytes, request: HttpRequest | None) -> str:
    """Of the stored page; with holes, also of the visitor's CSRF secret (their own copy)."""
    visitor = str(request.META.get("CSRF_COOKIE") or "") if request is not None else ""
    return 'W/"' + hashlib.sha256(stored + b"|" + visitor.encode()).hexdigest()[:24] + '"'


def _mark(response: HttpResponse, etag: str, *, shared: bool = False) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache" if shared else "private, no-cache"
    if shared and settings.PAGE_SHARED_CACHE_SECONDS > 0:
        # nginx's microcache only: nginx reads it and does not pass it on (proxy_hide_header).
        response["X-Accel-Expires"] = str(settings.PAGE_SHARED_CACHE_SECONDS)
    patch_vary_headers(response, ("Cookie",))
    return response


def _style_hash(css: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(css).digest()).decode() + "'"


def _shareable(body: bytes, nonce: str | None) -> tuple[bytes, tuple[str, ...]] | None:
    """The page made the same for everyone: each ``<style nonce="...">`` loses its nonce and is
    allowed by its hash instead. None if anything per visitor is left (a CSRF input, the nonce
    elsewhere)."""
    if CSRF_INPUT.search(body):
        return None
    hashes: list[str] = []
    if nonce:
        tag = re.compile(rb'<style nonce="' + re.escape(nonce.encode()) + rb'">(.*?)</style>', re.S)

        def strip(match: re.Match[bytes]) -> bytes:
            hashes.append(_style_hash(match.group(1)))
            return b"<style>" + match.group(1) + b"</style>"

        body = tag.sub(strip, body)
        if nonce.encode() in body:
            return None
    return body, tuple(dict.fromkeys(hashes))


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
        if isinstance(stored, tuple) and len(stored) == 2:
            return self._serve_shared(request, *stored)
        if isinstance(stored, bytes):
            return self._serve(request, stored)
        response = self.get_response(request)
        if not _storable(request, response):
            return response
        nonce = pageholes.request_nonce(request)
        shared = _shareable(response.content, nonce)
        if shared is not None:
            cache.set(key, shared, settings.PAGE_CACHE_SECONDS)
            return self._serve_shared(request, *shared)
        body = pageholes.punch(response.content, nonce)
        cache.set(key, body, settings.PAGE_CACHE_SECONDS)
        return _mark(response, _etag(body, request))

    def _serve_shared(self, request: HttpRequest, body: bytes, hashes: tuple[str, ...]) -> HttpResponse:
        etag = _etag(body, None)
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            not_modified = HttpResponseNotModified()
            not_modified._csp_exempt = True  # type: ignore[attr-defined]
            return _mark(not_modified, etag, shared=True)
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
        # The inline styles by their hashes, no nonce: the same header for every visitor.
        response._csp_replace = {"style-src": [SELF, *hashes]}  # type: ignore[attr-defined]
        return _mark(response, etag, shared=True)

    def _serve(self, request: HttpRequest, stored: bytes) -> HttpResponse:
        etag = _etag(stored, request)
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            not_modified = HttpResponseNotModified()
            not_modified._csp_exempt = True  # type: ignore[attr-defined]  # keep the copy's header
            return _mark(not_modified, etag)
        body = pageholes.fill(stored, request)
        return _mark(HttpResponse(body, content_type="text/html; charset=utf-8"), _etag(stored, request))
