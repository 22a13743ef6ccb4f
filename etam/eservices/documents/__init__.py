"""Issued documents anyone can verify, even offline. See docs/adr/0055-verifiable-documents.md.

1. The content PDF (reportlab) is produced first; its SHA-256 and length go into the
   QR payload.
2. The QR payload is a compact JSON object signed with the instansi's Ed25519 key:
   ``ETAM1.<base64url(payload)>.<base64url(signature)>``. The QR holds
   ``<base>/v/<code>#<payload>``: a phone camera opens the online page (the fragment
   never reaches the server), an offline verifier checks the signature with the
   published public key (``/v/kunci.json``).
3. pyHanko appends the visible signature (drawing the QR from segno's matrix) and the
   PAdES signature in one incremental update, so the content PDF is a byte prefix of the
   issued file and the signature covers the whole file.

A changed byte anywhere breaks the PAdES signature (and, inside the content revision,
the payload digest); an edited payload field breaks the Ed25519 signature.
"""

from __future__ import annotations

from etam.eservices.documents.issue import preview_pdf, qr_png, sign_and_issue
from etam.eservices.documents.keys import (
    FIELD_NAME,
    PAYLOAD_PREFIX,
    SIGNATURE_BOX,
    PadesMaterial,
    b64url,
    holder_digest,
    pades_material,
    public_keys,
    qr_key,
    unb64url,
)
from etam.eservices.documents.pdf import (
    BLOCK_X,
    QR_BOX,
    PdfVerification,
    render_content_pdf,
    sign_pdf,
    tanggal,
    trust_roots,
    valid_until,
    verify_pdf,
)
from etam.eservices.documents.qr import QrVerification, content_matches, known_qr_keys, make_payload, verify_payload

__all__ = [
    "BLOCK_X",
    "FIELD_NAME",
    "PAYLOAD_PREFIX",
    "QR_BOX",
    "SIGNATURE_BOX",
    "PadesMaterial",
    "PdfVerification",
    "QrVerification",
    "b64url",
    "content_matches",
    "holder_digest",
    "known_qr_keys",
    "make_payload",
    "pades_material",
    "preview_pdf",
    "public_keys",
    "qr_key",
    "qr_png",
    "render_content_pdf",
    "sign_and_issue",
    "sign_pdf",
    "tanggal",
    "trust_roots",
    "unb64url",
    "valid_until",
    "verify_payload",
    "verify_pdf",
]
