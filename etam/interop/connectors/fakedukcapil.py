"""A fake Dukcapil verification service in the shape ADR 0153 assumes, for tests and the demo.
Not for production. It knows a few invented residents, counts a daily quota, and can be made
slow; stopping it is "down".

    python -m etam.interop.connectors.fakedukcapil --port 8766 [--quota 300000]

Credentials: ``FAKEDUKCAPIL_USER`` / ``FAKEDUKCAPIL_PASSWORD`` (default ``etam`` / ``etam``).
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher
from typing import Any

from etam.core.fakeserver import Background, serve

# Invented residents (NIK: 6472 Samarinda / 6402 Kukar, birth date encoded as DDMMYY, +40 for women).
RESIDENTS = {
    "6472011505900001": ("BUDI SANTOSO", "15-05-1990"),
    "6472014708950002": ("SITI AMINAH", "07-08-1995"),
    "6402031201080003": ("RAHMAT HIDAYAT", "12-01-2008"),
    "6402035503090004": ("NUR AISYAH", "15-03-2009"),
}


class FakeDukcapil:
    def __init__(self, *, quota: int = 300_000, delay: float = 0.0) -> None:
        self.quota = quota
        self.delay = delay
        self.used = 0
        self.calls = 0
        self.user = os.environ.get("FAKEDUKCAPIL_USER", "etam")
        self.password = os.environ.get("FAKEDUKCAPIL_PASSWORD", "etam")
        self.lock = threading.Lock()

    def _json(self, start: Callable[..., Any], status: str, body: dict[str, Any]) -> Iterable[bytes]:
        data = json.dumps(body).encode()
        start(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def __call__(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        with self.lock:
            self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/verifikasi":
            return self._json(start, "404 Not Found", {"content": [{"RESPON": "Layanan tidak ditemukan"}]})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(min(length, 65536)) or b"{}")
        except (ValueError, TypeError):
            return self._json(start, "400 Bad Request", {"content": [{"RESPON": "Format permintaan salah"}]})
        if body.get("user_id") != self.user or body.get("password") != self.password:
            return self._json(start, "401 Unauthorized", {"content": [{"RESPON": "User tidak berhak akses"}]})
        with self.lock:
            if self.used >= self.quota:
                return self._json(
                    start, "429 Too Many Requests", {"content": [{"RESPON": "Kuota akses hari ini habis"}]}
                )
            self.used += 1
        resident = RESIDENTS.get(str(body.get("NIK", "")))
        if resident is None:
            return self._json(start, "200 OK", {"content": [{"RESPON": "Data Tidak Ditemukan"}]})
        name, born = resident
        similarity = round(100 * SequenceMatcher(None, name, str(body.get("NAMA_LGKP", "")).upper()).ratio())
        threshold = int(body.get("TRESHOLD") or 90)
        content = {
            "NIK": "Sesuai",
            "NAMA_LGKP": f"Sesuai ({similarity})" if similarity >= threshold else f"Tidak Sesuai ({similarity})",
            "TGL_LHR": "Sesuai" if body.get("TGL_LHR") == born else "Tidak Sesuai",
        }
        return self._json(start, "200 OK", {"content": [content], "lastPage": True, "numberOfElements": 1})


class Running(Background):
    """The fake on a background thread (tests); ``stop()`` makes Dukcapil "down"."""

    app: FakeDukcapil

    def __init__(self, *, port: int = 0, quota: int = 300_000, delay: float = 0.0) -> None:
        super().__init__(FakeDukcapil(quota=quota, delay=delay), port=port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="fakedukcapil")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--quota", type=int, default=300_000)
    args = parser.parse_args(argv)
    serve(FakeDukcapil(quota=args.quota), args.port, f"fake Dukcapil on http://127.0.0.1:{args.port}/verifikasi")


if __name__ == "__main__":
    main()
