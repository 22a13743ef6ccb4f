from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from etam.core.context import RequestContext, current_request
from etam.core.ratelimit import client_ip

CLIENT_REQUEST_ID_MAX = 64
_NOT_ID_CHARACTER = re.compile(r"[^A-Za-z0-9._:-]")


def client_request_id(value: str) -> str:
    """The client's correlation id, reduced to id characters and capped (for logs and the audit trail)."""
    return _NOT_ID_CHARACTER.sub("", value[: CLIENT_REQUEST_ID_MAX * 4])[:CLIENT_REQUEST_ID_MAX]


class RequestContextMiddleware:
    """Records the client address and a request id for audit events written during the request.

    The request id is always made here (a UUID): a client's ``X-Request-ID`` is kept apart as
    ``client_request_id`` so that nobody can plant ids in the sealed audit trail (issue 10).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        token = current_request.set(
            RequestContext(
                # The client as far as TRUSTED_PROXY_COUNT vouches for it (one rule for all).
                ip_address=client_ip(request) or None,
                user_agent=request.headers.get("User-Agent", "")[:255],
                request_id=request_id,
                client_request_id=client_request_id(request.headers.get("X-Request-ID", "")),
            )
        )
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = request_id
        return response
