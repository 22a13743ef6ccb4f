"""Rate-limit counters on Redis (issue 12, ADR 0104): atomic under concurrency, and counted
in the database while Redis is down, so a limit still holds through an outage.

Uses the machine's Redis (127.0.0.1:6379, DB 14) under a key prefix of its own; skipped
when no Redis answers there. Never flushes the DB (others may use it).
"""

from __future__ import annotations

import threading
import uuid

import pytest
import redis
from django.core.cache import caches

from etam.core import ratelimit
from tests.helpers import run_threads

REDIS = "redis://127.0.0.1:6379/14"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"etam-test-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True},
        }
    }


@pytest.fixture
def redis_cache(settings):
    if not _redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.CACHES = _cache(REDIS)
    yield
    caches["default"].close()


def test_counter_on_redis_is_atomic_across_threads(redis_cache, transactional_db):
    assert isinstance(ratelimit._counter(), ratelimit.CacheCounter)
    key = f"atomic-{uuid.uuid4().hex}"
    threads, hits = 8, 25
    counts: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(hits):
            verdict = ratelimit.hit(key, limit=10_000, window=60)
            with lock:
                counts.append(verdict.count)

    run_threads(work, threads)
    # Every hit got its own count: no two threads read the same value (INCR is atomic).
    assert sorted(counts) == list(range(1, threads * hits + 1))
    assert ratelimit.peek(key, limit=10_000, window=60).count == threads * hits


def test_with_redis_down_the_limit_is_counted_in_the_database(settings, db):
    settings.CACHES = _cache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    key = f"down-{uuid.uuid4().hex}"
    verdicts = [ratelimit.hit(key, limit=3, window=60) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert ratelimit.peek(key, limit=3, window=60).count == 4
    caches["default"].close()
