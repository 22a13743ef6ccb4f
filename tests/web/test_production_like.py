"""`make run` answers the way production does (issue 15, docs/adr/0130): in the demo mode,
with no DEBUG in the environment, an unknown URL gets Etam's own 404 page (Indonesian, and
English after the switch), never Django's debug page listing every URL pattern; static
files have hashed names and are served pre-compressed with a year-long max-age.

The demo's settings are read in a child process (ETAM_MODE is fixed per process), on a
throw-away VAR directory after ``collectstatic``, as ``make setup`` runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

CHECK = r"""
import json, django
django.setup()
from django.conf import settings
from django.templatetags.static import static
from django.test import Client

client = Client()
missing = client.get("/halaman-yang-tidak-ada-di-etam/")
client.post("/i18n/setlang/", {"language": "en", "next": "/"})
english = client.get("/halaman-yang-tidak-ada-di-etam/")
url = static("offline/outbox.js")
script = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
print(json.dumps({
    "debug": settings.DEBUG,
    "status": missing.status_code,
    "html": missing.content.decode(),
    "english": english.content.decode(),
    "static_url": url,
    "script_status": script.status_code,
    "script_encoding": script.get("Content-Encoding", ""),
    "script_cache": script.get("Cache-Control", ""),
    "script_bytes": len(b"".join(script.streaming_content)) if script.streaming else len(script.content),
}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    var = tmp_path_factory.mktemp("demo-var")
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update({"ETAM_MODE": "demo", "ETAM_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "config.settings"})
    base = Path(settings.BASE_DIR)
    manage = [sys.executable, str(base / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, cwd=base, check=True, timeout=300)
    out = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, cwd=base, check=True, timeout=300, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_demo_runs_with_debug_off(demo):
    assert demo["debug"] is False


def test_an_unknown_url_gets_etams_own_404_in_indonesian_and_english(demo):
    assert demo["status"] == 404
    html = demo["html"]
    assert "<h1>Halaman tidak ditemukan</h1>" in html and 'class="site-head"' in html
    assert "URLconf" not in html and "Using the URLconf" not in html and "masuk/" not in html.split("<main")[1][:50]
    assert "<h1>Page not found</h1>" in demo["english"]


def test_static_files_are_hashed_compressed_and_cached_for_long(demo):
    assert (
        demo["static_url"].startswith("/static/offline/outbox.") and demo["static_url"] != "/static/offline/outbox.js"
    )
    assert demo["script_status"] == 200
    assert demo["script_encoding"] == "gzip"
    assert "max-age=315360000" in demo["script_cache"] and "immutable" in demo["script_cache"]
    assert demo["script_bytes"] < 12 * 1024  # 27.6 KB as sent before issue 15
