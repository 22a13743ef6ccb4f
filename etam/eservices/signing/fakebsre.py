"""A fake signing hub speaking the BSrE Esign Client API shape, for tests, the demo and
``make cluster``. It signs with the test hierarchy of ``pki.Pki`` and serves its CRLs and
an RFC 3161 TSA. Error answers: HTTP 400 + ``{"error": <message>, "status_code": <code>}``
(codes in docs/adr/0082). Not for production.

    python -m etam.eservices.signing.fakebsre init  --dir var/fakebsre --url http://127.0.0.1:8765
    python -m etam.eservices.signing.fakebsre enrol --dir var/fakebsre --nik 64... --name "..." --passphrase ...
    python -m etam.eservices.signing.fakebsre revoke --dir var/fakebsre --nik 64...
    python -m etam.eservices.signing.fakebsre serve --dir var/fakebsre --port 8765

Credentials for HTTP Basic come from ``FAKEBSRE_USER`` / ``FAKEBSRE_PASSWORD`` (default
``esign`` / ``esign``).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
from collections.abc import Callable, Iterable
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

from etam.core.fakeserver import Background, serve
from etam.eservices.signing import pki

MAX_BODY = 20 * 1024 * 1024


def _json(start: Callable[..., Any], status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _error(start: Callable[..., Any], code: int) -> Iterable[bytes]:
    return _json(start, "400 Bad Request", {"error": pki.MESSAGES.get(code, "error"), "status_code": code})


def _multipart(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    header = f"Content-Type: {environ.get('CONTENT_TYPE', '')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(header + body)
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        out[str(name)] = raw if part.get_filename() else raw.decode()
    return out


class FakeBsre:
    def __init__(
        self,
        directory: Path,
        base_url: str,
        user: str = "esign",
        password: str = "esign",  # noqa: S107 (the fake hub's test credentials)
    ) -> None:
        self.pki = pki.Pki(directory, base_url)
        self.expected_auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.calls: list[str] = []  # paths only (tests count calls; never the body)

    def __call__(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        self.calls.append(f"{method} {path}")
        if path.startswith("/crl/") and method == "GET":
            der = self.pki.crl_for_url(path)
            if der is None:
                start("404 Not Found", [("Content-Type", "text/plain")])
                return [b"not found"]
            start("200 OK", [("Content-Type", "application/pkix-crl"), ("Content-Length", str(len(der)))])
            return [der]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY:
            return _error(start, pki.BAD_REQUEST)
        body = environ["wsgi.input"].read(length) if length else b""
        if path == "/tsa" and method == "POST":
            from asn1crypto import tsp

            reply = self.pki.timestamper().request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            start("200 OK", [("Content-Type", "application/timestamp-reply"), ("Content-Length", str(len(reply)))])
            return [reply]
        if path == "/tsa/certificates":
            pem = self.pki.certificate_pem("tsa") + self.pki.certificate_pem("intermediate")
            start("200 OK", [("Content-Type", "application/x-pem-file")])
            return [pem]
        if environ.get("HTTP_AUTHORIZATION") != self.expected_auth:
            start("401 Unauthorized", [("Content-Type", "application/json"), ("WWW-Authenticate", "Basic")])
            return [b'{"error": "Unauthorized", "status_code": 401}']
        if path == "/api/status":
            return _json(start, "200 OK", {"status": "ok"})
        if path.startswith("/api/user/status/"):
            nik = path.rsplit("/", 1)[-1]
            if not self.pki.is_enrolled(nik):
                return _json(start, "200 OK", {"status_code": pki.UNKNOWN_NIK, "message": "NIK tidak terdaftar"})
            cert = self.pki.official_certificate(nik)
            revoked = self.pki.revoked_at(cert.serial_number) is not None
            return _json(
                start,
                "200 OK",
                {"status_code": 1111, "message": "Sertifikat dicabut" if revoked else "ISSUE"},
            )
        if path == "/api/sign/pdf" and method == "POST":
            form = _multipart(environ, body)
            pdf = form.get("file")
            if not isinstance(pdf, bytes) or not form.get("nik") or "passphrase" not in form:
                return _error(start, pki.BAD_REQUEST)
            x = float(form.get("xAxis") or 56)
            y = float(form.get("yAxis") or 50)
            w = float(form.get("width") or 140)
            h = float(form.get("height") or 140)
            image = form.get("imageTTD") if form.get("image") == "true" else None
            try:
                signed = self.pki.sign_pdf(
                    pdf,
                    nik=str(form["nik"]),
                    passphrase=str(form["passphrase"]),
                    visible=form.get("tampilan", "invisible") == "visible",
                    page=int(form.get("page") or 1),
                    box=(x, y, x + w, y + h),
                    image_png=image if isinstance(image, bytes) else None,
                    reason=str(form.get("reason") or ""),
                    location=str(form.get("location") or ""),
                )
            except pki.PkiError as exc:
                return _error(start, exc.code)
            start(
                "200 OK",
                [
                    ("Content-Type", "application/pdf"),
                    ("Content-Length", str(len(signed))),
                    ("id_dokumen", os.urandom(8).hex()),
                ],
            )
            return [signed]
        if path == "/api/sign/verify" and method == "POST":
            from etam.eservices.signing import ltv

            form = _multipart(environ, body)
            pdf = form.get("signed_file")
            if not isinstance(pdf, bytes):
                return _error(start, pki.BAD_REQUEST)
            result = ltv.validate(pdf, [self.pki.root_pem])
            return _json(
                start,
                "200 OK",
                {
                    "conclusion": "VALID" if result.ok else "INVALID",
                    "signer": result.signer_name,
                    "signed_at": result.signed_at.isoformat() if result.signed_at else None,
                },
            )
        return _json(start, "404 Not Found", {"error": "not found", "status_code": 404})


class Running(Background):
    """A fake hub on a background thread (tests)."""

    app: FakeBsre

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(None, port=port, host=host)  # the hub signs its URL into the certificates
        self.app = FakeBsre(directory, self.url)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="fakebsre")
    parser.add_argument("command", choices=["init", "enrol", "revoke", "serve"])
    parser.add_argument("--dir", default="var/fakebsre")
    parser.add_argument("--url", default="")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--nik", default="")
    parser.add_argument("--name", default="")
    parser.add_argument("--passphrase", default="")
    args = parser.parse_args(argv)
    directory = Path(args.dir)
    url = (
        args.url
        or ((directory / "base_url.txt").read_text() if (directory / "base_url.txt").exists() else "")
        or f"http://{args.host}:{args.port}"
    )
    hierarchy = pki.Pki(directory, url)
    if args.command == "enrol":
        print(hierarchy.enrol(nik=args.nik, name=args.name, passphrase=args.passphrase))
    elif args.command == "revoke":
        hierarchy.revoke(args.nik)
    elif args.command == "serve":
        app = FakeBsre(
            directory, url, os.environ.get("FAKEBSRE_USER", "esign"), os.environ.get("FAKEBSRE_PASSWORD", "esign")
        )
        serve(app, args.port, f"fake BSrE signing hub on {url} (root: {directory / 'root.pem'})", host=args.host)


if __name__ == "__main__":
    main()
