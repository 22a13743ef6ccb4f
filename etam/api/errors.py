"""One error envelope for every 4xx/5xx answer under /api/v1/.

    {"error": {"code": "validation_error",
               "message": "Ada isian yang tidak valid ...",
               "fields": [{"path": "body.email", "message": "..."}],
               "request_id": "..."}}

``code`` is stable and machine-readable (English snake case); ``message`` is for people
(Bahasa Indonesia by default, English with ``Accept-Language: en``); ``fields`` is present
for validation errors, each with the path of the bad input (``body.x``, ``query.x``,
``path.x``). Unexpected exceptions answer 500 without internals; the request id ties the
answer to the server log.

Endpoints raise ordinary exceptions (``PermissionDenied``, ``Http404``,
``django.core.exceptions.ValidationError`` from services) or ``ApiError`` for a specific
code; they never build error responses themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from etam.core.context import current_request
from etam.core.storage_errors import storage_unavailable

logger = logging.getLogger("etam.api")

STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


class FieldErrorOut(Schema):
    path: str
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    fields: list[FieldErrorOut] = []
    request_id: str = ""


class ErrorOut(Schema):
    """The error envelope."""

    error: ErrorBody


# Error answers any operation may give, whatever it does: a malformed or oversized body
# (400, 413), out-of-range input (422), a missing object (404), a conflict (409), the rate
# limit (429, production), an unexpected failure (500). Spread into ``response={...}``;
# ``document_errors`` adds the ones an operation leaves out to the OpenAPI document, so
# every status the API answers is documented (the fuzzing gate, ADR 0080).
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 429: ErrorOut, 500: ErrorOut}
COMMON_ERRORS: dict[int, type[Schema]] = {
    **AUTH_ERRORS,
    400: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}
DOCUMENTED_ERRORS: tuple[int, ...] = (400, 401, 403, 404, 409, 413, 422, 429, 500, 503)
_DESCRIPTIONS = {
    400: "Malformed request (e.g. the body is not valid JSON)",
    401: "Not authenticated",
    403: "Permission denied",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Request body larger than the limit for this address",
    422: "Invalid input; see error.fields",
    429: "Too many requests (rate limit); see Retry-After",
    500: "Unexpected error; quote error.request_id",
    503: "A backing service (e.g. object storage) is unavailable; nothing was saved, retry later",
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add every error status of ``DOCUMENTED_ERRORS`` that an operation leaves out, with
    the envelope's schema, to an OpenAPI document (in place; returned for chaining)."""
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            present = {str(key) for key in responses}
            for status in DOCUMENTED_ERRORS:
                if str(status) in present:
                    continue
                # Ninja keys responses by int; keep one key type so the document sorts.
                responses.setdefault(
                    status if any(isinstance(k, int) for k in responses) else str(status),
                    {"description": _DESCRIPTIONS[status], "content": {"application/json": {"schema": ref}}},
                )
    return schema


class ApiError(HttpError):
    """An HTTP error with an explicit machine code, e.g. ``ApiError(409, "duplicate_code", _("..."))``."""

    def __init__(self, status_code: int, code: str, message: str, fields: Iterable[Mapping[str, str]] = ()) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.fields = [dict(f) for f in fields]


def envelope(status: int, message: str, *, code: str | None = None, fields: list[dict[str, str]] | None = None) -> dict:
    body: dict[str, Any] = {"code": code or STATUS_CODES.get(status, f"http_{status}"), "message": str(message)}
    if fields:
        body["fields"] = fields
    body["request_id"] = current_request.get().request_id
    return {"error": body}


