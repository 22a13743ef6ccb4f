"""Encrypting backup files in chunks with AES-256-GCM (``cryptography``), docs/adr/0103.

A file is ``MAGIC`` + a 16-byte random salt, then chunks of at most ``CHUNK`` plaintext
bytes, each stored as a 4-byte length and its ciphertext. Each file gets its own key,
derived from ``BACKUP_ENCRYPTION_KEY`` with HKDF-SHA256 over the salt, so nonces can be a
plain counter. The nonce's last byte marks the final chunk and the header is the associated
data: a chunk moved, dropped, swapped with another file's, or a file cut short, fails to
decrypt. Losing the key means losing the backup: there is no recovery path.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
from collections.abc import Iterator
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"ETAMBK1\n"
SALT_BYTES = 16
CHUNK = 1 << 20
_LENGTH = struct.Struct(">I")


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class SealError(Exception):
    """The key is wrong, or the file was damaged or altered."""


def parse_key(text: str) -> bytes:
    """``BACKUP_ENCRYPTION_KEY``: 32 random bytes, base64 (``openssl rand -base64 32``)."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ValueError("BACKUP_ENCRYPTION_KEY must be 32 random bytes in base64 (openssl rand -base64 32)")
    return key


def key_id(key: bytes) -> str:
    """A fingerprint stored in the clear, so a wrong key is named before anything is read."""
    return hashlib.sha256(b"etam-backup-key-id" + key).hexdigest()[:16]


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"etam-backup-file").derive(key)
    return AESGCM(derived)


def _nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def encrypt(source: Readable, out: Writable, key: bytes) -> None:
    salt = os.urandom(SALT_BYTES)
    header = MAGIC + salt
    aead = _file_key(key, salt)
    out.write(header)
    counter = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if chunk else b""
        final = not following
        sealed = aead.encrypt(_nonce(counter, final), chunk, header)
        out.write(_LENGTH.pack(len(sealed)))
        out.write(sealed)
        if final:
            return
        chunk, counter = following, counter + 1


def decrypt(source: Readable, key: bytes) -> Iterator[bytes]:
    """The plaintext, chunk by chunk; SealError if anything is wrong (nothing after it is trusted)."""
    header = source.read(len(MAGIC) + SALT_BYTES)
    if len(header) != len(MAGIC) + SALT_BYTES or not header.startswith(MAGIC):
        raise SealError("not an Etam backup file")
    aead = _file_key(key, header[len(MAGIC) :])
    counter = 0
    while True:
        raw_length = source.read(_LENGTH.size)
        if len(raw_length) != _LENGTH.size:
            raise SealError("the file is cut short")
        (length,) = _LENGTH.unpack(raw_length)
        if length > CHUNK + 16:
            raise SealError("a chunk is larger than any Etam writes")
        sealed = source.read(length)
        if len(sealed) != length:
            raise SealError("the file is cut short")
        plain, final = _open(aead, counter, sealed, header)
        yield plain
        if final:
            if source.read(1):
                raise SealError("data after the final chunk")
            return
        counter += 1


def _open(aead: AESGCM, counter: int, sealed: bytes, header: bytes) -> tuple[bytes, bool]:
    """Decrypt one chunk; only one of the two final flags can verify."""
    for final in (False, True):
        try:
            return aead.decrypt(_nonce(counter, final), sealed, header), final
        except InvalidTag:
            continue
    raise SealError("wrong key, or the file was altered")
