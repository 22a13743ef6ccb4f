"""Readiness of the components a web process needs: database, cache, queue, storage.

``/readyz`` (etam.web.views) and the super admin's dashboard widget read ``check_all``.
Each check answers ``{"backend": ..., "status": "ok" | "down" | "timeout"}``, with the
exception's class name as ``detail`` when down, never its message (it may name hosts or
credentials). The checks other than the database run in threads under one deadline, so a
dead S3 endpoint or Redis host cannot hold the probe past ``READINESS_TIMEOUT`` seconds.

Two things are remembered per process (``forget()`` clears both): that every migration is
applied (building the migration graph reads every migration module; a process's code cannot
gain migrations, so once none is pending the probe stops building it; while some are pending
it builds it on every probe, so the node turns ready as soon as ``migrate`` has run), and the
dashboard widget's report for ``WIDGET_SECONDS`` (the dashboard is not a probe).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)

READINESS_TIMEOUT = 3.0
_PROBE_NAME = "etam-readiness-probe"

WIDGET_SECONDS = 15.0

Component = dict[str, Any]

_state_lock = threading.Lock()
_migrations_applied = False  # every migration this process knows of is applied
_widget_report: tuple[float, dict[str, Any]] | None = None


def forget() -> None:
    """Forget what this process remembers (tests; after migrating backwards under a running process)."""
    global _migrations_applied, _widget_report
    with _state_lock:
        _migrations_applied = False
        _widget_report = None


def pending_migrations() -> int:
    """How many migrations are not applied; the graph is built only until none is pending."""
    global _migrations_applied
    if _migrations_applied:
        return 0
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if not pending:
        with _state_lock:
            _migrations_applied = True
    return pending


def _short(path: str) -> str:
    """``django_redis.cache.RedisCache`` -> ``django_redis.RedisCache``: enough to tell backends apart."""
    parts = path.split(".")
    return f"{parts[0]}.{parts[-1]}" if len(parts) > 1 else path


def _redis_ping(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def database() -> tuple[Component, int]:
    """The database answers; returns the component and the number of pending migrations."""
    component: Component = {"backend": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1], "status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = pending_migrations()
    except Exception as exc:  # any database failure means "not ready"
        return {**component, "status": "down", "detail": exc.__class__.__name__}, 0
    return component, pending


def _cache_is_the_database() -> bool:
    return str(settings.CACHES["default"]["BACKEND"]).endswith("db.DatabaseCache")


def _cache_check() -> None:
    config = settings.CACHES["default"]
    if "redis" in str(config["BACKEND"]).lower():
        _redis_ping(str(config["LOCATION"]))
    else:
        from django.core.cache import cache

        cache.get(_PROBE_NAME)


def _queue_check() -> None:
    if getattr(settings, "RQ_QUEUES", None):  # the RQ backend (etam.core.queue.RQBackend)
        import django_rq

        for name in settings.RQ_QUEUES:
            django_rq.get_connection(name).ping()
    # The database queue is the database, checked on its own; the immediate and dummy
    # backends (tests) have nothing to reach.


def _storage_check() -> None:
    # A HEAD on a key that need not exist: reaches the bucket (or the media directory)
    # without writing anything.
    default_storage.exists(_PROBE_NAME)


def _backends() -> dict[str, str]:
    return {
        "cache": _short(str(settings.CACHES["default"]["BACKEND"])),
        "queue": _short(str(settings.TASKS["default"]["BACKEND"])),
        "storage": _short(str(getattr(settings, "STORAGES", {}).get("default", {}).get("BACKEND", ""))),
    }


def check_all() -> dict[str, Any]:
    """Every component's status; ``ready`` is False when any is not ``ok`` or a migration is pending."""
    db, pending = database()
    components: dict[str, Component] = {"database": db}
    checks: dict[str, Callable[[], None]] = {"cache": _cache_check, "queue": _queue_check, "storage": _storage_check}
    backends = _backends()
    # The database cache is the database: checked on this thread, in this request's connection
    # (another thread would open a connection of its own); network checks run in threads.
    inline = {"cache"} if _cache_is_the_database() else set()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    futures = {name: pool.submit(check) for name, check in checks.items() if name not in inline}
    done, _pending = concurrent.futures.wait(futures.values(), timeout=READINESS_TIMEOUT)
    for name in checks:
        component: Component = {"backend": backends[name], "status": "ok"}
        error: BaseException | None = None
        if name in inline:
            try:
                checks[name]()
            except Exception as exc:  # any failure means "down"
                error = exc
        elif futures[name] not in done:
            component["status"] = "timeout"
        else:
            error = futures[name].exception()
        if error is not None:
            logger.warning("readiness: %s is down: %s", name, error.__class__.__name__)
            component.update(status="down", detail=error.__class__.__name__)
        components[name] = component
    if str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db"):
        components["queue"]["status"] = db["status"]
    pool.shutdown(wait=False, cancel_futures=True)  # a hung check is abandoned, not awaited
    ready = all(c["status"] == "ok" for c in components.values()) and not pending
    return {"ready": ready, "pending_migrations": pending, "components": components}


def widget_context(request: Any) -> dict[str, Any] | None:
    """The staff dashboard's component table, for super admins only (None hides it)."""
    from etam.core.models import Role
    from etam.core.permissions import active_grants

    global _widget_report
    if not any(grant.role == Role.SUPER_ADMIN for grant in active_grants(request.user)):
        return None
    now = time.monotonic()
    remembered = _widget_report
    if remembered is not None and now - remembered[0] < WIDGET_SECONDS:
        report = remembered[1]
    else:
        report = check_all()
        with _state_lock:
            _widget_report = (now, report)
    return {"components": sorted(report["components"].items()), "pending_migrations": report["pending_migrations"]}
