"""Who is calling (the client address) and how often (atomic counters): the one place every
limiter and every record of a client address goes through (docs/adr/0074-...).

**Client address.** ``client_ip(request)`` trusts ``X-Forwarded-For`` only as far as
``settings.TRUSTED_PROXY_COUNT`` (env ``TRUSTED_PROXY_COUNT``, default 0) says: with 0 the
header is ignored and ``REMOTE_ADDR`` is the client; with N reverse proxies in front of
Etam, each appending the address it received the request from, the client is the N-th
entry from the right. Whatever a client writes further left is never read. Used by the API
throttle, the CKAN actions, django-axes (``AXES_CLIENT_IP_CALLABLE``), the registration and
e-services limits and the audit trail's ``ip_address``.

**Counters.** ``hit(key, window)`` adds one to a fixed-window counter and returns the new
count, atomically on every cache Etam supports: the embedded database cache's ``incr`` is a
read followed by a write, so on it the counter is one SQL statement on ``etam_rate_counter``
(``INSERT ... ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count``, SQLite 3.35+
and PostgreSQL); on Redis, Memcached or the local-memory cache it is ``cache.add`` +
``cache.incr`` (Redis ``INCR``). ``_counter()`` is the one seam that picks.
"""

from __future__ import annotations

import ipaddress
import math
import random
import time
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest

# --- client address -------------------------------------------------------------------


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address, as far as the configured proxies can vouch for it ("" if unknown)."""
    remote = _valid_ip(str(request.META.get("REMOTE_ADDR") or "")) or ""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    entries = [e.strip() for e in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if e.strip()]
    if not entries:
        return remote
    return _valid_ip(entries[-min(proxies, len(entries))]) or remote


def axes_client_ip(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: django-axes sees the same address as everything else."""
    return client_ip(request)


def address_key(request: HttpRequest) -> str:
    """The address as a limiter key: an IPv6 client is counted per /64 (one subscriber's
    network; otherwise each of its 2^64 addresses would get its own budget)."""
    address = client_ip(request)
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address or "unknown"


# --- counters ---------------------------------------------------------------------------


class Counter(Protocol):
    def hit(self, key: str, ttl: int) -> int: ...

    def peek(self, key: str) -> int: ...

    def reset_all(self) -> None: ...


class DatabaseCounter:
    """``etam_rate_counter``: one atomic upsert per hit."""

    HIT_SQL = (
        'INSERT INTO etam_rate_counter ("key", count, expires_at) VALUES (%s, 1, %s) '
        'ON CONFLICT ("key") DO UPDATE SET count = etam_rate_counter.count + 1 RETURNING count'
    )
    PEEK_SQL = 'SELECT count FROM etam_rate_counter WHERE "key" = %s AND expires_at >= %s'
    CLEAN_SQL = "DELETE FROM etam_rate_counter WHERE expires_at < %s"

    def hit(self, key: str, ttl: int) -> int:
        now = time.time()
        with connection.cursor() as cursor:
            cursor.execute(self.HIT_SQL, [key, now + ttl])
            row = cursor.fetchone()
            if random.random() < 0.01:  # noqa: S311 (not security: occasional clean-up)
                cursor.execute(self.CLEAN_SQL, [now])
        return int(row[0])

    def peek(self, key: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.PEEK_SQL, [key, time.time()])
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def reset_all(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM etam_rate_counter")


class CacheCounter:
    """A cache whose ``incr`` is atomic (Redis ``INCR``, Memcached, local memory)."""

    prefix = "etam_rate:"

    def hit(self, key: str, ttl: int) -> int:
        full = self.prefix + key
        for _attempt in range(3):
            added = cache.add(full, 1, timeout=ttl)
            if added is None:  # django-redis with Redis down (IGNORE_EXCEPTIONS): count in the database
                return DatabaseCounter().hit(key, ttl)
            if added:
                return 1
            try:
                count = cache.incr(full)
            except ValueError:  # expired between add and incr: start again
                continue
            return DatabaseCounter().hit(key, ttl) if count is None else int(count)
        return int(cache.incr(full))

    def peek(self, key: str) -> int:
        value = cache.get(self.prefix + key)
        if value is None:  # not counted here, or Redis down (django-redis): hits then went to the database
            return DatabaseCounter().peek(key)
        return int(value)

    def reset_all(self) -> None:
        cache.clear()


_ATOMIC_INCR_CACHES = (
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
    "django.core.cache.backends.locmem.LocMemCache",
)


def _counter() -> Counter:
    """The seam: a cache with an atomic ``incr`` counts itself; anything else (the embedded
    database cache) counts in ``etam_rate_counter``."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return CacheCounter() if backend in _ATOMIC_INCR_CACHES else DatabaseCounter()


def reset_all() -> None:
    """Forget every count (tests, and an operator lifting a limit after an incident)."""
    _counter().reset_all()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


def _window(window: int) -> tuple[int, int]:
    now = time.time()
    start = int(now // window) * window
    return start, max(1, math.ceil(start + window - now))


def hit(key: str, limit: int, window: int) -> Verdict:
    """Count one event for ``key`` in the current fixed window of ``window`` seconds; allowed
    while the count is at most ``limit``. Refused events count too (a caller that keeps
    hammering stays refused until the window ends)."""
    start, remaining = _window(window)
    count = _counter().hit(f"{key}:{window}:{start}", window + 1)
    return Verdict(count <= limit, count, limit, remaining)


def hit_address(request: HttpRequest, scope: str, limit: int, window: int) -> Verdict:
    """``hit`` for the client address (``address_key``: IPv6 per /64) under ``scope``, e.g.
    registrations or e-service submissions per network."""
    return hit(f"{scope}:{address_key(request)}", limit, window)


def peek(key: str, limit: int, window: int) -> Verdict:
    """The current count for ``key`` without adding to it: refused once it reached ``limit``."""
    start, remaining = _window(window)
    count = _counter().peek(f"{key}:{window}:{start}")
    return Verdict(count < limit, count, limit, remaining)


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/m" -> (600, 60). Raises ValueError on anything else."""
    count, _slash, period = rate.partition("/")
    if not count.strip().isdigit() or period.strip()[:1] not in _PERIODS:
        raise ValueError(f"a rate must look like 600/m, not {rate!r}")
    return int(count), _PERIODS[period.strip()[:1]]
