"""Setup the gunicorn benchmarks share: their own database, a server on a free loopback port, Kaltim.

Imported by the scripts in this folder as `_common` (they run as `python bench/<name>.py`, so
this folder is first on sys.path); importing it also puts the project root on sys.path.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure_database(db_url: str, *, fresh: bool = False) -> None:
    """Create the benchmark's PostgreSQL database if missing; `fresh` drops an existing one first."""
    import psycopg

    name = urlparse(db_url).path.lstrip("/")
    admin = db_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if fresh or not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, *options: str) -> subprocess.Popen:
    """Start config.wsgi under gunicorn in its own process group; return once the port answers."""
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        *options,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def kaltim_agency_admin(code: str, name: str, admin_email: str, **admin_defaults: str):
    """The province, one agency of it and an agency admin (created once, reused on later runs)."""
    from etam.core.models import Agency, Institution, Role, RoleGrant, User

    kaltim, _ = Institution.objects.get_or_create(
        region_code="64",
        defaults={"name": "Pemerintah Provinsi Kalimantan Timur", "short_name": "Pemprov Kaltim", "kind": "provinsi"},
    )
    agency, _ = Agency.objects.get_or_create(institution=kaltim, code=code, defaults={"name": name})
    admin, _ = User.objects.get_or_create(email=admin_email, defaults={"full_name": "Admin", **admin_defaults})
    RoleGrant.objects.get_or_create(user=admin, role=Role.AGENCY_ADMIN, agency=agency, institution=kaltim)
    return agency, admin


def information_request_answers(desa: str, i: int, *, street: str = "Jl. Bench", purpose: str = "Uji beban") -> dict:
    """Answers to the seeded public-information request form (permohonan-informasi-publik), person `i`.

    The benchmarks and the cluster tests submit the same form; one copy keeps them in step with it.
    """
    return {
        "nama": f"Pemohon {i}",
        "nik": "6472015708900001",
        "telepon": "081234567890",
        "email": f"p{i}@example.id",
        "alamat": {"kabupaten_kota": "64.72", "kecamatan": "64.72.01", "desa_kelurahan": desa, "jalan": street},
        "rincian": "Data realisasi anggaran 2025",
        "tujuan": purpose,
        "cara_memperoleh": ["salinan_elektronik"],
    }


def django_setup() -> None:
    """django.setup() with the project's settings, in test mode unless the environment says otherwise
    (the in-process benchmarks: no server, no database of their own)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ETAM_MODE", "test")
    import django

    django.setup()


def bench_environment(db_url: str, settings_module: str = "config.settings") -> None:
    """The environment a gunicorn benchmark and its server share: its own database, test mode,
    no API rate limit (set before django.setup() and before the server starts)."""
    os.environ["DATABASE_URL"] = db_url
    os.environ["ETAM_MODE"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ["API_RATE_LIMIT"] = "off"


def setup_database(*, reference_data: bool = False) -> None:
    """django.setup(), then the schema and the cache table; `reference_data` also loads the
    regions (once: a later run finds them)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if reference_data:
        from etam.core.models import Region

        if not Region.objects.exists():
            call_command("load_reference_data", verbosity=0)


def api_token(user, name: str) -> str:
    """A new API token of `user` named `name`, written straight to the table; returns the raw token."""
    import secrets

    from etam.core.models import ApiToken
    from etam.core.models.people import hash_token

    raw = "etam_" + secrets.token_urlsafe(24)
    ApiToken.objects.create(user=user, name=name, prefix=raw[:12], key_hash=hash_token(raw))
    return raw


def signed_in_session(user) -> str:
    """The key of a session signed in as `user`, as a password sign-in would leave it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b.lower())
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)
