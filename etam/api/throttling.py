"""Rate limiting for /api/v1/, per token, per signed-in user, or per client address.

The counts live in Django's cache (database cache on the embedded default, Redis when
``REDIS_URL`` is set), so every web process behind the proxy shares them. The rate is
read from ``settings.API_RATE_LIMIT`` (env ``API_RATE_LIMIT``, "600/m" by default) on each
request; empty or "off" switches limiting off, as the test settings do so that pinned
query counts stay about the endpoints.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

DEFAULT_RATE = "600/m"


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/m" -> (600, 60). Raises ValueError on anything else."""
    count, _slash, period = rate.partition("/")
    if not count.strip().isdigit() or period.strip()[:1] not in _PERIODS:
        raise ValueError(f"API_RATE_LIMIT must look like 600/m, not {rate!r}")
    return int(count), _PERIODS[period.strip()[:1]]


def current_rate() -> str | None:
    """The configured rate, or None when limiting is off (empty, "off")."""
    rate = getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE)
    if not rate or str(rate).lower() == "off":
        return None
    return str(rate)


class CallerRateThrottle(BaseThrottle):
    """A sliding window of request times per caller. Thread-safe: per-request state is
    kept in a thread-local, not on the shared throttle object."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _ident(self, request: HttpRequest) -> str:
        caller: Any = getattr(request, "auth", None)
        token = getattr(caller, "_etam_api_token", None)
        if token is not None:
            return f"token:{token.pk}"
        if caller is not None and getattr(caller, "pk", None) is not None:
            return f"user:{caller.pk}"
        return f"ip:{self.get_ident(request)}"

    def allow_request(self, request: HttpRequest) -> bool:
        rate = current_rate()
        self._local.wait = None
        if not rate:
            return True
        limit, duration = parse_rate(rate)
        key = f"etam_api_rate:{self._ident(request)}"
        now = time.time()
        history = [t for t in cache.get(key, []) if t > now - duration]
        if len(history) >= limit:
            self._local.wait = max(1.0, duration - (now - history[-1]))
            return False
        history.insert(0, now)
        cache.set(key, history, duration)
        return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
