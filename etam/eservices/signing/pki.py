"""A test/demo certificate hierarchy kept in a directory, and signing with it.

root → intermediate → one certificate per official (PKCS#12 encrypted with the official's
passphrase: the passphrase is the only way to the key, and it is never written anywhere)
and a TSA certificate. Revocation data is a CRL per CA, generated on request from
``revoked.json``. Every certificate names its issuer's CRL at ``<base_url>/crl/<ca>.crl``.

Used by the local signer (embedded demo) and by the fake signing server. All the
cryptography is ``cryptography``'s X.509 builders and pyHanko's signer; nothing is hand-made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PEM = serialization.Encoding.PEM
_LOCK = threading.Lock()

# Error codes of the BSrE Esign Client API (see docs/adr/0082): 2011 and 2031 are seen in
# public client code; the others are Etam's assumption until the hub's manual says otherwise.
UNKNOWN_NIK = 2011
WRONG_PASSPHRASE = 2031
CERTIFICATE_REVOKED = 2051
BAD_REQUEST = 2001

MESSAGES = {
    UNKNOWN_NIK: "User tidak terdaftar",
    WRONG_PASSPHRASE: "Passphrase anda salah",
    CERTIFICATE_REVOKED: "Sertifikat anda telah dicabut",
    BAD_REQUEST: "Permintaan tidak lengkap",
}


class PkiError(Exception):
    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(MESSAGES.get(code, str(code)))


def nik_id(nik: str) -> str:
    return hashlib.sha256(("etam-pki:" + "".join(nik.split())).encode()).hexdigest()[:24]


def _name(cn: str, org: str = "Etam Uji") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, cn[:64]),
        ]
    )


def _usage(**on: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{n: on.get(n, False) for n in names})


@dataclass
class Ca:
    name: str
    cert: x509.Certificate
    key: Any


class Pki:
    """One hierarchy in ``directory`` (created on first use)."""

    def __init__(self, directory: Path, base_url: str) -> None:
        self.directory = Path(directory)
        self.base_url = base_url.rstrip("/")
        with _LOCK:
            if not (self.directory / "root.pem").exists():
                self._create()

    # -- files ------------------------------------------------------------------------
    def _write_ca(self, name: str, cert: x509.Certificate, key: Any) -> None:
        (self.directory / f"{name}.pem").write_bytes(cert.public_bytes(PEM))
        path = self.directory / f"{name}.key.pem"
        path.write_bytes(key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        path.chmod(0o600)

    def ca(self, name: str) -> Ca:
        cert = x509.load_pem_x509_certificate((self.directory / f"{name}.pem").read_bytes())
        key = serialization.load_pem_private_key((self.directory / f"{name}.key.pem").read_bytes(), None)
        return Ca(name, cert, key)

    def certificate_pem(self, name: str) -> bytes:
        return (self.directory / f"{name}.pem").read_bytes()

    @property
    def root_pem(self) -> bytes:
        return self.certificate_pem("root")

    def _issue(
        self,
        subject: x509.Name,
        public_key: Any,
        issuer: Ca | None,
        *,
        ca: bool,
        days: int,
        usage: x509.KeyUsage,
        eku: list[Any] | None = None,
        self_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> x509.Certificate:
        now = dt.datetime.now(dt.UTC)
        signing_key = issuer.key if issuer else self_key
        assert signing_key is not None
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.cert.subject if issuer else subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=(1 if issuer is None else 0) if ca else None), True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False)
        )
        if issuer is not None:
            url = f"{self.base_url}/crl/{issuer.name}.crl"
            builder = builder.add_extension(
                x509.CRLDistributionPoints(
                    [x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)]
                ),
                critical=False,
            )
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
        return builder.sign(signing_key, hashes.SHA256())

    def _new_ca(
        self,
        name: str,
        common_name: str,
        key: Any,
        issuer: Ca | None,
        *,
        ca: bool,
        days: int,
        usage: x509.KeyUsage,
        eku: list[Any] | None = None,
    ) -> Ca:
        """Issue one certificate of the chain (self-signed without an issuer) and store it with its key."""
        cert = self._issue(
            _name(common_name), key.public_key(), issuer, ca=ca, days=days, usage=usage, eku=eku, self_key=key
        )
        self._write_ca(name, cert, key)
        return Ca(name, cert, key)

    def _create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "officials").mkdir(exist_ok=True)
        ca_usage = _usage(key_cert_sign=True, crl_sign=True)
        root_key = ec.generate_private_key(ec.SECP256R1())
        root = self._new_ca("root", "Etam Uji Root CA", root_key, None, ca=True, days=7300, usage=ca_usage)
        inter_key = ec.generate_private_key(ec.SECP256R1())
        inter = self._new_ca(
            "intermediate", "Etam Uji CA Penandatangan", inter_key, root, ca=True, days=3650, usage=ca_usage
        )
        tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's TSA is RSA-only
        tsa_usage = _usage(digital_signature=True)
        eku = [ExtendedKeyUsageOID.TIME_STAMPING]
        self._new_ca(
            "tsa", "Etam Uji Time Stamping Authority", tsa_key, inter, ca=False, days=3650, usage=tsa_usage, eku=eku
        )
        (self.directory / "revoked.json").write_text("{}")
        (self.directory / "base_url.txt").write_text(self.base_url)

    # -- officials --------------------------------------------------------------------
    def enrol(self, *, nik: str, name: str, passphrase: str, organisation: str = "Pemerintah Daerah") -> str:
        """Issue a certificate for an official; the key is kept only inside a PKCS#12
        encrypted with their passphrase. Returns the certificate serial (hex)."""
        inter = self.ca("intermediate")
        key = ec.generate_private_key(ec.SECP256R1())
        cert = self._issue(
            _name(name, organisation),
            key.public_key(),
            inter,
            ca=False,
            days=730,
            usage=_usage(digital_signature=True, content_commitment=True),
        )
        blob = pkcs12.serialize_key_and_certificates(
            name.encode(),
            key,
            cert,
            [inter.cert, self.ca("root").cert],
            serialization.BestAvailableEncryption(passphrase.encode()),
        )
        path = self.directory / "officials" / f"{nik_id(nik)}.p12"
        path.write_bytes(blob)
        path.chmod(0o600)
        (self.directory / "officials" / f"{nik_id(nik)}.pem").write_bytes(cert.public_bytes(PEM))
        return format(cert.serial_number, "x")

    def is_enrolled(self, nik: str) -> bool:
        return (self.directory / "officials" / f"{nik_id(nik)}.p12").exists()

    def official_certificate(self, nik: str) -> x509.Certificate:
        path = self.directory / "officials" / f"{nik_id(nik)}.pem"
        if not path.exists():
            raise PkiError(UNKNOWN_NIK)
        return x509.load_pem_x509_certificate(path.read_bytes())

    def revoke(self, nik: str) -> None:
        serial = format(self.official_certificate(nik).serial_number, "x")
        with _LOCK:
            revoked = self.revoked()
            revoked[serial] = dt.datetime.now(dt.UTC).isoformat()
            (self.directory / "revoked.json").write_text(json.dumps(revoked))

    def revoked(self) -> dict[str, str]:
        return dict(json.loads((self.directory / "revoked.json").read_text()))

    def revoked_at(self, serial: int) -> dt.datetime | None:
        value = self.revoked().get(format(serial, "x"))
        return dt.datetime.fromisoformat(value) if value else None

    def crl(self, ca_name: str) -> bytes:
        """A fresh DER CRL of ``root`` (revoked intermediates: none) or ``intermediate``."""
        ca = self.ca(ca_name)
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.cert.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + dt.timedelta(days=1))
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        )
        if ca_name == "intermediate":
            for serial, when in self.revoked().items():
                builder = builder.add_revoked_certificate(
                    x509.RevokedCertificateBuilder()
                    .serial_number(int(serial, 16))
                    .revocation_date(dt.datetime.fromisoformat(when))
                    .build()
                )
        return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def crl_for_url(self, url: str) -> bytes | None:
        name = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".crl")
        return self.crl(name) if name in ("root", "intermediate") else None

    # -- signing ----------------------------------------------------------------------
    def timestamper(self) -> Any:
        """An in-process RFC 3161 TSA (pyHanko's DummyTimeStamper with the TSA certificate)."""
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        tsa = self.ca("tsa")
        der = serialization.Encoding.DER
        return DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(tsa.cert.public_bytes(der)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(
                tsa.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            ),
            certs_to_embed=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(self.ca(n).cert.public_bytes(der)) for n in ("intermediate", "root")]
            ),
        )

    def sign_pdf(
        self,
        pdf: bytes,
        *,
        nik: str,
        passphrase: str,
        visible: bool = True,
        page: int = 1,
        box: tuple[float, float, float, float] = (56, 50, 196, 190),
        image_png: bytes | None = None,
        reason: str = "",
        location: str = "",
        timestamp: bool = True,
    ) -> bytes:
        """Sign as the official with this NIK. Raises ``PkiError`` with the hub's code for
        an unknown NIK, a wrong passphrase or a revoked certificate."""
        path = self.directory / "officials" / f"{nik_id(nik)}.p12"
        if not nik or not path.exists():
            raise PkiError(UNKNOWN_NIK)
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase.encode())
        except ValueError:
            raise PkiError(WRONG_PASSPHRASE) from None
        if key is None or cert is None:
            raise PkiError(WRONG_PASSPHRASE)
        if self.revoked_at(cert.serial_number) is not None:
            raise PkiError(CERTIFICATE_REVOKED)
        return pyhanko_sign(
            pdf,
            key=key,
            cert=cert,
            chain=list(extra or []),
            visible=visible,
            page=page,
            box=box,
            image_png=image_png,
            reason=reason,
            location=location,
            timestamper=self.timestamper() if timestamp else None,
        )


FIELD_NAME = "TandaTanganElektronik"


def pyhanko_sign(
    pdf: bytes,
    *,
    key: Any,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    visible: bool,
    page: int,
    box: tuple[float, float, float, float],
    image_png: bytes | None,
    reason: str,
    location: str,
    timestamper: Any = None,
) -> bytes:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields as sig_fields
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
    )
    style = None
    if visible and image_png:
        from PIL import Image
        from pyhanko.pdf_utils import layout
        from pyhanko.pdf_utils.images import PdfImage
        from pyhanko.stamp import StaticStampStyle

        style = StaticStampStyle(
            background=PdfImage(Image.open(io.BytesIO(image_png)).convert("RGB")),
            border_width=0,
            background_opacity=1,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID
            ),
        )
    field_box = (int(box[0]), int(box[1]), int(box[2]), int(box[3])) if visible else None
    spec = sig_fields.SigFieldSpec(FIELD_NAME, on_page=max(page, 1) - 1, box=field_box)
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper, stamp_style=style, new_field_spec=spec)
    output = io.BytesIO()
    pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=output)
    return output.getvalue()
