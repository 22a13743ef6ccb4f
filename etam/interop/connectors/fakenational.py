"""Fake SP4N-LAPOR!, SIASN and SPLP servers in the shapes ADRs 0154–0156 assume, for tests and
the demo (one process, told apart by path). Not for production.

    python -m etam.interop.connectors.fakenational --port 8767

Tokens: ``FAKENATIONAL_TOKEN`` (default ``etam``) for all three.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from etam.core.fakeserver import Background, serve

# Invented civil servants (NIP: birth date, appointment month, sex, number).
EMPLOYEES = {
    "198503122010011001": {
        "nipBaru": "198503122010011001",
        "gelarDepan": "",
        "nama": "ANDI PRATAMA",
        "gelarBelakang": "S.Kom., M.T.",
        "jabatanNama": "Kepala Dinas Komunikasi dan Informatika",
        "unorNama": "Dinas Komunikasi dan Informatika",
        "instansiKerjaNama": "Pemerintah Provinsi Kalimantan Timur",
    },
    "199001152015032002": {
        "nipBaru": "199001152015032002",
        "gelarDepan": "",
        "nama": "DEWI LESTARI",
        "gelarBelakang": "S.E.",
        "jabatanNama": "Kepala Dinas Penanaman Modal dan PTSP",
        "unorNama": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "instansiKerjaNama": "Pemerintah Provinsi Kalimantan Timur",
    },
}


class FakeNational:
    def __init__(self) -> None:
        self.token = os.environ.get("FAKENATIONAL_TOKEN", "etam")
        self.delay = 0.0
        self.lock = threading.Lock()
        self.calls: list[str] = []
        self.reports: dict[str, dict[str, Any]] = {}  # TrackingID → report
        self.by_reference: dict[str, str] = {}
        self.apis: dict[str, dict[str, Any]] = {}
        self.next_tracking = itertools.count(4_100_001)

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _json(start: Callable[..., Any], status: str, body: Any) -> Iterable[bytes]:
        data = json.dumps(body).encode()
        start(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    @staticmethod
    def _body(environ: dict[str, Any]) -> bytes:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        return environ["wsgi.input"].read(min(length, 5 * 1024 * 1024)) if length else b""

    def advance(self, tracking_id: str, status: str, follow_up: str = "") -> None:
        """Tests and the demo move a report along LAPOR!'s stages."""
        with self.lock:
            report = self.reports[tracking_id]
            report["status"] = status
            if follow_up:
                report["tindak_lanjut"].append({"isi": follow_up})

    def __call__(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        with self.lock:
            self.calls.append(f"{method} {path}")
        if self.delay:
            time.sleep(self.delay)
        if path.startswith("/api/services/f02/"):
            return self._lapor(path, environ, start)
        if path.startswith("/apisiasn/"):
            return self._siasn(path, environ, start)
        if path.startswith("/api/am/publisher/v4/"):
            return self._splp(path, method, environ, start)
        return self._json(start, "404 Not Found", {"error": "not found"})

    # -- SP4N-LAPOR! ----------------------------------------------------------------------
    def _lapor(self, path: str, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        try:
            body = json.loads(self._body(environ) or b"{}")
        except ValueError:
            return self._json(start, "400 Bad Request", {"status": "error", "message": "format JSON salah"})
        if body.get("KEYTOKEN") != self.token:
            return self._json(start, "401 Unauthorized", {"status": "error", "message": "KEYTOKEN tidak valid"})
        if path.endswith("/laporan"):
            if not body.get("judul") or not body.get("isi"):
                return self._json(start, "400 Bad Request", {"status": "error", "message": "judul dan isi wajib"})
            with self.lock:
                reference = str(body.get("ref_id") or "")
                if reference in self.by_reference:  # the same complaint again: the same TrackingID
                    tracking = self.by_reference[reference]
                else:
                    tracking = str(next(self.next_tracking))
                    self.by_reference[reference] = tracking
                    self.reports[tracking] = {"status": "Belum Terverifikasi", "tindak_lanjut": [], "laporan": body}
            return self._json(start, "200 OK", {"status": "success", "TrackingID": tracking})
        if path.endswith("/status"):
            tracking = str(body.get("TrackingID", ""))
            report = self.reports.get(tracking)
            if report is None:
                return self._json(start, "404 Not Found", {"status": "error", "message": "laporan tidak ditemukan"})
            return self._json(
                start,
                "200 OK",
                {"TrackingID": tracking, "status": report["status"], "tindak_lanjut": report["tindak_lanjut"]},
            )
        return self._json(start, "404 Not Found", {"status": "error"})

    # -- SIASN ------------------------------------------------------------------------------
    def _siasn(self, path: str, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        if (
            environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.token}"
            or environ.get("HTTP_AUTH") != f"bearer {self.token}"
        ):
            return self._json(start, "401 Unauthorized", {"success": False, "message": "token tidak valid"})
        match = re.fullmatch(r"/apisiasn/1\.0/pns/data-utama/(\d{18})", path)
        if not match:
            return self._json(start, "404 Not Found", {"success": False, "message": "tidak ditemukan"})
        record = EMPLOYEES.get(match.group(1))
        if record is None:
            return self._json(start, "404 Not Found", {"success": False, "message": "NIP tidak ditemukan"})
        return self._json(start, "200 OK", {"success": True, "data": record})

    # -- SPLP (WSO2 API Manager publisher shape) ---------------------------------------------
    def _splp(self, path: str, method: str, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.token}":
            return self._json(start, "401 Unauthorized", {"code": 900901, "message": "Invalid Credentials"})
        header = f"Content-Type: {environ.get('CONTENT_TYPE', '')}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(header + self._body(environ))
        parts = {
            str(part.get_param("name", header="content-disposition")): part.get_payload(decode=True)
            for part in (message.iter_parts() if message.is_multipart() else [])
        }
        raw = parts.get("file")
        try:
            document = json.loads(raw if isinstance(raw, bytes) else b"")
        except ValueError:
            return self._json(start, "400 Bad Request", {"code": 900300, "message": "Invalid OpenAPI definition"})
        if not isinstance(document, dict) or "openapi" not in document:
            return self._json(start, "400 Bad Request", {"code": 900300, "message": "Invalid OpenAPI definition"})
        if method == "POST" and path.endswith("/apis/import-openapi"):
            api_id = str(uuid.uuid4())
            with self.lock:
                self.apis[api_id] = document
            return self._json(start, "201 Created", {"id": api_id, "lifeCycleStatus": "CREATED"})
        match = re.fullmatch(r"/api/am/publisher/v4/apis/([0-9a-f-]{36})/swagger", path)
        if method == "PUT" and match and match.group(1) in self.apis:
            with self.lock:
                self.apis[match.group(1)] = document
            return self._json(start, "200 OK", {"id": match.group(1), "lifeCycleStatus": "CREATED"})
        return self._json(start, "404 Not Found", {"code": 404, "message": "API not found"})


class Running(Background):
    """The fakes on a background thread (tests); ``stop()`` makes them all "down"."""

    app: FakeNational

    def __init__(self, *, port: int = 0) -> None:
        super().__init__(FakeNational(), port=port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="fakenational")
    parser.add_argument("--port", type=int, default=8767)
    args = parser.parse_args(argv)
    serve(FakeNational(), args.port, f"fake SP4N-LAPOR!, SIASN and SPLP on http://127.0.0.1:{args.port}")


if __name__ == "__main__":
    main()
