"""Tracking numbers and receipt secrets.

``64.72-DPMPTSP-2026-000123``: instansi region code, OPD code, year, a per-(instansi,
OPD, year) sequence. See docs/adr/0051-tracking-numbers.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F

from etam.eservices import crypto
from etam.eservices.models import TrackingCounter

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a password; no 0/O, 1/I)


def next_sequence(*, institution_id: int, agency_id: int, year: int) -> int:
    """Take the next number inside the caller's transaction.

    The UPDATE locks the counter row until the caller commits or rolls back: concurrent
    submitters to one OPD queue here, a rolled-back submission gives its number back
    (nothing was issued under it) and a committed number is never handed out again.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_sequence must run inside the submitting transaction")
    key = {"institution_id": institution_id, "agency_id": agency_id, "year": year}
    if not TrackingCounter.objects.filter(**key).update(value=F("value") + 1):
        try:
            with transaction.atomic():
                TrackingCounter.objects.create(**key, value=1)
            return 1
        except IntegrityError:
            # Another transaction created the row first; its lock is ours after it commits.
            TrackingCounter.objects.filter(**key).update(value=F("value") + 1)
    return TrackingCounter.objects.filter(**key).values_list("value", flat=True).get()


def format_number(region_code: str, agency_code: str, year: int, sequence: int) -> str:
    return f"{region_code}-{agency_code}-{year}-{sequence:06d}"


def _format_secret(raw: bytes) -> str:
    value = int.from_bytes(raw[:8], "big")
    chars = []
    for _ in range(12):
        value, index = divmod(value, len(SECRET_ALPHABET))
        chars.append(SECRET_ALPHABET[index])
    text = "".join(chars)
    return f"{text[:4]}-{text[4:8]}-{text[8:]}"


def new_receipt_secret(*, user_id: int, idempotency_key: str | None) -> str:
    """12 characters (≈ 60 bits). With an idempotency key the secret is derived from it
    (keyed HMAC), so a replayed request can return the same receipt while the database
    keeps only a digest."""
    if idempotency_key:
        raw = hmac.new(crypto._lookup_key(), f"receipt|{user_id}|{idempotency_key}".encode(), hashlib.sha256).digest()
    else:
        raw = secrets.token_bytes(16)
    return _format_secret(raw)


def normalise_secret(secret: str) -> str:
    cleaned = "".join(ch for ch in secret.upper() if ch.isalnum())
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:12]}" if len(cleaned) == 12 else cleaned


def secret_digest(tracking_number: str, secret: str) -> str:
    return crypto.lookup_digest(f"{tracking_number}|{normalise_secret(secret)}", kind="receipt")


def secrets_match(stored_digest: str, tracking_number: str, secret: str) -> bool:
    return hmac.compare_digest(stored_digest, secret_digest(tracking_number, secret))


def verification_code() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode().rstrip("=").lower()
