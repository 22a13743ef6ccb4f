"""Rate limits that cannot be dodged (issue 10, finding 3): the client address comes from
one trusted-proxy setting, counters are atomic, and the CKAN actions share the limit."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings

from etam.core import ratelimit
from tests.helpers import run_threads

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/services"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    ratelimit.reset_all()
    yield
    cache.clear()
    ratelimit.reset_all()


@override_settings(API_RATE_LIMIT="3/m", TRUSTED_PROXY_COUNT=0)
def test_spoofed_forwarded_for_does_not_reset_the_api_limit(client):
    statuses = [
        client.get(PUBLIC, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}", REMOTE_ADDR="198.51.100.7").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


@override_settings(API_RATE_LIMIT="2/m", TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_address_it_appended_is_the_client(client):
    proxy = "10.0.0.2"

    def get(xff):
        return client.get(PUBLIC, HTTP_X_FORWARDED_FOR=xff, REMOTE_ADDR=proxy).status_code

    # The client can put anything in front; only the entry the proxy appended counts.
    assert [get(f"1.1.1.{n}, 203.0.113.5") for n in range(3)] == [200, 200, 429]
    # Another real client behind the same proxy has its own budget.
    assert get("203.0.113.6") == 200


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_client_ip_counts_trusted_proxies_from_the_right():
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 10.0.0.1", REMOTE_ADDR="10.0.0.2")
    assert ratelimit.client_ip(request) == "203.0.113.9"
    # Fewer entries than proxies: the header cannot be trusted beyond what is there.
    short = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert ratelimit.client_ip(short) == "203.0.113.9"
    garbage = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="not-an-ip, x", REMOTE_ADDR="10.0.0.2")
    assert ratelimit.client_ip(garbage) == "10.0.0.2"


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="198.51.100.7")
    assert ratelimit.client_ip(request) == "198.51.100.7"


def _hammer(url: str, threads: int, per_thread: int, **headers) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker() -> None:
        local = Client()
        start.wait()
        try:
            for _ in range(per_thread):
                status = local.get(url, **headers).status_code
                with lock:
                    statuses.append(status)
        finally:
            connection.close()

    run_threads(worker, threads)
    return statuses


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@override_settings(API_RATE_LIMIT="20/m")
def test_concurrent_requests_cannot_exceed_the_api_limit():
    """8 threads, 64 requests, a limit of 20: exactly 20 get through (before: 30)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's shared-cache test database cannot run concurrent writers (see the file test below)")
    statuses = _hammer(PUBLIC, threads=8, per_thread=8, REMOTE_ADDR="198.51.100.8")
    assert len(statuses) == 64
    assert set(statuses) <= {200, 429}
    assert statuses.count(200) == 20


@override_settings(API_RATE_LIMIT="3/m")
@pytest.mark.parametrize("action", ["status_show", "datastore_search_sql"])
def test_ckan_actions_share_the_limit_and_answer_like_ckan(client, action):
    params = {"sql": "SELECT 1"} if action == "datastore_search_sql" else {}
    url = f"/api/3/action/{action}"
    statuses = [client.get(url, params, REMOTE_ADDR="198.51.100.9").status_code for _ in range(3)]
    assert 429 not in statuses
    response = client.get(url, params, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    body = response.json()
    assert body["success"] is False
    assert body["error"]["__type"] == "Throttled"
    assert int(response["Retry-After"]) >= 1
    # The same caller is limited on /api/v1 too: one budget.
    assert client.get(PUBLIC, REMOTE_ADDR="198.51.100.9").status_code == 429
    # Another address still gets through.
    assert client.get(url, params, REMOTE_ADDR="198.51.100.10").status_code != 429


def _concurrent_counts(hit, threads: int = 8, per_thread: int = 50) -> list[int]:
    counts: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker() -> None:
        start.wait()
        mine = [hit() for _ in range(per_thread)]
        with lock:
            counts.extend(mine)

    run_threads(worker, threads)
    return counts


def test_database_counter_statement_is_atomic_on_a_sqlite_file(tmp_path):
    """The embedded default: the counter's one statement, from 8 connections at once on a
    SQLite file in WAL mode (as Etam runs it), hands out every count exactly once."""
    import sqlite3

    path = tmp_path / "counters.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute('CREATE TABLE etam_rate_counter ("key" TEXT PRIMARY KEY, count INTEGER, expires_at REAL)')
    statement = ratelimit.DatabaseCounter.HIT_SQL.replace("%s", "?")
    local = threading.local()

    def hit() -> int:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        return local.db.execute(statement, ["k", 1e12]).fetchone()[0]

    counts = _concurrent_counts(hit)
    assert sorted(counts) == list(range(1, 401))


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_cache_counter_is_atomic_where_the_cache_increments_atomically():
    """Redis, Memcached and local memory: ``cache.add`` + ``cache.incr``."""
    assert isinstance(ratelimit._counter(), ratelimit.CacheCounter)
    counts = _concurrent_counts(lambda: ratelimit.CacheCounter().hit("k", 60))
    assert sorted(counts) == list(range(1, 401))


def test_the_embedded_database_cache_counts_in_its_own_table():
    assert isinstance(ratelimit._counter(), ratelimit.DatabaseCounter)
    assert [ratelimit.hit("x", 2, 60).allowed for _ in range(3)] == [True, True, False]
    assert ratelimit.peek("x", 2, 60).count == 3
