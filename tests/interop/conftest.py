"""A provider to forward to: a small HTTP server in a thread answering like an OPD's API would,
and the parties of an agreement (Diskominfo Kaltim provides, DPMPTSP Kaltim consumes)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest
from django.core.cache import cache

from etam.core import outbound, ratelimit
from etam.interop import services
from etam.interop.connectors import fakenational
from etam.interop.connectors.fakedukcapil import Running
from tests.helpers import http_server


@dataclass
class FakeProvider:
    url: str
    hits: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    hits: list[str]

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        path = self.path.split("?")[0]
        if path == "/slow":
            time.sleep(2.5)
        if path == "/broken":
            self.send_response(500)
            self.end_headers()
            return
        if path == "/forbidden":
            body = b'{"detail": "no"}'
            self.send_response(403)
        elif path == "/not-json":
            body = b"<html>oops</html>"
            self.send_response(200)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            received = self.rfile.read(length).decode() if length else ""
            body = json.dumps(
                {"path": self.path, "received": received, "exchange": self.headers.get("X-Etam-Exchange-Id")}
            ).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer


@pytest.fixture
def provider_server():
    with http_server(_Handler) as server:
        server.hits = []  # type: ignore[attr-defined]
        yield FakeProvider(url=f"http://127.0.0.1:{server.server_port}", hits=server.hits)  # type: ignore[attr-defined]


@pytest.fixture
def registry(settings):
    """The fake Dukcapil registry, the connector pointed at it, quotas and cached answers reset."""
    running = Running()
    settings.INTEROP_DUKCAPIL_URL = running.url
    settings.INTEROP_DUKCAPIL_TIMEOUT = 1.0
    cache.clear()
    ratelimit.reset_all()
    yield running
    running.stop()


@pytest.fixture
def national(settings):
    """The fake SP4N-LAPOR!, SIASN and SPLP server, the three connectors pointed at it."""
    running = fakenational.Running()
    for name in ("LAPOR", "SIASN", "SPLP"):
        setattr(settings, f"INTEROP_{name}_URL", running.url)
        setattr(settings, f"INTEROP_{name}_TIMEOUT", 1.0)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _fresh_breakers():
    outbound.forget()
    yield
    outbound.forget()


@dataclass
class Parties:
    service: object
    consumer: object
    host: object


def make_service(province, host, *, code="bapenda-pajak", path="/pajak", access="terbatas", method="GET", **extra):
    return services.service_register(
        actor=province.admin_diskominfo,
        agency=province.diskominfo,
        code=code,
        name=f"Layanan {code}",
        description="",
        host=host,
        path=path,
        method=method,
        input_schema={},
        output_schema={"type": "object"},
        access=access,
        quota_per_day=extra.pop("quota_per_day", 100),
        sla_response_ms=1000,
        sla_availability=99,
        status=extra.pop("status", "aktif"),
        contact_name="Aptika",
        contact_email="aptika@example.id",
        **extra,
    )


def make_consumer(province, name, *, contact_name="X", email="x@example.id", actor=None):
    """A consumer system (an OPD application) of DPMPTSP, registered by ``actor`` (its admin unless given)."""
    return services.consumer_register(
        actor=actor or province.admin_dpmptsp,
        agency=province.dpmptsp,
        name=name,
        kind="aplikasi_opd",
        contact_name=contact_name,
        contact_email=email,
    )


@pytest.fixture
def parties(province, provider_server) -> Parties:
    host = services.host_register(actor=province.superadmin, base_url=provider_server.url)
    service = make_service(province, host)
    consumer = make_consumer(province, "SiCantik DPMPTSP", contact_name="Admin SiCantik", email="sicantik@example.id")
    return Parties(service=service, consumer=consumer, host=host)
