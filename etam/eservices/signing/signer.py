"""The ``Signer`` seam: sign a PDF as an official (NIK + passphrase) through a signing service.

- ``LocalSigner``: pyHanko with PKCS#12 files of the demo PKI (the embedded demo, no servers).
- ``RemoteSigner``: the BSrE Esign Client API shape (``POST /api/sign/pdf`` multipart with
  ``file``, ``nik``, ``passphrase``, ``tampilan``, ``image``, ``imageTTD``, ``page``,
  ``xAxis``, ``yAxis``, ``width``, ``height``; HTTP Basic client credentials; the signed PDF
  back, or JSON ``{"error": ..., "status_code": ...}``), plus verify and status calls.

Every call out goes through ``etam.core.outbound`` (ADR 0151): a timeout, bounded retries
with back-off for transient failures and a circuit breaker shared by the process: after
repeated failures the service is not called for a while and ``SigningUnavailable`` is
raised at once, so the official is told quickly and the document waits in "to sign".

Whatever the signer returns, ``sign_b_lt`` adds the DSS and a document timestamp (ltv.py).
The passphrase is an argument only: never stored, logged, or put into a task payload.
See docs/adr/0082-signing-service-seam.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import requests
from django.conf import settings
from django.core.cache import cache
from django.views.decorators.debug import sensitive_variables

from etam.core import outbound
from etam.eservices.signing import ltv, pki

logger = logging.getLogger("etam.eservices.signing")


class SigningRefused(Exception):
    """The service refused this official's request (wrong passphrase, unknown NIK, revoked
    certificate). Retrying does not help; nothing is issued."""

    def __init__(self, code: int, detail: str = "") -> None:
        self.code = code
        super().__init__(detail or pki.MESSAGES.get(code, str(code)))


class SigningUnavailable(Exception):
    """The service (or the TSA / revocation source) cannot be reached right now."""


@dataclass
class SignRequest:
    pdf: bytes
    nik: str
    passphrase: str = field(repr=False)
    visible: bool = True
    page: int = 1
    box: tuple[float, float, float, float] = (56, 50, 196, 190)
    image_png: bytes | None = None
    reason: str = ""
    location: str = ""


@dataclass
class CertificateStatus:
    revoked: bool
    revoked_at: dt.datetime | None = None
    known: bool = True


class Signer(Protocol):
    name: str

    def sign(self, request: SignRequest) -> bytes: ...

    def status(self) -> dict[str, Any]: ...

    def trust_roots(self) -> list[bytes]: ...

    def certificate_status(self, serial: int) -> CertificateStatus: ...

    def fetch_crl(self, url: str) -> bytes | None: ...

    def timestamper(self) -> Any: ...

    def tsa_certificates(self) -> list[bytes]: ...


# ======================================================================================
# Local


class LocalSigner:
    """Signs in-process with the demo PKI in ``ESERVICES_SIGNING_DIR/demo-pki`` (an
    in-process TSA; revocation data from the PKI's own CRLs)."""

    name = "local"

    def __init__(self, directory: Path | None = None, base_url: str | None = None) -> None:
        self.pki = pki.Pki(
            directory or Path(settings.ESERVICES_SIGNING_DIR) / "demo-pki",
            base_url or f"{settings.ESERVICES_PUBLIC_BASE_URL}/v/pki",
        )

    def sign(self, request: SignRequest) -> bytes:
        try:
            return self.pki.sign_pdf(
                request.pdf,
                nik=request.nik,
                passphrase=request.passphrase,
                visible=request.visible,
                page=request.page,
                box=request.box,
                image_png=request.image_png,
                reason=request.reason,
                location=request.location,
            )
        except pki.PkiError as exc:
            raise SigningRefused(exc.code) from None

    def status(self) -> dict[str, Any]:
        return {"ok": True, "signer": self.name}

    def trust_roots(self) -> list[bytes]:
        return [self.pki.root_pem]

    def certificate_status(self, serial: int) -> CertificateStatus:
        when = self.pki.revoked_at(serial)
        return CertificateStatus(revoked=when is not None, revoked_at=when)

    def fetch_crl(self, url: str) -> bytes | None:
        return self.pki.crl_for_url(url)

    def timestamper(self) -> Any:
        return self.pki.timestamper()

    def tsa_certificates(self) -> list[bytes]:
        return [self.pki.certificate_pem("tsa"), self.pki.certificate_pem("intermediate")]


# ======================================================================================
# Remote

# One system per process (etam.core.outbound, ADR 0151): 5 failures in a row open its breaker for
# 60 s (then one trial call); a refusal (SigningRefused) is an answer, not a failure.
SERVICE = outbound.system(
    "signing-service",
    lambda: outbound.Outbound("signing-service", timeout=30, fail_max=5, reset_timeout=60, excluded=(SigningRefused,)),
)
BREAKER = SERVICE.breaker


class RemoteSigner:
    name = "remote"

    def __init__(
        self,
        base_url: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float | None = None,
        attempts: int | None = None,
        root_pem_path: str | None = None,
    ) -> None:
        self.base_url = (base_url or settings.ESERVICES_SIGNING_URL).rstrip("/")
        self.auth = (
            username if username is not None else settings.ESERVICES_SIGNING_CLIENT_ID,
            password if password is not None else settings.ESERVICES_SIGNING_CLIENT_SECRET,
        )
        self.timeout = timeout or settings.ESERVICES_SIGNING_TIMEOUT
        self.attempts = attempts or settings.ESERVICES_SIGNING_ATTEMPTS
        self.root_pem_path = root_pem_path or settings.ESERVICES_SIGNING_TRUST_ROOT

    # -- plumbing -----------------------------------------------------------------------
    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One logical call: retried on connection errors, timeouts and 5xx, through the
        breaker. ``SigningUnavailable`` when it cannot get an answer."""
        try:
            return SERVICE.request(
                method,
                f"{self.base_url}{path}",
                auth=self.auth,
                timeout=(3, self.timeout),
                attempts=self.attempts,
                **kwargs,
            )
        except outbound.Unavailable as exc:
            logger.warning("signing service %s%s unavailable: %s", self.base_url, path, exc.reason)
            raise SigningUnavailable(exc.reason) from None

    # -- API ----------------------------------------------------------------------------
    @sensitive_variables("data", "request")
    def sign(self, request: SignRequest) -> bytes:
        x, y, x2, y2 = request.box
        data = {
            "nik": request.nik,
            "passphrase": request.passphrase,
            "tampilan": "visible" if request.visible else "invisible",
            "image": "true" if request.image_png else "false",
            "page": str(request.page),
            "xAxis": str(x),
            "yAxis": str(y),
            "width": str(x2 - x),
            "height": str(y2 - y),
            "reason": request.reason,
            "location": request.location,
        }
        files: dict[str, Any] = {"file": ("dokumen.pdf", request.pdf, "application/pdf")}
        if request.image_png:
            files["imageTTD"] = ("ttd.png", request.image_png, "image/png")
        response = self._call("POST", "/api/sign/pdf", data=data, files=files)
        if response.status_code == 200 and response.content.startswith(b"%PDF"):
            return response.content
        try:
            body = response.json()
            code = int(body.get("status_code") or 0)
        except (ValueError, TypeError, AttributeError):
            code = 0
        if response.status_code in (401, 403):
            # Our client credentials are wrong: an operator problem, not the official's.
            logger.error("signing service refused the client credentials (HTTP %s)", response.status_code)
            raise SigningUnavailable("client credentials refused")
        raise SigningRefused(code or pki.BAD_REQUEST)

    def verify(self, pdf: bytes) -> dict[str, Any]:
        response = self._call(
            "POST", "/api/sign/verify", files={"signed_file": ("dokumen.pdf", pdf, "application/pdf")}
        )
        return dict(response.json()) if response.status_code == 200 else {}

    def status(self) -> dict[str, Any]:
        try:
            response = self._call("GET", "/api/status")
        except SigningUnavailable:
            return {"ok": False, "signer": self.name}
        return {"ok": response.status_code == 200, "signer": self.name}

    def user_status(self, nik: str) -> dict[str, Any]:
        response = self._call("GET", f"/api/user/status/{nik}")
        return dict(response.json()) if response.status_code == 200 else {}

    def trust_roots(self) -> list[bytes]:
        if self.root_pem_path and Path(self.root_pem_path).exists():
            return [Path(self.root_pem_path).read_bytes()]
        return []

    def fetch_crl(self, url: str) -> bytes | None:
        response = self._call_url(url)
        return response.content if response.status_code == 200 else None

    def _call_url(self, url: str) -> requests.Response:
        if url.startswith(self.base_url):
            return self._call("GET", url[len(self.base_url) :])
        try:  # a CA's own distribution point: timeout, no retries
            return requests.get(url, timeout=(3, self.timeout))
        except requests.RequestException as exc:
            raise SigningUnavailable(exc.__class__.__name__) from None

    # The public verification page asks this on anonymous requests (already limited per
    # address). A revocation must show at once, so a fetched CRL is not kept; a failed fetch
    # is remembered for a minute in the shared cache, so visitors do not each wait out the
    # timeouts and retries of a hub that hangs.
    CRL_FAILURE_SECONDS = 60

    def _hub_crl(self) -> bytes | None:
        down_key = f"etam:signing:crl-down:{self.base_url}"
        if cache.get(down_key):
            return None
        try:
            der = self.fetch_crl(f"{self.base_url}/crl/intermediate.crl")
        except SigningUnavailable:
            der = None
        if not der:
            cache.set(down_key, True, self.CRL_FAILURE_SECONDS)
        return der

    def certificate_status(self, serial: int) -> CertificateStatus:
        from cryptography import x509

        der = self._hub_crl()
        if not der:
            return CertificateStatus(revoked=False, known=False)
        entry = x509.load_der_x509_crl(der).get_revoked_certificate_by_serial_number(serial)
        if entry is None:
            return CertificateStatus(revoked=False)
        return CertificateStatus(revoked=True, revoked_at=entry.revocation_date_utc)

    def timestamper(self) -> Any:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        return HTTPTimeStamper(settings.ESERVICES_TSA_URL or f"{self.base_url}/tsa", timeout=int(self.timeout))

    def tsa_certificates(self) -> list[bytes]:
        response = self._call("GET", "/tsa/certificates")
        if response.status_code != 200:
            return []
        return [
            part.encode() + b"-----END CERTIFICATE-----\n"
            for part in response.text.split("-----END CERTIFICATE-----")
            if "BEGIN" in part
        ]


@lru_cache(maxsize=1)
def _default_local() -> LocalSigner:
    return LocalSigner()


def get_signer() -> Signer:
    if settings.ESERVICES_SIGNER == "remote":
        return RemoteSigner()
    return _default_local()


def reset() -> None:
    """Forget cached signers (tests change settings)."""
    _default_local.cache_clear()
    BREAKER.close()


def sign_b_lt(signer: Signer, request: SignRequest) -> bytes:
    """Sign through the service, then add validation data and a document timestamp."""
    signed = signer.sign(request)
    try:
        return ltv.make_b_lt(
            signed,
            roots=signer.trust_roots(),
            fetch_crl=signer.fetch_crl,
            timestamper=signer.timestamper(),
            tsa_certs=signer.tsa_certificates(),
        )
    except SigningUnavailable:
        raise
    except Exception as exc:  # the TSA or the revocation source failed us
        logger.warning("B-LT augmentation failed: %s", exc.__class__.__name__)
        raise SigningUnavailable("timestamp or validation data unavailable") from None
