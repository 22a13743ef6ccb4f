"""The exchange log: append in order, hash-chained and signed by the node; verify; receipts.

Each entry's ``entry_hash`` is the SHA-256 of its fields (no personal data: digests only) and of
the entry before it, so an edited, deleted or reordered entry breaks the chain; the node signs
each ``entry_hash`` with its Ed25519 key, so a receipt can be checked by either party with the
node's public key alone (``/api/v1/interop/node-key``). ADR 0152.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import transaction

from etam.interop.models import ChainHead, Exchange

GENESIS = "0" * 64
HASHED_FIELDS = (
    "exchange_id",
    "consumer_id",
    "service_id",
    "agreement_id",
    "key_prefix",
    "requested_at",
    "method",
    "outcome",
    "status_code",
    "latency_ms",
    "request_digest",
    "response_digest",
    "previous_hash",
)


@lru_cache(maxsize=4)
def _private_key(configured: str, secret_key: str) -> Ed25519PrivateKey:
    if configured:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(configured))
    # No key configured (demo, tests): derived from SECRET_KEY, so it survives restarts and is
    # the same on every web node. Production sets INTEROP_SIGNING_KEY (ADR 0152).
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"etam.interop", info=b"node-signing-key/1").derive(
        secret_key.encode()
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def node_key() -> Ed25519PrivateKey:
    return _private_key(settings.INTEROP_SIGNING_KEY, settings.SECRET_KEY)


def node_public_key() -> str:
    """The node's public key, raw, base64url without padding."""
    raw = node_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hashed_content(entry: Exchange) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = getattr(entry, name)
        if name == "requested_at":
            value = value.astimezone(UTC).isoformat(timespec="microseconds")
        elif name == "exchange_id":
            value = str(value)
        content[name] = value
    return content


def entry_hash_of(entry: Exchange) -> str:
    canonical = json.dumps(hashed_content(entry), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def signature_valid(entry_hash: str, signature: str, public_key: str | None = None) -> bool:
    key = Ed25519PublicKey.from_public_bytes(_unb64(public_key or node_public_key()))
    try:
        key.verify(_unb64(signature), entry_hash.encode())
    except (InvalidSignature, ValueError):
        return False
    return True


def append(entry: Exchange) -> Exchange:
    """Chain, sign and store ``entry`` (unsaved) after the newest one, in its own transaction so a
    refused call is logged even though nothing else is saved."""
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entry.previous_hash = head.last_hash
        entry.entry_hash = entry_hash_of(entry)
        entry.signature = _b64(node_key().sign(entry.entry_hash.encode()))
        entry.save(force_insert=True)
        head.last_hash = entry.entry_hash
        head.entries += 1
        head.save(update_fields=["last_hash", "entries"])
    return entry


@dataclass
class LedgerReport:
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify() -> LedgerReport:
    """Recompute the whole chain: names each entry edited, out of place (an entry before it was
    deleted or moved) or wrongly signed, and a log whose newest entries were removed."""
    report = LedgerReport()
    previous = GENESIS
    for entry in Exchange.objects.order_by("id").iterator(chunk_size=2000):
        report.entries += 1
        if entry.previous_hash != previous:
            report.problems.append(
                f"entri #{entry.pk} ({entry.exchange_id}): tidak menyambung ke entri sebelumnya "
                "(ada entri yang dihapus atau diubah urutannya)"
            )
        if entry_hash_of(entry) != entry.entry_hash:
            report.problems.append(f"entri #{entry.pk} ({entry.exchange_id}): isinya diubah")
        if not signature_valid(entry.entry_hash, entry.signature):
            report.problems.append(f"entri #{entry.pk} ({entry.exchange_id}): tanda tangan tidak sah")
        previous = entry.entry_hash
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != previous or head.entries != report.entries):
        report.problems.append(
            f"ujung rantai mencatat {head.entries} entri, log berisi {report.entries}: "
            "entri terbaru dihapus atau diubah"
        )
    return report


def receipt(entry: Exchange) -> dict[str, Any]:
    """A signed receipt of one exchange, checkable with the node's public key alone."""
    return {
        **hashed_content(entry),
        "entry_hash": entry.entry_hash,
        "signature": entry.signature,
        "algorithm": "Ed25519",
        "node_public_key": node_public_key(),
    }


def receipt_valid(data: dict[str, Any], public_key: str | None = None) -> bool:
    """Whether a receipt is unaltered: its fields hash to ``entry_hash`` and the signature holds
    under ``public_key`` (default: this node's; never the key the receipt itself carries)."""
    try:
        content = {name: data[name] for name in HASHED_FIELDS}
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        return digest == data["entry_hash"] and signature_valid(data["entry_hash"], data["signature"], public_key)
    except (KeyError, TypeError, ValueError):
        return False
