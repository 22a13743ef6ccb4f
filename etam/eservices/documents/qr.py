"""Issued documents: the signed QR payload (``ETAM1.<payload>.<signature>``), its
verification and the content digest check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from etam.eservices.documents.keys import PAYLOAD_PREFIX, b64url, holder_digest, unb64url
from etam.eservices.models import SigningKey

# QR payload


def make_payload(
    *,
    key: SigningKey,
    number: str,
    code: str,
    service_code: str,
    institution_code: str,
    holder: str,
    issued_on: dt.date,
    content_sha256: bytes,
    content_length: int,
) -> str:
    payload = {
        "v": 1,
        "k": key.key_id,
        "n": number,
        "c": code,
        "s": service_code,
        "i": institution_code,
        "h": holder_digest(holder),
        "d": issued_on.isoformat(),
        "p": b64url(content_sha256),
        "l": content_length,
    }
    body = b64url(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    private = serialization.load_pem_private_key(key.private_key["pem"].encode(), password=None)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    signature = private.sign(f"{PAYLOAD_PREFIX}.{body}".encode())
    return f"{PAYLOAD_PREFIX}.{body}.{b64url(signature)}"


@dataclass
class QrVerification:
    valid: bool
    fields: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def verify_payload(text: str, keys: dict[str, bytes]) -> QrVerification:
    """Offline check of a QR text (the full URL or just the ``ETAM1.…`` token) against
    raw Ed25519 public keys by key id. No database, no network."""
    token = text.strip()
    if "#" in token:
        token = token.split("#", 1)[1]
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PAYLOAD_PREFIX:
        return QrVerification(False, error="not an Etam document code")
    try:
        fields = json.loads(unb64url(parts[1]))
        signature = unb64url(parts[2])
    except (ValueError, json.JSONDecodeError):
        return QrVerification(False, error="malformed payload")
    if not isinstance(fields, dict):
        return QrVerification(False, error="malformed payload")
    raw_key = keys.get(str(fields.get("k")))
    if raw_key is None:
        return QrVerification(False, fields, error="unknown signing key")
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, f"{parts[0]}.{parts[1]}".encode())
    except (InvalidSignature, ValueError):
        return QrVerification(False, fields, error="signature does not match: the code was altered")
    return QrVerification(True, fields)


def known_qr_keys() -> dict[str, bytes]:
    keys = {}
    for key in SigningKey.objects.filter(purpose=SigningKey.Purpose.QR):
        public = serialization.load_pem_public_key(key.public_pem.encode())
        keys[key.key_id] = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return keys


def content_matches(pdf: bytes, fields: dict[str, Any]) -> bool:
    """Does this PDF start with the content revision the payload names?"""
    try:
        length = int(fields["l"])
        expected = unb64url(str(fields["p"]))
    except (KeyError, TypeError, ValueError):
        return False
    return 0 < length <= len(pdf) and hashlib.sha256(pdf[:length]).digest() == expected
