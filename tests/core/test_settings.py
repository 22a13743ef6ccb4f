"""Production settings come from the environment and refuse to start when unsafe.

Each case starts a fresh Python process with a clean environment (only what the case
sets), the way a container or systemd unit would start Etam.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

BASE_DIR = Path(settings.BASE_DIR)
GOOD_SECRET = secrets.token_urlsafe(64)
COMPLETE = {
    "ETAM_MODE": "production",
    "SECRET_KEY": GOOD_SECRET,
    "DATABASE_URL": "postgres://etam:rahasia@db.internal:5432/etam",
    "ALLOWED_HOSTS": "etam.kaltimprov.go.id",
    "CSRF_TRUSTED_ORIGINS": "https://etam.kaltimprov.go.id",
    "AUDIT_SEAL_KEY": secrets.token_urlsafe(48),
    "ESERVICES_FIELD_KEY": secrets.token_urlsafe(48),
}
SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.DEBUG)"
)


def start(env_vars, *args, tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ETAM_VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
        **env_vars,
    }
    command = [sys.executable, *(args or ("-c", "import django; django.setup()"))]
    return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


def without(*names, **overrides):
    return {**{k: v for k, v in COMPLETE.items() if k not in names}, **overrides}


def refused(result, name):
    assert result.returncode != 0, result.stdout
    assert f"Environment variable {name}" in result.stderr, result.stderr
    assert f"Variabel lingkungan {name}" in result.stderr
    return result.stderr


def test_missing_secret_key_is_named(tmp_path):
    refused(start(without("SECRET_KEY"), tmp_path=tmp_path), "SECRET_KEY")
    refused(start(without("SECRET_KEY", SECRET_KEY="   "), tmp_path=tmp_path), "SECRET_KEY")
    # The management command says the same, without a traceback.
    stderr = refused(start(without("SECRET_KEY"), "manage.py", "check", tmp_path=tmp_path), "SECRET_KEY")
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    "secret",
    [
        "etam-insecure-development-key-do-not-use-in-production",  # the development default
        "short-secret",
        "a" * 64,  # long but not random
        "django-insecure-" + secrets.token_urlsafe(50),  # Django's generated development key
    ],
)
def test_default_short_or_weak_secret_is_refused(tmp_path, secret):
    refused(start(without(SECRET_KEY=secret), tmp_path=tmp_path), "SECRET_KEY")


@pytest.mark.parametrize("name", ["DATABASE_URL", "ALLOWED_HOSTS"])
def test_missing_required_variable_is_named(tmp_path, name):
    refused(start(without(name), tmp_path=tmp_path), name)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "nonsense"),
        ("DATABASE_URL", "postgres://etam@db:notaport/etam"),
        ("AXES_FAILURE_LIMIT", "lima"),
        ("AXES_FAILURE_LIMIT", "0"),
        ("SECURE_HSTS_SECONDS", "setahun"),
        ("DEBUG", "mungkin"),
        ("API_RATE_LIMIT", "banyak"),
        ("TRUSTED_PROXY_COUNT", "satu"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("REGISTRATION_RATE_LIMIT", "banyak"),
        ("LOGIN_ADDRESS_FAILURE_LIMIT", "0"),
        ("ETAM_MODE", "produksi"),
    ],
)
def test_malformed_variable_is_named(tmp_path, name, value):
    refused(start(without(**{name: value}), tmp_path=tmp_path), name)


def test_debug_cannot_be_on_in_production(tmp_path):
    refused(start(without(DEBUG="true"), tmp_path=tmp_path), "DEBUG")


def test_complete_production_environment_passes_the_deploy_check(tmp_path):
    result = start(COMPLETE, "-c", SHOW, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "True", "False"]
    # Not even a warning is left with the required variables alone.
    result = start(COMPLETE, "manage.py", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PROXY_HTTPS = (
    "import django; django.setup(); from django.conf import settings as s; from django.test import Client; "
    "import logging; logging.disable(logging.CRITICAL); "
    "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_INCLUDE_SUBDOMAINS); "
    "c = Client(raise_request_exception=False); "
    "h = {'HTTP_HOST': 'etam.kaltimprov.go.id'}; "
    "r = c.get('/healthz', **h); print(r.status_code, r['Location']); "
    "r = c.get('/healthz', HTTP_X_FORWARDED_PROTO='https', **h); "
    "print(r.status_code, r.get('Location', '-'), r.get('Strict-Transport-Security', '-'))"
)


def test_production_trusts_the_proxy_for_https(tmp_path):
    """nginx terminates TLS and says so in X-Forwarded-Proto: plain HTTP is redirected, the
    proxied HTTPS request is served with HSTS (not redirected again, no loop)."""
    result = start(COMPLETE, "-c", PROXY_HTTPS, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "('HTTP_X_FORWARDED_PROTO', 'https') True True"
    assert lines[1] == "301 https://etam.kaltimprov.go.id/healthz"
    status, location, hsts = lines[2].split(" ", 2)
    assert status != "301" and location == "-", lines[2]
    assert hsts == "max-age=31536000; includeSubDomains; preload"


def test_demo_mode_needs_nothing(tmp_path):
    result = start({}, "-c", SHOW, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["False", "False"]


PROXY_COUNT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.TRUSTED_PROXY_COUNT, s.NINJA_NUM_PROXIES, s.AXES_CLIENT_IP_CALLABLE)"
)


def test_forwarded_headers_are_trusted_only_as_configured(tmp_path):
    """One setting for every limiter: off by default, the configured proxy count otherwise."""
    result = start(COMPLETE, "-c", PROXY_COUNT, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "0", "etam.core.ratelimit.axes_client_ip"]
    result = start({**COMPLETE, "TRUSTED_PROXY_COUNT": "1"}, "-c", PROXY_COUNT, tmp_path=tmp_path)
    assert result.stdout.split() == ["1", "1", "etam.core.ratelimit.axes_client_ip"]


# --- Redis and the queue (issue 12, ADR 0104) ---------------------------------------------


@pytest.mark.parametrize("name", ["REDIS_URL", "TASKS_REDIS_URL"])
def test_a_redis_url_that_is_not_one_is_named(tmp_path, name):
    env = without(**{"TASKS_BACKEND": "rq", "REDIS_URL": "redis://127.0.0.1:6379/12", name: "127.0.0.1:6379"})
    refused(start(env, tmp_path=tmp_path), name)


def test_a_redis_db_number_that_is_not_a_number_is_named(tmp_path):
    refused(start(without(REDIS_URL="redis://127.0.0.1:6379/cache"), tmp_path=tmp_path), "REDIS_URL")


def test_an_unknown_queue_backend_is_named(tmp_path):
    refused(start(without(TASKS_BACKEND="celery"), tmp_path=tmp_path), "TASKS_BACKEND")


def test_the_redis_queue_without_a_redis_url_is_named(tmp_path):
    refused(start(without(TASKS_BACKEND="rq"), tmp_path=tmp_path), "TASKS_REDIS_URL")


def test_redis_for_cache_and_queue(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.TASKS['default']['BACKEND'], s.RQ_QUEUES['default']['URL'])"
    )
    env = without(
        TASKS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:6379/12", TASKS_REDIS_URL="redis://127.0.0.1:6379/13"
    )
    result = start(env, "-c", show, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django_redis.cache.RedisCache",
        "etam.core.queue.RQBackend",
        "redis://127.0.0.1:6379/13",
    ]