def error_response(
    status: int, message: str, *, code: str | None = None, fields: list[dict[str, str]] | None = None
) -> JsonResponse:
    """The envelope as a plain Django response (for views outside Ninja's operations)."""
    response = JsonResponse(envelope(status, message, code=code, fields=fields), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="etam"'
    return response


def default_message(status: int) -> str:
    messages = {
        400: _("The request is malformed."),
        401: _("Sign in, or send a valid API token in the header Authorization: Bearer <token>."),
        403: _("You do not have permission for this action."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("The request conflicts with the current state."),
        413: _("The request body is too large."),
        422: _("Some input is invalid; see the list of fields."),
        429: _("Too many requests. Wait a moment, then try again."),
        500: _("An unexpected error occurred. It has been logged; quote the request id when reporting it."),
    }
    return messages.get(status, _("The request could not be completed."))


# --- validation errors: paths and Indonesian messages ---------------------------------


def _path(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    # Our endpoints name their body parameter ``payload``; it is not part of the input.
    if len(parts) > 2 and parts[0] == "body" and parts[1] == "payload":
        del parts[1]
    return ".".join(parts)


def _field_label(loc: Iterable[Any]) -> str:
    names = [str(p) for p in loc if not isinstance(p, int)]
    return names[-1] if names else "body"


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    field = _field_label(error.get("loc", ()))
    params = {"field": field, **{k: v for k, v in ctx.items() if isinstance(v, str | int | float)}}
    templates: dict[str, Callable[[], str]] = {
        "missing": lambda: _("%(field)s: required."),
        "string_too_short": lambda: _("%(field)s: at least %(min_length)s characters."),
        "string_too_long": lambda: _("%(field)s: at most %(max_length)s characters."),
        "string_type": lambda: _("%(field)s: must be text."),
        "int_parsing": lambda: _("%(field)s: must be a whole number, e.g. 12."),
        "int_type": lambda: _("%(field)s: must be a whole number, e.g. 12."),
        "int_from_float": lambda: _("%(field)s: must be a whole number, e.g. 12."),
        "float_parsing": lambda: _("%(field)s: must be a number, e.g. 12.5."),
        "bool_parsing": lambda: _("%(field)s: must be true or false."),
        "bool_type": lambda: _("%(field)s: must be true or false."),
        "datetime_parsing": lambda: _(
            "%(field)s: must be a date and time in ISO 8601 form, e.g. 2025-12-31T23:59:00+08:00."
        ),
        "datetime_from_date_parsing": lambda: _(
            "%(field)s: must be a date and time in ISO 8601 form, e.g. 2025-12-31T23:59:00+08:00."
        ),
        "datetime_type": lambda: _(
            "%(field)s: must be a date and time in ISO 8601 form, e.g. 2025-12-31T23:59:00+08:00."
        ),
        "date_parsing": lambda: _("%(field)s: must be a date in ISO 8601 form, e.g. 2025-12-31."),
        "date_from_datetime_parsing": lambda: _("%(field)s: must be a date in ISO 8601 form, e.g. 2025-12-31."),
        "list_type": lambda: _("%(field)s: must be a list."),
        "dict_type": lambda: _("%(field)s: must be an object."),
        "model_attributes_type": lambda: _("%(field)s: must be an object."),
        "greater_than_equal": lambda: _("%(field)s: must be at least %(ge)s."),
        "greater_than": lambda: _("%(field)s: must be more than %(gt)s."),
        "less_than_equal": lambda: _("%(field)s: must be at most %(le)s."),
        "less_than": lambda: _("%(field)s: must be less than %(lt)s."),
        "literal_error": lambda: _("%(field)s: must be one of %(expected)s."),
        "enum": lambda: _("%(field)s: must be one of %(expected)s."),
        "json_invalid": lambda: _("The request body is not valid JSON."),
        "uuid_parsing": lambda: _("%(field)s: must be a UUID."),
        "email": lambda: _("%(field)s: must be an email address, e.g. nama@kaltimprov.go.id."),
        "value_error": lambda: _("%(field)s: %(error)s"),
    }
    template = templates.get(kind)
    if template is None:
        params["detail"] = str(error.get("msg", ""))
        return _("%(field)s: invalid value (%(detail)s).") % params
    try:
        return template() % params
    except (KeyError, TypeError, ValueError):
        return _("%(field)s: invalid value (%(detail)s).") % {"field": field, "detail": error.get("msg", "")}


def validation_fields(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [{"path": _path(e.get("loc", ())), "message": _message(e)} for e in errors]


def django_validation_fields(exc: DjangoValidationError, prefix: str = "body") -> list[dict[str, str]]:
    """Field errors raised by a service (``ValidationError({"name": [...]})``)."""
    if hasattr(exc, "error_dict"):
        return [
            {"path": f"{prefix}.{name}" if name != "__all__" else prefix, "message": str(message)}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"path": prefix, "message": str(message)} for message in exc.messages]


# --- handlers -------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    """Register the envelope handlers on ``api`` (replacing Ninja's defaults)."""

    def respond(
        request: HttpRequest, status: int, message: str, *, code: str | None = None, fields: Any = None
    ) -> HttpResponse:
        response = api.create_response(request, envelope(status, message, code=code, fields=fields), status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="etam"'
        return response

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 422, default_message(422), fields=validation_fields(exc.errors))

    def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 422, default_message(422), fields=django_validation_fields(exc))

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        status = exc.status_code
        if isinstance(exc, ApiError):
            return respond(request, status, exc.message, code=exc.code, fields=exc.fields)
        if isinstance(exc, AuthenticationError):
            return respond(request, status, default_message(401))
        if isinstance(exc, Throttled):
            return respond(request, 429, default_message(429))
        if status == 400 and exc.message == "Cannot parse request body":
            return respond(request, 400, _("The request body is not valid JSON."), code="invalid_json")
        if status == 403 and exc.message == "CSRF check Failed":
            return respond(
                request,
                403,
                _("The CSRF check failed: send the X-CSRFToken header with a session, or use an API token."),
                code="csrf_failed",
            )
        if status >= 500:
            logger.error("HttpError %s: %s", status, exc.message)
            return respond(request, status, default_message(500))
        return respond(request, status, exc.message or default_message(status))

    def on_permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 403, str(exc) or default_message(403))

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, default_message(404))

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        from etam.core.bodylimit import limit_for, too_large_message

        limit = limit_for(request.path) or 0
        return respond(request, 413, too_large_message(limit), code="payload_too_large")

    def on_too_many(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 413, _("The request has too many fields or files."), code="payload_too_large")

    def on_suspicious(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 400, default_message(400))

    def on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        if storage_unavailable(exc):
            # The request's transaction rolled back: nothing is half-written, and the client
            # may retry (with the same Idempotency-Key).
            logger.error("object storage unavailable on %s %s: %s", request.method, request.path, exc)
            return respond(
                request,
                503,
                _("File storage is unavailable right now; nothing was saved. Try again in a few minutes."),
                code="storage_unavailable",
            )
        logger.exception(
            "unexpected error on %s %s (request %s, client request id %r)",
            request.method,
            request.path,
            current_request.get().request_id,
            current_request.get().client_request_id,
            exc_info=exc,
        )
        return respond(request, 500, default_message(500))

    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(TooManyFieldsSent, on_too_many)
    api.add_exception_handler(TooManyFilesSent, on_too_many)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
    api.add_exception_handler(Exception, on_unexpected)


def enveloped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a URL view under /api/v1/ so answers produced outside Ninja's operations (405
    from the path dispatcher, the API root, the docs views) use the envelope too."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_response(404, default_message(404))
        except PermissionDenied as exc:
            return error_response(403, str(exc) or default_message(403))
        except Exception as exc:
            logger.exception("unexpected error on %s %s", request.method, request.path, exc_info=exc)
            return error_response(500, default_message(500))
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            replaced = error_response(response.status_code, default_message(response.status_code))
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response

    for attribute in ("csrf_exempt",):
        if hasattr(view, attribute):
            setattr(wrapper, attribute, getattr(view, attribute))
    return wrapper


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return error_response(404, default_message(404))
