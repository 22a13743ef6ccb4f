"""Checking a document someone holds: its QR text or the PDF itself (online, with
revocation), answered in plain words. The offline check of a QR payload is
``documents.verify_payload``.

One verdict, in this order of precedence (docs/adr/0085):
``changed`` (the file or the QR was altered after signing) → ``not_etam`` (nothing Etam
issued matches) → ``revoked_document`` (the issuing OPD revoked it) →
``revoked_certificate`` (the signing service revoked the signer's certificate) →
``genuine``. Messages never carry exception text.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from etam.eservices import documents
from etam.eservices.models import IssuedDocument

GENUINE = "genuine"
CHANGED = "changed"
NOT_ETAM = "not_etam"
REVOKED_DOCUMENT = "revoked_document"
REVOKED_CERTIFICATE = "revoked_certificate"
NOTHING = "nothing"


def verdict_message(verdict: str) -> str:
    return {
        GENUINE: _(
            "Genuine: this document was issued and electronically signed through Etam and has not been changed since."
        ),
        CHANGED: _(
            "Changed: this document was altered after it was signed. Do not accept it; ask the holder for the original."
        ),
        NOT_ETAM: _("Not issued by Etam: no document issued through Etam matches this file or code."),
        REVOKED_DOCUMENT: _("Revoked: the issuing OPD has revoked this document; it is no longer valid."),
        REVOKED_CERTIFICATE: _(
            "Signed with a revoked certificate: the signing service has revoked the signer's electronic certificate."
        ),
        NOTHING: _("Give the PDF file or the text of the QR code to check."),
    }[verdict]


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _describe(document: IssuedDocument | None) -> dict[str, Any] | None:
    if document is None:
        return None
    return {
        "number": document.number,
        "code": document.code,
        "service": document.application.service.name,
        "institution": document.application.agency.institution.name,
        "agency": document.application.agency.name,
        "holder_name": document.holder_name,
        "issued_on": document.issued_on.isoformat(),
        "issued_on_display": document.issued_on.strftime("%d/%m/%Y"),
        "revoked": document.is_revoked,
        "revoked_at": document.revoked_at.isoformat() if document.revoked_at else None,
        "revoke_reason": document.revoke_reason or None,
    }


def _document(**lookup: Any) -> IssuedDocument | None:
    return (
        IssuedDocument.objects.select_related("application__service", "application__agency__institution")
        .filter(status=IssuedDocument.Status.ISSUED, **lookup)
        .first()
    )


def _certificate_revoked(serial_hex: str) -> bool:
    if not serial_hex:
        return False
    from etam.eservices.signing.signer import get_signer

    try:
        return get_signer().certificate_status(int(serial_hex, 16)).revoked
    except Exception:  # the service is down: say nothing rather than something wrong
        return False


def verify_submission(*, qr: str | None = None, pdf: bytes | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"valid": False, "checks": {}, "document": None, "errors": [], "signer": None}
    checks: dict[str, bool] = result["checks"]
    document: IssuedDocument | None = None
    verdicts: set[str] = set()
    if qr:
        check = documents.verify_payload(qr, documents.known_qr_keys())
        checks["qr_signature"] = check.valid
        if not check.valid:
            # An Etam code whose signature no longer matches was edited; anything else is not ours.
            verdicts.add(CHANGED if check.fields and check.error.startswith("signature") else NOT_ETAM)
        else:
            document = _document(code=str(check.fields.get("c", "")))
            matches = document is not None and document.number == check.fields.get("n")
            checks["qr_matches_record"] = matches
            if not matches:
                verdicts.add(NOT_ETAM)
                document = None
    if pdf is not None:
        check_pdf = documents.verify_pdf(pdf, documents.trust_roots())
        checks["pdf_signature"] = check_pdf.valid
        checks["pdf_intact"] = check_pdf.intact
        by_digest = _document(pdf_sha256=hashlib.sha256(pdf).hexdigest())
        checks["pdf_matches_record"] = by_digest is not None
        looks_ours = documents.FIELD_NAME.encode() in pdf
        if not check_pdf.valid or by_digest is None:
            verdicts.add(CHANGED if looks_ours and check_pdf.error != "no_signature" else NOT_ETAM)
        if by_digest is not None and document is not None and by_digest.pk != document.pk:
            checks["qr_and_pdf_agree"] = False
            verdicts.add(CHANGED)
        document = document or by_digest
        ltv = check_pdf.ltv
        if check_pdf.valid and by_digest is not None and ltv is not None:
            result["signer"] = {
                "name": by_digest.signer_name or ltv.signer_name,
                "nip": by_digest.signer_nip,
                "position": by_digest.signer_position,
                "signed_at": _when(ltv.signed_at),
                "timestamped": ltv.timestamped,
                "certificate_valid_then": ltv.ok,
            }
    if document is not None and result["signer"] is None:
        result["signer"] = _record_signer(document)
    if not checks:
        verdicts.add(NOTHING)
    if document is not None and document.is_revoked:
        verdicts.add(REVOKED_DOCUMENT)
    if document is not None and not verdicts and _certificate_revoked(document.certificate_serial):
        verdicts.add(REVOKED_CERTIFICATE)
        if result["signer"]:
            result["signer"]["certificate_revoked"] = True
    order = [NOTHING, CHANGED, NOT_ETAM, REVOKED_DOCUMENT, REVOKED_CERTIFICATE]
    verdict = next((v for v in order if v in verdicts), GENUINE)
    # A changed or unknown file proves nothing about the record it claims to be.
    result["document"] = None if verdict in (CHANGED, NOT_ETAM, NOTHING) else _describe(document)
    if result["document"] is None:
        result["signer"] = None
    result["verdict"] = verdict
    result["message"] = verdict_message(verdict)
    result["valid"] = verdict == GENUINE
    if not result["valid"]:
        result["errors"] = [result["message"]]
    return result


def _record_signer(document: IssuedDocument) -> dict[str, Any] | None:
    """The signer as the record states it (no signature read), once the document is signed."""
    if not document.signed_at:
        return None
    return {
        "name": document.signer_name,
        "nip": document.signer_nip,
        "position": document.signer_position,
        "signed_at": _when(document.signed_at),
        "timestamped": True,
        "certificate_valid_then": True,
    }


def verify_record(document: IssuedDocument) -> dict[str, Any]:
    """The verdict for the online page of a code (``/v/<code>``): the record itself."""
    verdict = GENUINE
    if document.is_revoked:
        verdict = REVOKED_DOCUMENT
    elif _certificate_revoked(document.certificate_serial):
        verdict = REVOKED_CERTIFICATE
    signer = _record_signer(document)
    return {
        "valid": verdict == GENUINE,
        "verdict": verdict,
        "message": verdict_message(verdict),
        "signer": signer,
        "document": _describe(document),
    }
