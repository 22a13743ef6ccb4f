"""PAdES baseline B-LT, added by Etam after whatever the signing hub returned.

1. ``add_validation_info``: the certificates and CRLs of the signature (and of its
   signature timestamp) go into the document security store (DSS).
2. ``PdfTimeStamper``: a document timestamp from the configured TSA, with its own
   validation data, so the validation data are themselves time-stamped.

Revocation data come through ``fetch_crl(url)`` (the caller decides how: the in-process
PKI, or the resilient HTTP client); pyHanko never fetches anything by itself here.
See docs/adr/0083-pades-b-lt.md.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

DOC_TIMESTAMP_FIELD = "StempelWaktuDokumen"


def asn1_cert(pem_or_der: bytes) -> asn1_x509.Certificate:
    if pem_or_der.lstrip().startswith(b"-----"):
        pem_or_der = x509.load_pem_x509_certificate(pem_or_der).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(pem_or_der)


def _crl_urls(certs: list[asn1_x509.Certificate]) -> list[str]:
    urls: list[str] = []
    for cert in certs:
        for point in cert.crl_distribution_points or []:
            for url in [point.url] if point.url else []:
                if url not in urls:
                    urls.append(url)
    return urls


def _certs_of(signature: Any) -> list[asn1_x509.Certificate]:
    certs = [signature.signer_cert, *signature.other_embedded_certs]
    for attr in signature.signer_info["unsigned_attrs"] or []:
        if attr["type"].native == "signature_time_stamp_token":
            for token in attr["values"]:
                certs += [c.chosen for c in token["content"]["certificates"] or [] if c.name == "certificate"]
    return certs


def validation_context(
    roots: list[bytes], certs: list[asn1_x509.Certificate], fetch_crl: Callable[[str], bytes | None]
) -> Any:
    from pyhanko_certvalidator import ValidationContext

    crls = []
    for url in _crl_urls(certs):
        der = fetch_crl(url)
        if der:
            crls.append(asn1_crl.CertificateList.load(der))
    return ValidationContext(
        trust_roots=[asn1_cert(r) for r in roots],
        other_certs=certs,
        crls=crls,
        allow_fetching=False,
        revocation_mode="hard-fail",
    )


def make_b_lt(
    signed_pdf: bytes,
    *,
    roots: list[bytes],
    fetch_crl: Callable[[str], bytes | None],
    timestamper: Any,
    tsa_certs: list[bytes],
) -> bytes:
    """Add the DSS and a document timestamp to a signed PDF (two incremental updates)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.validation import add_validation_info

    reader = PdfFileReader(io.BytesIO(signed_pdf))
    signature = reader.embedded_signatures[-1]
    certs = _certs_of(signature)
    context = validation_context(roots, certs, fetch_crl)
    with_dss = add_validation_info(signature, context, in_place=False)
    with_dss.seek(0)
    tsa_context = validation_context(roots, [asn1_cert(c) for c in tsa_certs] + certs, fetch_crl)
    output = io.BytesIO()
    # The TSA's own validation data go in before the document timestamp, so the timestamp
    # covers the whole file (no unsigned bytes at the end).
    from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings

    signers.PdfTimeStamper(timestamper, field_name=DOC_TIMESTAMP_FIELD).timestamp_pdf(
        IncrementalPdfFileWriter(with_dss),
        "sha256",
        validation_context=tsa_context,
        output=output,
        dss_settings=TimestampDSSContentSettings(update_before_ts=True, include_vri=False),
    )
    return output.getvalue()


@dataclass
class LtvResult:
    ok: bool
    intact: bool = False
    trusted: bool = False
    whole_file: bool = False
    has_dss: bool = False
    has_timestamp: bool = False
    signer_name: str = ""
    signer_serial: int | None = None
    signed_at: dt.datetime | None = None
    timestamped: bool = False
    problem: str = ""  # a code for the caller to put into words; never exception text


def validate(pdf: bytes, roots: list[bytes], *, moment: dt.datetime | None = None) -> LtvResult:
    """Validate the approval signature in long-term (LTV) mode: the validation context is
    built from the file's DSS only (no fetching, hard-fail revocation), at the time of the
    signature timestamp (or ``moment``, e.g. years later after the certificate expired).
    (pyHanko 0.38 has no ``validate_pdf_ltv_signature`` any more; this is what it did for
    PAdES-LT.) The document timestamp is validated the same way."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception:
        return LtvResult(False, problem="unreadable")
    approval = [s for s in signatures if s.sig_object_type != "/DocTimeStamp"]
    stamps = [s for s in signatures if s.sig_object_type == "/DocTimeStamp"]
    if not approval:
        return LtvResult(False, problem="no_signature")
    signature = approval[0]
    result = LtvResult(False, has_timestamp=bool(stamps))
    try:
        result.signer_name = str(signature.signer_cert.subject.native.get("common_name", ""))
        result.signer_serial = int(signature.signer_cert.serial_number)
    except Exception:  # noqa: S110 (a mangled certificate: the status below says so)
        pass
    trust = [asn1_cert(r) for r in roots]
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        result.has_dss = True
    except Exception:
        dss = None

    def context(at: dt.datetime | None, revocation: str = "hard-fail") -> Any:
        from pyhanko_certvalidator import ValidationContext

        kwargs: dict[str, Any] = {
            "trust_roots": trust,
            "allow_fetching": False,
            "revocation_mode": revocation,
            "retroactive_revinfo": True,
        }
        if at is not None:
            kwargs["moment"] = at
        if dss is None:
            return ValidationContext(**kwargs)
        return dss.as_validation_context(kwargs)

    try:
        # First pass: when was it signed (the signature timestamp, else the first document timestamp)?
        # The document timestamps are checked at "now" (``moment``); their own revocation
        # data may be older than a later moment, so soft-fail there (B-LT, not B-LTA).
        probe = validate_pdf_signature(signature, context(None), context(None), skip_diff=True)
        ts = probe.timestamp_validity
        signed_at = ts.timestamp if ts is not None else None
        if signed_at is None and stamps:
            signed_at = validate_pdf_timestamp(stamps[0], context(None), skip_diff=True).timestamp
        result.signed_at = signed_at or probe.signer_reported_dt
        # The signature is validated at the time the timestamp proves, from the DSS only.
        status = validate_pdf_signature(signature, context(signed_at), context(signed_at))
        for stamp in stamps:
            stamp_status = validate_pdf_timestamp(stamp, context(moment, "soft-fail"), skip_diff=True)
            if not (stamp_status.intact and stamp_status.valid):
                result.problem = "changed"
                return result
    except Exception:
        # Either no usable validation data, or a mangled signature dictionary / CMS blob.
        try:
            basic = validate_pdf_signature(signature, context(None, "soft-fail"), skip_diff=True)
            result.intact = bool(basic.intact and basic.valid)
        except Exception:
            result.intact = False
        result.problem = "no_ltv" if result.intact else "changed"
        return result
    result.intact = bool(status.intact and status.valid)
    result.trusted = bool(status.trusted)
    result.whole_file = status.coverage in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
    ts = status.timestamp_validity
    result.timestamped = (ts is not None and bool(ts.intact and ts.valid and ts.trusted)) or bool(stamps)
    modification = getattr(status, "modification_level", None)
    modified_ok = modification is None or modification.name in ("NONE", "LTA_UPDATES")
    if not result.intact or not modified_ok or not result.whole_file:
        result.problem = "changed"
    elif not result.trusted:
        result.problem = "untrusted"
    elif not result.has_dss:
        result.problem = "no_ltv"
    result.ok = not result.problem
    return result
