"""Slow-link benchmark: catalogue, service page and its one-page form over a poor link.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/etam_off_slow python bench/offline_slowlink.py

Loopback only. Starts gunicorn (ETAM_MODE=test, static files through WhiteNoise) on a
PostgreSQL database of its own with the Kaltim reference regions and the demo service
"Permohonan Informasi Publik" (its form has a wilayah picker), signs a citizen in, and
drives Debian's Chromium with CDP network emulation: 400 ms latency, 400 kbit/s down and
up (50,000 B/s). For each page it prints the bytes that crossed the (emulated) network and
the time until the page is usable (its main heading, or the form's Send button, visible).

First visit: empty browser. Repeat visit: same browser later (service worker installed).
Offline: the network switched off; the form must still be usable.
"""

from __future__ import annotations

import os
import subprocess
import time

import _common

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/etam_off_slow")
LATENCY_MS = int(os.environ.get("SLOW_LATENCY_MS", "400"))
BYTES_PER_S = int(os.environ.get("SLOW_KBITS", "400")) * 1000 // 8
_common.bench_environment(DB_URL)
SLUG = "permohonan-informasi-publik"


def prepare() -> str:
    _common.setup_database(reference_data=True)
    from etam.core.models import User
    from etam.eservices import demo_definitions, services
    from etam.eservices.models import Service

    agency, admin = _common.kaltim_agency_admin("DISKOMINFO", "Diskominfo", "slow-admin@example.id")
    if not Service.objects.filter(slug=SLUG).exists():
        services.service_import(
            actor=admin,
            agency=agency,
            document=demo_definitions.as_export(demo_definitions.informasi_publik()),
            publish=True,
        )
    citizen, _ = User.objects.get_or_create(email="slow-warga@example.id", defaults={"full_name": "Siti Warga"})
    return _common.signed_in_session(citizen)


def start_server() -> tuple[subprocess.Popen, int]:
    port = _common.free_port()
    return _common.start_gunicorn(port, "--workers", "2", "--log-level", "error"), port


class Meter:
    """Counts bytes received over the network for one page (CDP Network events)."""

    def __init__(self, page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.bytes = 0
        self.requests = 0
        self.from_worker = 0
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.responseReceived", self._response)

    def _response(self, event) -> None:
        if event["response"].get("fromServiceWorker"):
            self.from_worker += 1

    def _finished(self, event) -> None:
        self.requests += 1
        self.bytes += int(event.get("encodedDataLength", 0))

    def network(self, *, offline: bool) -> None:
        self.cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": offline,
                "latency": LATENCY_MS,
                "downloadThroughput": BYTES_PER_S,
                "uploadThroughput": BYTES_PER_S,
            },
        )

    def reset(self) -> None:
        self.bytes = self.requests = self.from_worker = 0


def visit(page, meter: Meter, url: str, ready: str) -> tuple[float, int, int, int]:
    meter.reset()
    started = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=60_000)
    page.wait_for_selector(ready, state="visible", timeout=60_000)
    usable = time.perf_counter() - started
    page.wait_for_load_state("load", timeout=60_000)
    page.wait_for_timeout(300)
    return usable, meter.bytes, meter.requests, meter.from_worker


def main() -> None:
    from playwright.sync_api import sync_playwright

    _common.ensure_database(DB_URL)
    session_key = prepare()
    server, port = start_server()
    base = f"http://127.0.0.1:{port}"
    pages = [
        ("catalogue /layanan/", "/layanan/", "main h1"),
        ("service page", f"/layanan/{SLUG}/", "main h1"),
        ("one-page form", f"/luring/layanan/{SLUG}/", "form[data-offline-form] .row button.btn"),
    ]
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-quic"], headless=True
            )
            import requests

            for _label, url, _ready in pages:  # warm the server processes (not the browser)
                requests.get(base + url, cookies={"sessionid": session_key}, timeout=30)
            # First visit: each page in an empty browser (no cache, no service worker yet).
            for label, url, ready in pages:
                fresh = browser.new_context(base_url=base, locale="id-ID")
                fresh.add_cookies([{"name": "sessionid", "value": session_key, "url": base}])
                fresh_page = fresh.new_page()
                fresh_meter = Meter(fresh_page)
                fresh_meter.network(offline=False)
                rows.append(("first", label, *visit(fresh_page, fresh_meter, url, ready)))
                fresh.close()
            context = browser.new_context(base_url=base, locale="id-ID")
            context.add_cookies([{"name": "sessionid", "value": session_key, "url": base}])
            page = context.new_page()
            meter = Meter(page)
            meter.network(offline=False)
            for _label, url, ready in pages:  # the visit that installs the worker and keeps the pages
                visit(page, meter, url, ready)
            page.wait_for_function("navigator.serviceWorker.ready.then(() => true)", timeout=60_000)
            page.wait_for_function(
                f"caches.open('etam-pages').then(c => c.match(location.origin + '/luring/layanan/{SLUG}/'))"
                ".then(r => !!r)",
                timeout=60_000,
            )
            page.close()
            page = context.new_page()
            meter = Meter(page)
            meter.network(offline=False)
            for label, url, ready in pages:
                rows.append(("repeat", label, *visit(page, meter, url, ready)))
            context.set_offline(True)
            meter.network(offline=True)
            usable = visit(page, meter, pages[2][1], pages[2][2])
            rows.append(("offline", pages[2][0], *usable))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"network: {LATENCY_MS} ms latency, {BYTES_PER_S * 8 // 1000} kbit/s down and up (CDP emulation)")
    print(f"{'visit':8} {'page':18} {'usable s':>9} {'bytes':>8} {'requests':>9} {'from SW':>8}")
    for visit_kind, label, usable_s, size, requests, worker in rows:
        print(f"{visit_kind:8} {label:18} {usable_s:9.2f} {size:8d} {requests:9d} {worker:8d}")
    first_form = rows[2][2]
    repeat_form = rows[5][2]
    print(
        f"targets: first-visit form ≤ 3 s: {first_form:.2f} s; repeat-visit form ≤ 1 s: {repeat_form:.2f} s; "
        f"offline form usable: {rows[6][2]:.2f} s"
    )


if __name__ == "__main__":
    main()
