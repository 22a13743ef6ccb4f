"""One accessor for configuration taken from the environment.

Every setting Etam reads from the environment goes through here, so a missing or
malformed value stops start-up with a message naming the variable (in Bahasa
Indonesia first, English second) instead of a traceback deep inside Django.
"""

from __future__ import annotations

import os
import re
from typing import Any

import environ


class ConfigurationError(Exception):
    """Raised at start-up when an environment variable is missing or malformed."""


def _fail(name: str, problem_id: str, problem_en: str) -> ConfigurationError:
    return ConfigurationError(f"Variabel lingkungan {name}: {problem_id}. / Environment variable {name}: {problem_en}.")


_env = environ.Env()

# Modes: "demo" is the embedded default (SQLite, local files, demo logins);
# "test" is what the test suite runs; "production" refuses unsafe defaults.
MODES = ("demo", "test", "production")


def mode() -> str:
    value = os.environ.get("ETAM_MODE", "demo").strip().lower()
    if value not in MODES:
        raise _fail("ETAM_MODE", f"harus salah satu dari {', '.join(MODES)}", f"must be one of {', '.join(MODES)}")
    return value


def text(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if required:
            raise _fail(name, "wajib diisi", "is required")
        return default or ""
    return value.strip()


def boolean(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on", "ya"}:
        return True
    if lowered in {"0", "false", "no", "off", "tidak"}:
        return False
    raise _fail(name, f"bukan nilai ya/tidak yang dikenali: {value!r}", f"is not a recognised boolean: {value!r}")


def integer(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise _fail(name, f"harus bilangan bulat, bukan {value!r}", f"must be an integer, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise _fail(name, f"minimal {minimum}", f"must be at least {minimum}")
    return number


def csv_list(name: str, default: list[str] | None = None, *, required: bool = False) -> list[str]:
    raw = text(name, required=required)
    if not raw:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def database(name: str, default: str | None, *, required: bool = False) -> dict[str, Any]:
    raw = text(name, default, required=required)
    try:
        config = _env.db_url_config(raw)
    except Exception as exc:  # django-environ raises several types for bad URLs
        raise _fail(name, f"URL basis data tidak valid ({exc})", f"is not a valid database URL ({exc})") from None
    if not config.get("ENGINE"):
        raise _fail(name, "skema URL basis data tidak dikenal", "has an unknown database URL scheme")
    return config


def rate(name: str, default: str) -> str:
    """A request rate such as ``600/m`` (per s, m, h or d); ``off`` gives an empty string."""
    value = text(name, default)
    if value.lower() in {"off", "0", "tidak"}:
        return ""
    if not re.fullmatch(r"[1-9][0-9]*/(s|m|h|d)[a-z]*", value):
        raise _fail(
            name,
            f"harus berbentuk JUMLAH/periode, mis. 600/m (periode s, m, h, d) atau off, bukan {value!r}",
            f"must look like COUNT/period, e.g. 600/m (period s, m, h, d) or off, not {value!r}",
        )
    return value


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
RQ_BACKEND = "etam.core.queue.RQBackend"  # django_tasks_rq.RQBackend, degrading on a Redis outage
# Short names an operator may write, and the backends Etam is tested with.
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "django_tasks_db.DatabaseBackend": "django_tasks_db.DatabaseBackend",
    "rq": RQ_BACKEND,
    "redis": RQ_BACKEND,
    RQ_BACKEND: RQ_BACKEND,
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "django_tasks.backends.immediate.ImmediateBackend": "django_tasks.backends.immediate.ImmediateBackend",
}


def redis_url(name: str) -> str:
    """A Redis URL (redis://host:port/db, rediss:// or unix://), or "" when unset."""
    value = text(name)
    if not value:
        return ""
    if not value.startswith(REDIS_SCHEMES):
        raise _fail(
            name,
            "harus URL Redis (redis://host:port/nomor-db, rediss:// atau unix://)",
            "must be a Redis URL (redis://host:port/db-number, rediss:// or unix://)",
        )
    db = value.split("?", 1)[0].rsplit("/", 1)[-1] if value.count("/") >= 3 else ""
    if db and not db.isdigit():
        raise _fail(
            name,
            f"nomor DB Redis harus bilangan bulat, bukan {db!r}",
            f"Redis DB number must be an integer, not {db!r}",
        )
    return value


def tasks_backend(name: str, default: str) -> str:
    """The task queue backend: ``database`` (embedded default) or ``rq`` (Redis), or a full path."""
    value = text(name, default)
    if value not in TASKS_BACKENDS:
        raise _fail(
            name,
            f"antrean tidak dikenal {value!r}; pilih database atau rq",
            f"unknown queue backend {value!r}; choose database or rq",
        )
    return TASKS_BACKENDS[value]
