"""Where a request came from, for the audit trail.

Set by ``RequestContextMiddleware`` per request and read by ``audit.record``; jobs and
management commands leave it empty (the event then says so through ``actor_label``).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""  # ours, always made by the server
    client_request_id: str = ""  # what the client sent in X-Request-ID, cleaned; never trusted as ours


EMPTY_CONTEXT = RequestContext()
current_request: ContextVar[RequestContext] = ContextVar("etam_request_context", default=EMPTY_CONTEXT)
