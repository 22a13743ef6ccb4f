"""Issued documents: the instansi keys (Ed25519 for QR payloads, the development PAdES
hierarchy) and the published public keys.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import IntegrityError, transaction

from etam.core.models import Institution
from etam.eservices.models import SigningKey

PAYLOAD_PREFIX = "ETAM1"
FIELD_NAME = "TandaTanganElektronik"
SIGNATURE_BOX = (56, 50, 540, 190)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def holder_digest(name: str) -> str:
    """Digest of the holder's name as printed (upper case, single spaces): an inspector
    types the name from the holder's ID card and compares."""
    normalised = " ".join(name.upper().split())
    return b64url(hashlib.sha256(normalised.encode()).digest()[:12])


# ======================================================================================
# Keys


def _pem_private(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _get_or_create_key(institution: Institution, purpose: str, make: Any) -> SigningKey:
    existing = SigningKey.objects.filter(institution=institution, purpose=purpose, retired_at__isnull=True).first()
    if existing:
        return existing
    values = make()
    try:
        with transaction.atomic():
            return SigningKey.objects.create(institution=institution, purpose=purpose, **values)
    except IntegrityError:
        # Another worker made it first.
        return SigningKey.objects.get(institution=institution, purpose=purpose, retired_at__isnull=True)


def qr_key(institution: Institution) -> SigningKey:
    def make() -> dict[str, Any]:
        key = ed25519.Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {
            "key_id": "ed" + hashlib.sha256(public).hexdigest()[:14],
            "private_key": {"pem": _pem_private(key)},
            "public_pem": key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode(),
        }

    return _get_or_create_key(institution, SigningKey.Purpose.QR, make)


def _name(common_name: str, institution: Institution) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, institution.name[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def _make_development_pades(institution: Institution) -> dict[str, Any]:
    """A self-signed development CA and a signer certificate it issues. The CA's private
    key is discarded once the signer certificate exists."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"Etam Development CA {institution.short_name}", institution)
    usage = {
        "content_commitment": False,
        "key_encipherment": False,
        "data_encipherment": False,
        "key_agreement": False,
        "encipher_only": False,
        "decipher_only": False,
    }
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=False, key_cert_sign=True, crl_sign=True, **usage), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{institution.short_name} (penanda tangan pengembangan)", institution))
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=False,
                crl_sign=False,
                **{**usage, "content_commitment": True},
            ),
            critical=True,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return {
        "key_id": "pades" + signer_cert.fingerprint(hashes.SHA256()).hex()[:14],
        "private_key": {"pem": _pem_private(signer_key)},
        "public_pem": signer_key.public_key()
        .public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
        "certificate_pem": signer_cert.public_bytes(pem).decode(),
        "ca_certificate_pem": ca_cert.public_bytes(pem).decode(),
        "development": True,
    }


@dataclass
class PadesMaterial:
    key_pem: bytes
    certificate_pem: bytes
    chain_pem: list[bytes]
    development: bool

    @property
    def trust_root_pem(self) -> bytes:
        return self.chain_pem[-1] if self.chain_pem else self.certificate_pem


def pades_material(institution: Institution) -> PadesMaterial:
    """The production PKCS#12 (``<ESERVICES_SIGNING_DIR>/<region_code>.p12``, e.g. a BSrE
    certificate) when present, otherwise the development CA kept in the database."""
    path = settings.ESERVICES_SIGNING_DIR / f"{institution.region_code}.p12"
    if path.exists():
        passphrase = settings.ESERVICES_SIGNING_PASSPHRASE.encode() or None
        key, cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase)
        if key is None or cert is None:
            raise RuntimeError(f"{path} holds no key and certificate")
        pem = serialization.Encoding.PEM
        return PadesMaterial(
            key_pem=_pem_private(key).encode(),
            certificate_pem=cert.public_bytes(pem),
            chain_pem=[c.public_bytes(pem) for c in (extra or [])],
            development=False,
        )
    stored = _get_or_create_key(institution, SigningKey.Purpose.PADES, lambda: _make_development_pades(institution))
    return PadesMaterial(
        key_pem=stored.private_key["pem"].encode(),
        certificate_pem=stored.certificate_pem.encode(),
        chain_pem=[stored.ca_certificate_pem.encode()] if stored.ca_certificate_pem else [],
        development=stored.development,
    )


def public_keys() -> list[dict[str, Any]]:
    """What an offline verifier downloads once: Ed25519 QR keys and PDF trust roots."""
    rows = SigningKey.objects.select_related("institution").order_by("institution__region_code", "purpose", "id")
    out = []
    for key in rows:
        item: dict[str, Any] = {
            "kid": key.key_id,
            "institution": key.institution.region_code,
            "institution_name": key.institution.name,
            "purpose": key.purpose,
            "active": key.retired_at is None,
            "development": key.development,
        }
        if key.purpose == SigningKey.Purpose.QR:
            public = serialization.load_pem_public_key(key.public_pem.encode())
            item["alg"] = "Ed25519"
            item["x"] = b64url(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
        else:
            item["certificate_pem"] = key.certificate_pem
            item["ca_certificate_pem"] = key.ca_certificate_pem
        out.append(item)
    return out
