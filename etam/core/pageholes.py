"""A rendered page kept for later with its per-request parts punched out (docs/adr/0146, 0168).

Two things in an Etam page belong to one request and must never be served to another: the
CSRF token of each form (bound to the visitor's ``csrftoken`` cookie) and the CSP nonce of the
inline ``<style>`` blocks (bound to this answer's header). ``punch`` replaces both by
placeholders before a page is stored; ``fill`` puts in *this* request's token (``get_token``,
which also sets the visitor's cookie as usual) and nonce (which CSPMiddleware then writes into
the header). Used by the anonymous page cache (etam.web.pagecache) and the citizen's case page
(etam.eservices.views.case_detail).
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.middleware.csrf import get_token

CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
CSRF_HOLE = b"\x00etam-csrf\x00"
NONCE_HOLE = b"\x00etam-nonce\x00"


def request_nonce(request: HttpRequest) -> str | None:
    """This request's CSP nonce if the page used one (never creates one)."""
    value = getattr(request, "_csp_nonce", None)
    return value if isinstance(value, str) else None


def punch(body: bytes, nonce: str | None) -> bytes:
    body = CSRF_INPUT.sub(rb"\1" + CSRF_HOLE + rb"\2", body)
    if nonce:
        body = body.replace(f'nonce="{nonce}"'.encode(), b'nonce="' + NONCE_HOLE + b'"')
    return body


def fill(stored: bytes, request: HttpRequest) -> bytes:
    body = stored
    if CSRF_HOLE in body:
        body = body.replace(CSRF_HOLE, get_token(request).encode())
    if NONCE_HOLE in body:
        body = body.replace(NONCE_HOLE, str(request.csp_nonce).encode())  # type: ignore[attr-defined]
    return body
