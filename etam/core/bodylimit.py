"""Request body limits: one default, raised per endpoint where a documented upload needs it.

Django refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) with
``RequestDataTooBig`` when a view first reads it; under /api/ that surfaced as a 500.
This middleware answers 413 *before* any view or middleware reads the body, naming the
limit, in the answer format of the part of the site asked: the error envelope under
/api/v1/, a CKAN error under /api/3/, a short text elsewhere. Paths listed in
``settings.REQUEST_BODY_LIMITS`` (exact path → bytes) get their own, larger limit: the
body is read here, within that limit, so Django's default check does not refuse it
later (e.g. /api/v1/documents/verify takes a 20 MB PDF as base64 in JSON). Multipart
uploads are left to each upload's own file limit (Django counts only their non-file
fields against ``DATA_UPLOAD_MAX_MEMORY_SIZE``). See
docs/adr/0081-request-body-limits.md.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def limit_for(path: str) -> int | None:
    limits: dict[str, int] = getattr(settings, "REQUEST_BODY_LIMITS", {})
    if path in limits:
        return limits[path]
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def human(size: int) -> str:
    """2621440 -> "2.5 MB" (binary megabytes, as the limits are set)."""
    mb = size / (1024 * 1024)
    return f"{mb:.1f} MB".replace(".0 MB", " MB")


def too_large_message(limit: int) -> str:
    return _("The request body is larger than the limit of %(limit)s for this address.") % {"limit": human(limit)}


# An API with its own error envelope registers how it answers under its path prefix
# (``etam.api`` registers /api/v1/ in its ``ready``): core imports no API code.
_JSON_RESPONDERS: dict[str, Callable[[int, str, str], HttpResponse]] = {}


def register_error_responder(prefix: str, respond: Callable[[int, str, str], HttpResponse]) -> None:
    """``respond(status, message, code)`` answers for requests under ``prefix``."""
    _JSON_RESPONDERS[prefix] = respond


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    message = too_large_message(limit)
    for prefix, respond in _JSON_RESPONDERS.items():
        if request.path.startswith(prefix):
            return respond(413, message, "payload_too_large")
    if request.path.startswith("/api/3/"):
        return JsonResponse(
            {
                "help": request.build_absolute_uri(request.path),
                "success": False,
                "error": {"__type": "Validation Error", "message": message, "limit_bytes": limit},
            },
            status=413,
        )
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.content_type == "multipart/form-data":
            # Uploads: the files are bounded by each upload's own limit, the other fields by
            # Django's check when the form is parsed (a 413 under /api/v1/ via the handler).
            return self.get_response(request)
        limit = limit_for(request.path)
        if limit is not None and length > limit:
            return too_large_response(request, limit)
        if limit is not None and length and limit > (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0):
            # Read the body now, within this path's own limit, as HttpRequest.body would.
            request._body = request.read(length)  # type: ignore[attr-defined]
            request._stream = io.BytesIO(request._body)  # type: ignore[attr-defined]
        return self.get_response(request)
