"""Encryption at rest for personal identifiers (NIK, phone numbers) and keyed lookups.

Two keys are derived with HKDF-SHA256 from ``settings.ESERVICES_FIELD_KEY`` (a dedicated
environment variable, never stored in the database): one AES-256-GCM key for the
ciphertexts and one HMAC-SHA256 key for the lookup digests, so a leaked lookup digest
says nothing about the encryption key. Ciphertexts carry a version prefix so the key
can be rotated (``v1:`` + base64(nonce ‖ ciphertext ‖ tag)). See docs/adr/0052.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

VERSION = "v1"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """The ciphertext was altered or was made with another key."""


@lru_cache(maxsize=8)
def _derive(secret: str, purpose: bytes) -> bytes:
    if not secret:
        raise RuntimeError("ESERVICES_FIELD_KEY is empty: cannot encrypt personal data")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"etam.eservices", info=purpose)
    return hkdf.derive(secret.encode())


def _encryption_key() -> bytes:
    return _derive(settings.ESERVICES_FIELD_KEY, b"field-encryption/" + VERSION.encode())


def _lookup_key() -> bytes:
    return _derive(settings.ESERVICES_FIELD_KEY, b"lookup-hmac/" + VERSION.encode())


def encrypt(plaintext: str, *, context: str = "") -> str:
    """Encrypt text; ``context`` is bound as associated data (a value cannot be moved
    to another column without failing to decrypt)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_encryption_key()).encrypt(nonce, plaintext.encode(), context.encode() or None)
    return f"{VERSION}:" + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str, *, context: str = "") -> str:
    version, _, body = token.partition(":")
    if version != VERSION or not body:
        raise DecryptionError("unknown ciphertext version")
    raw = base64.b64decode(body)
    try:
        plain = AESGCM(_encryption_key()).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode() or None)
    except Exception as exc:  # InvalidTag: tampered or wrong key
        raise DecryptionError("ciphertext does not authenticate") from exc
    return plain.decode()


def lookup_digest(value: str, *, kind: str) -> str:
    """Keyed digest for equality lookups (e.g. find cases by NIK) without storing the value."""
    normalised = "".join(value.split()).upper()
    return hmac.new(_lookup_key(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


class EncryptedJSONField(models.TextField):  # type: ignore[type-arg]
    """A JSON value stored as AES-GCM ciphertext. ``None`` stays NULL; ``{}``/``[]`` are
    encrypted like any other value. Not searchable: add a ``lookup_digest`` column."""

    # django-stubs: what may be assigned to / is read from the attribute.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def __init__(self, *args: Any, context: str = "", **kwargs: Any) -> None:
        self.context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.context:
            kwargs["context"] = self.context
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return json.loads(decrypt(value, context=self.context))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt(json.dumps(value, sort_keys=True, ensure_ascii=False), context=self.context)
