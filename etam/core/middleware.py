from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from etam.core.context import RequestContext, current_request
from etam.core.ratelimit import client_ip


class RequestContextMiddleware:
    """Records the client address and a request id for audit events written during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID", "")[:36] or str(uuid.uuid4())
        token = current_request.set(
            RequestContext(
                # The client as far as TRUSTED_PROXY_COUNT vouches for it (one rule for all).
                ip_address=client_ip(request) or None,
                user_agent=request.headers.get("User-Agent", "")[:255],
                request_id=request_id,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = request_id
        return response
