"""nginx's microcache as deploy/nginx/etam.conf configures it (docs/adr/0167), against a stub
upstream in place of the two web processes (part of the normal suite, like test_units.py).

It keeps only answers marked with X-Accel-Expires and without a cookie, and never for, or
from, a request with a session or messages cookie or an Authorization header.
"""

from __future__ import annotations

import argparse
import shutil
import ssl
import subprocess
import tempfile
import urllib.request
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from itertools import count
from pathlib import Path

import pytest

from tests.cluster.conftest import supervisor
from tests.helpers import http_server

NGINX = Path("/usr/sbin/nginx")
pytestmark = pytest.mark.skipif(not NGINX.exists(), reason="nginx not installed (scripts/system-packages)")


class Upstream(BaseHTTPRequestHandler):
    """Answers with a counter (a new number = the request reached the web process) and the
    Cookie header it was sent; marks every answer for the microcache (X-Accel-Expires) except
    /layanan/max-age/, and /layanan/cookie/ sets a cookie."""

    served = count(1)

    def do_GET(self) -> None:
        body = f"n={next(self.served)} cookie={self.headers.get('Cookie', '')}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.path != "/layanan/max-age/":  # every other answer marked for the microcache
            self.send_header("X-Accel-Expires", "30")
            self.send_header("Cache-Control", "public, no-cache")
            self.send_header("Vary", "Cookie")
        if self.path == "/layanan/cookie/":
            self.send_header("Set-Cookie", "csrftoken=abc; Path=/")
        if self.path == "/layanan/max-age/":
            self.send_header("Cache-Control", "public, max-age=60")  # not Etam's mark: never kept
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy(tmp_path):
    for sub in ("run", "log", "var"):
        (tmp_path / sub).mkdir()
    # nginx's workers (nobody, when the tests run as root) write the cache under tmp_path:
    # let them pass through pytest's 0700 directories (execute only, no listing).
    for folder in (tmp_path, *tmp_path.parents):
        if folder == Path(tempfile.gettempdir()) or folder == folder.parent:
            break
        folder.chmod(folder.stat().st_mode | 0o011)
    port = supervisor.free_port()
    args = argparse.Namespace(port=port, database_url="", redis_url="", tasks_redis_url="", web_workers=2)
    env = supervisor.write_environment(tmp_path, args)
    supervisor.certificate(tmp_path)
    supervisor.nginx_config(tmp_path, env)
    upstreams = ExitStack()
    for key in ("ETAM_WEB_PORT_A", "ETAM_WEB_PORT_B"):
        upstreams.enter_context(http_server(Upstream, int(env[key])))
    conf = str(tmp_path / "nginx.conf")
    started = subprocess.run([str(NGINX), "-c", conf], capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    tls = ssl.create_default_context()
    tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE

    def get(path: str, **headers: str) -> tuple[str, str]:
        request = urllib.request.Request(f"https://127.0.0.1:{port}{path}", headers=headers)
        with urllib.request.urlopen(request, context=tls, timeout=10) as response:  # noqa: S310 (loopback)
            assert "X-Accel-Expires" not in response.headers  # nginx keeps it to itself
            return response.read().decode(), response.headers.get("X-Cache", "")

    try:
        yield get
    finally:
        subprocess.run([str(NGINX), "-c", conf, "-s", "stop"], capture_output=True)
        upstreams.close()
        shutil.rmtree(tmp_path / "nginx-cache", ignore_errors=True)


def test_an_anonymous_marked_page_is_served_from_the_microcache(proxy):
    first, status = proxy("/layanan/a/")
    assert status == "MISS"
    again, status = proxy("/layanan/a/", Cookie="csrftoken=other")  # other cookies do not matter
    assert (again, status) == (first, "HIT")


def test_a_signed_in_visitor_never_reads_or_fills_the_microcache(proxy):
    anonymous, _ = proxy("/layanan/b/")
    mine, status = proxy("/layanan/b/", Cookie="sessionid=rahasia")
    assert status == "BYPASS" and mine != anonymous and "sessionid=rahasia" in mine
    # What the signed-in visitor got was not stored for anyone else.
    later, status = proxy("/layanan/b/")
    assert (later, status) == (anonymous, "HIT") and "rahasia" not in later
    # Nor when the signed-in visitor comes first.
    mine, status = proxy("/layanan/c/", Cookie="sessionid=rahasia")
    assert status == "BYPASS"
    anonymous, status = proxy("/layanan/c/")
    assert status == "MISS" and "rahasia" not in anonymous
    for headers in ({"Cookie": "messages=x"}, {"Authorization": "Bearer t"}):
        assert proxy("/layanan/c/", **headers)[1] == "BYPASS"


def test_answers_that_set_a_cookie_or_are_not_marked_or_not_public_are_never_kept(proxy):
    assert proxy("/layanan/cookie/")[0] != proxy("/layanan/cookie/")[0]
    assert proxy("/layanan/max-age/")[0] != proxy("/layanan/max-age/")[0]
    # Marked, but not a public page address: never looked up (no cache lock to wait on).
    assert proxy("/masuk/")[0] != proxy("/masuk/")[0]
    assert proxy("/masuk/")[1] == "BYPASS" and proxy("/layanan/x/y/")[1] == "BYPASS"


def test_languages_are_kept_apart(proxy):
    indonesian, _ = proxy("/data/d/")
    english, status = proxy("/data/d/", Cookie="django_language=en")
    assert status == "MISS" and english != indonesian
    assert proxy("/data/d/", Cookie="django_language=en")[0] == english


def test_nginx_and_etam_agree_on_the_public_page_addresses():
    import re

    from tests.cluster.conftest import REPO

    conf = (REPO / "deploy" / "nginx" / "etam.conf").read_text()
    nginx_public = re.compile(re.search(r'map \$uri \$etam_not_public \{.*?"~(.*?)" 0;', conf, re.S).group(1))
    from etam.web.pagecache import PUBLIC_PAGES

    paths = ["/", "/layanan/", "/layanan/ppdb-sma-smk/", "/data/", "/data/sekolah-x/", "/masuk/"]
    paths += ["/layanan/ppdb-sma-smk/ajukan/1/", "/permohonan/X/", "/data/a/b/", "/api/v1/applications"]
    for path in paths:
        assert bool(nginx_public.match(path)) == bool(PUBLIC_PAGES.match(path)), path
