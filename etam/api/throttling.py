"""Rate limiting for /api/v1/ and the CKAN actions, per token, per signed-in user, or per
client address (docs/adr/0074-...).

One budget per caller across both APIs. The count is an atomic fixed-window counter
(``etam.core.ratelimit.hit``), so concurrent requests cannot read the same count; the client
address comes from ``etam.core.ratelimit.client_ip`` (``TRUSTED_PROXY_COUNT``), never from a
forwarded header Etam was not told to trust. The rate is read from
``settings.API_RATE_LIMIT`` (env ``API_RATE_LIMIT``, "600/m" by default) on each request;
empty or "off" switches limiting off, as the test settings do so that pinned query counts
stay about the endpoints.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from etam.core import ratelimit
from etam.core.ratelimit import parse_rate

DEFAULT_RATE = "600/m"

__all__ = ["DEFAULT_RATE", "CallerRateThrottle", "caller_ident", "check", "current_rate", "parse_rate"]


def current_rate() -> str | None:
    """The configured rate, or None when limiting is off (empty, "off")."""
    rate = getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE)
    if not rate or str(rate).lower() == "off":
        return None
    return str(rate)


def caller_ident(request: HttpRequest, caller: Any = None) -> str:
    """Token, else signed-in user, else client address (/64 for IPv6)."""
    token = getattr(caller, "_etam_api_token", None)
    if token is not None:
        return f"token:{token.pk}"
    if caller is not None and getattr(caller, "pk", None) is not None and getattr(caller, "is_authenticated", True):
        return f"user:{caller.pk}"
    return f"ip:{ratelimit.address_key(request)}"


def check(request: HttpRequest, caller: Any = None) -> ratelimit.Verdict | None:
    """Count this request against the caller's API budget; None when limiting is off."""
    rate = current_rate()
    if not rate:
        return None
    limit, duration = parse_rate(rate)
    return ratelimit.hit(f"api:{caller_ident(request, caller)}", limit, duration)


class CallerRateThrottle(BaseThrottle):
    """Ninja's throttle hook around ``check``. Thread-safe: per-request state is kept in a
    thread-local, not on the shared throttle object."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get_ident(self, request: HttpRequest) -> str:
        return ratelimit.client_ip(request)  # never Ninja's own X-Forwarded-For reading

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.wait = None
        verdict = check(request, getattr(request, "auth", None))
        if verdict is None or verdict.allowed:
            return True
        self._local.wait = float(verdict.retry_after)
        return False

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
