"""Checking a document someone holds: its QR text or the PDF itself (online, with
revocation). The offline check of a QR payload is ``documents.verify_payload``."""

from __future__ import annotations

import hashlib
from typing import Any

from etam.eservices import documents
from etam.eservices.models import IssuedDocument


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


def verify_submission(*, qr: str | None = None, pdf: bytes | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"valid": False, "checks": {}, "document": None, "errors": []}
    document: IssuedDocument | None = None
    if qr:
        check = documents.verify_payload(qr, documents.known_qr_keys())
        result["checks"]["qr_signature"] = check.valid
        if not check.valid:
            result["errors"].append(f"qr: {check.error}")
        else:
            document = _document(code=str(check.fields.get("c", "")))
            matches = document is not None and document.number == check.fields.get("n")
            result["checks"]["qr_matches_record"] = matches
            if not matches:
                result["errors"].append("qr: no issued document with this number")
    if pdf is not None:
        check_pdf = documents.verify_pdf(pdf, documents.trust_roots())
        result["checks"]["pdf_signature"] = check_pdf.valid
        result["checks"]["pdf_intact"] = check_pdf.intact
        result["signer"] = check_pdf.signer
        if not check_pdf.valid:
            result["errors"].append(f"pdf: {check_pdf.error or 'signature not valid for this file'}")
        by_digest = _document(pdf_sha256=hashlib.sha256(pdf).hexdigest())
        result["checks"]["pdf_matches_record"] = by_digest is not None
        if by_digest is None:
            result["errors"].append("pdf: not a file Etam issued (or it was changed)")
        elif document is not None and by_digest.pk != document.pk:
            result["errors"].append("qr and pdf belong to different documents")
            result["checks"]["qr_and_pdf_agree"] = False
        document = document or by_digest
    result["document"] = _describe(document)
    checks = result["checks"]
    result["valid"] = bool(checks) and all(checks.values()) and document is not None and not document.is_revoked
    if document is not None and document.is_revoked:
        result["errors"].append("document revoked")
    return result
