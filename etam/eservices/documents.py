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

import base64
import contextlib
import datetime as dt
import hashlib
import io
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import segno
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from etam.core import audit
from etam.core.models import Institution
from etam.eservices.models import Application, ApplicationEvent, IssuedDocument, SigningKey

logger = logging.getLogger("etam.eservices.documents")

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


# ======================================================================================
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


# ======================================================================================
# PDF


def _fill(text: str, values: dict[str, str]) -> str:
    out = text
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


# Where the visible signature (the QR drawn by the signing service) sits on page 1, in
# points from the bottom left: beside the signature block's name and NIP.
QR_BOX = (318.0, 118.0, 398.0, 198.0)
BLOCK_X = 405.0


def tanggal(value: dt.date) -> str:
    """A date in naskah dinas form: "3 Desember 2026"."""
    from django.utils import formats, translation

    with translation.override("id"):
        return str(formats.date_format(value, "j F Y"))


def valid_until(document: IssuedDocument, application: Application) -> dt.date | None:
    """The end of validity: a date answer named by the template (e.g. the end of the
    research period), else ``valid_days`` after the issue date."""
    template = application.version.document_template
    name = template.get("valid_until_answer")
    if name:
        raw = application.all_answers().get(name)
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            pass
    if template.get("valid_days"):
        return document.issued_on + dt.timedelta(days=int(template["valid_days"]))
    return None


def render_content_pdf(document: IssuedDocument, application: Application) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from etam.eservices import formengine
    from etam.eservices.definitions import iter_fields

    template = application.version.document_template
    service = application.service
    agency = application.agency
    institution = agency.institution
    answers = application.all_answers()
    values = {
        "holder": document.holder_name,
        "service": service.name,
        "number": document.number,
        "issued_on": document.issued_on.strftime("%d/%m/%Y"),
        "tracking_number": application.tracking_number,
        "agency": agency.name,
        "institution": institution.name,
    }
    for _page, spec, group in iter_fields(application.version.form):
        if group is None and spec["type"] not in formengine.PROTECTED_TYPES and spec["name"] in answers:
            values[f"answer.{spec['name']}"] = formengine.display_value(spec, answers[spec["name"]], answers)
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=11, leading=15, alignment=4)
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=9, leading=11)
    kop_1 = ParagraphStyle(
        "kop1", parent=styles["Normal"], fontName="Helvetica-Bold", fontSize=14, leading=18, alignment=1
    )
    kop_2 = ParagraphStyle(
        "kop2", parent=styles["Normal"], fontName="Helvetica-Bold", fontSize=12, leading=16, alignment=1
    )
    kop_3 = ParagraphStyle("kop3", parent=styles["Normal"], fontSize=9, leading=12, alignment=1)
    title = ParagraphStyle(
        "title", parent=styles["Normal"], fontName="Helvetica-Bold", fontSize=12, leading=16, alignment=1
    )
    centred = ParagraphStyle("centred", parent=styles["Normal"], fontSize=11, leading=15, alignment=1)
    place = template.get("place") or institution.name.removeprefix("Pemerintah ")
    signatory = document.signer_position or template.get("signatory_title") or f"Kepala {agency.name}"
    verify_url = f"{settings.ESERVICES_PUBLIC_BASE_URL}/v/{document.code}"

    def first_page(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        width = A4[0]
        # Signature block: place and date, jabatan, (visible signature + QR), name, NIP.
        canvas.setFont("Helvetica", 11)
        y = QR_BOX[3] + 52
        canvas.drawString(QR_BOX[0], y, f"Ditetapkan di {place}")
        canvas.drawString(QR_BOX[0], y - 14, f"pada tanggal {tanggal(document.issued_on)}")
        line_y = y - 30
        for chunk in _wrap(signatory, 42):
            canvas.drawString(QR_BOX[0], line_y, chunk)
            line_y -= 13
        canvas.setFont("Helvetica", 9)
        canvas.drawString(BLOCK_X, QR_BOX[1] + 58, "Ditandatangani")
        canvas.drawString(BLOCK_X, QR_BOX[1] + 47, "secara elektronik")
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(QR_BOX[0], QR_BOX[1] - 16, document.signer_name or "")
        canvas.setFont("Helvetica", 11)
        if document.signer_nip:
            canvas.drawString(QR_BOX[0], QR_BOX[1] - 30, f"NIP {document.signer_nip}")
        # The standard footnote.
        canvas.setLineWidth(0.4)
        canvas.line(20 * mm, 26 * mm, width - 20 * mm, 26 * mm)
        canvas.setFont("Helvetica-Oblique", 9)
        canvas.drawString(
            20 * mm,
            21 * mm,
            "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik yang",
        )
        canvas.drawString(
            20 * mm, 17 * mm, "diterbitkan oleh Balai Sertifikasi Elektronik (BSrE), Badan Siber dan Sandi Negara."
        )
        canvas.drawString(20 * mm, 13 * mm, f"Keaslian dokumen dapat diperiksa di {verify_url}")
        canvas.restoreState()

    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=12 * mm,
        bottomMargin=95 * mm,
        title=f"{template['title']} {document.number}",
        author=f"{document.signer_name or signatory}, {agency.name}",
        subject=f"{template['title']} — {service.name}",
        creator="Etam SPBE Kaltim",
        producer="Etam SPBE Kaltim (ReportLab)",
        keywords=[document.number, document.code],
    )
    story: list[Any] = [
        Paragraph(escape(f"PEMERINTAH {institution.name.upper().removeprefix('PEMERINTAH ')}"), kop_1),
        Paragraph(escape(agency.name.upper()), kop_2),
        Paragraph(
            escape(
                " · ".join(x for x in (agency.address, agency.phone and f"Telp. {agency.phone}", agency.email) if x)
            ),
            kop_3,
        ),
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=2, color=colors.black, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.5, color=colors.black),
        Spacer(1, 8 * mm),
        Paragraph(f"<u>{escape(template['title'].upper())}</u>", title),
        Paragraph(escape(f"Nomor: {document.number}"), centred),
        Spacer(1, 6 * mm),
    ]
    for paragraph in template["body"]:
        story.append(Paragraph(escape(_fill(paragraph, values)), body))
        story.append(Spacer(1, 2 * mm))
    rows = [
        ["Nama pemegang", document.holder_name],
        ["Layanan", service.name],
        ["Nomor registrasi", application.tracking_number],
        ["Tanggal permohonan", timezone.localtime(application.submitted_at).strftime("%d/%m/%Y")],
        ["Tanggal terbit", document.issued_on.strftime("%d/%m/%Y")],
    ]
    until = valid_until(document, application)
    if until is not None:
        rows.append(["Berlaku sampai", until.strftime("%d/%m/%Y")])
    rows += [[item["label"], _fill(item["value"], values)] for item in template.get("fields", [])]
    table = Table(
        [[Paragraph(escape(a), small), Paragraph(escape(b), small)] for a, b in rows],
        colWidths=[50 * mm, 120 * mm],
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [Spacer(1, 3 * mm), table]
    pdf.build(story, onFirstPage=first_page)
    # Not ``invariant``: the creation date is the real time of rendering (at signing).
    return buffer.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def _qr_appearance(text: str, height: float) -> Any:
    from pyhanko.pdf_utils import content, layout
    from pyhanko.stamp import StaticStampStyle

    qr = segno.make(text, error="m")
    size = qr.symbol_size(scale=1, border=2)[0]
    commands = [b"0 0 0 rg"]
    for y, row in enumerate(qr.matrix_iter(scale=1, border=2)):
        for x, dark in enumerate(row):
            if dark:
                commands.append(b"%d %d 1 1 re" % (x, size - 1 - y))
    commands.append(b"f")
    raw = content.RawContent(b"\n".join(commands), box=layout.BoxConstraints(width=size, height=size))
    return StaticStampStyle(
        background=raw,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID
        ),
    )


def sign_pdf(content_pdf: bytes, qr_text: str, material: PadesMaterial, *, reason: str, location: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields as sig_fields
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(
            x509.load_pem_x509_certificate(material.certificate_pem).public_bytes(serialization.Encoding.DER)
        ),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            serialization.load_pem_private_key(material.key_pem, password=None).private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [
                asn1_x509.Certificate.load(x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER))
                for pem in material.chain_pem
            ]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=_qr_appearance(qr_text, SIGNATURE_BOX[3] - SIGNATURE_BOX[1]),
        new_field_spec=sig_fields.SigFieldSpec(FIELD_NAME, on_page=0, box=SIGNATURE_BOX),
    )
    output = io.BytesIO()
    pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(content_pdf)), output=output)
    return output.getvalue()


@dataclass
class PdfVerification:
    valid: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str = ""
    error: str = ""
    ltv: Any = None


def verify_pdf(pdf: bytes, trust_roots_pem: list[bytes]) -> PdfVerification:
    """Validate the approval signature in long-term mode (B-LT: the DSS and timestamps in
    the file) with pyHanko against the given trust roots. ``error`` is a problem code."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from etam.eservices.signing import ltv

    result = ltv.validate(pdf, trust_roots_pem)
    padding_clean = False
    with contextlib.suppress(Exception):  # unreadable: ltv.validate already said so
        padding_clean = all(_signature_padding_clean(s) for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures)
    return PdfVerification(
        valid=result.ok and padding_clean,
        intact=result.intact and padding_clean,
        trusted=result.trusted,
        covers_whole_file=result.whole_file,
        signer=result.signer_name,
        error=result.problem or ("" if padding_clean else "changed"),
        ltv=result,
    )


def _signature_padding_clean(signature: Any) -> bool:
    """The signed byte range excludes the /Contents hole. The signer fills the space after
    the CMS object with zeros; any other byte there means the file was altered (a change
    that signature validation alone would not notice)."""
    contents = bytes(signature.sig_object["/Contents"])
    if len(contents) < 2 or contents[0] != 0x30:
        return False
    length = contents[1]
    header = 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or len(contents) < 2 + count:
            return False
        length = int.from_bytes(contents[2 : 2 + count], "big")
        header += count
    end = header + length
    return end <= len(contents) and not any(contents[end:])


def trust_roots() -> list[bytes]:
    from etam.eservices.signing.signer import get_signer

    roots = list(get_signer().trust_roots())
    for key in SigningKey.objects.filter(purpose=SigningKey.Purpose.PADES):
        roots.append((key.ca_certificate_pem or key.certificate_pem).encode())
    for path in (
        sorted(settings.ESERVICES_SIGNING_DIR.glob("*.trust.pem")) if settings.ESERVICES_SIGNING_DIR.exists() else []
    ):
        roots.append(path.read_bytes())
    return roots


# ======================================================================================
# Generation (background task)


def preview_pdf(application: Application, official: Any) -> bytes:
    """The content PDF as it would be issued today by this official: not saved, not
    signed, with "PRATINJAU" (preview) in place of the number."""
    from etam.eservices.services import signing_identity

    identity = signing_identity(official)
    draft = IssuedDocument(
        application=application,
        number="PRATINJAU",
        code="pratinjau",
        holder_name=application.holder_name,
        issued_on=timezone.localdate(),
        signer_name=str(official)[:150],
        signer_nip=identity.nip if identity else "",
        signer_position=identity.position if identity else "",
        created_at=timezone.now(),
    )
    return render_content_pdf(draft, application)


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=4, border=2)
    return buffer.getvalue()


@sensitive_variables("passphrase")
def sign_and_issue(document: IssuedDocument, *, passphrase: str, signer: Any = None) -> IssuedDocument:
    """Render the document with the official's signature block, sign it through the
    signing service as that official (NIK + passphrase), add B-LT data and store it.

    Raises ``SigningRefused`` (wrong passphrase, unknown NIK, revoked certificate: nothing
    changes) or ``SigningUnavailable`` (the document stays "to sign"). The passphrase is
    only passed on to the signer; it is never stored or logged."""
    from etam.eservices.signing.signer import SignRequest, get_signer, sign_b_lt

    document = IssuedDocument.objects.select_related(
        "application__service",
        "application__version",
        "application__agency__institution",
        "signer__signing_identity",
    ).get(pk=document.pk)
    if document.status == IssuedDocument.Status.ISSUED:
        return document
    application = document.application
    institution = application.agency.institution
    identity = document.signer.signing_identity  # type: ignore[union-attr]
    content_pdf = render_content_pdf(document, application)
    key = qr_key(institution)
    payload = make_payload(
        key=key,
        number=document.number,
        code=document.code,
        service_code=application.service.code,
        institution_code=institution.region_code,
        holder=document.holder_name,
        issued_on=document.issued_on,
        content_sha256=hashlib.sha256(content_pdf).digest(),
        content_length=len(content_pdf),
    )
    qr_text = f"{settings.ESERVICES_PUBLIC_BASE_URL}/v/{document.code}#{payload}"
    signed = sign_b_lt(
        signer or get_signer(),
        SignRequest(
            pdf=content_pdf,
            nik=str(identity.nik),
            passphrase=passphrase,
            visible=True,
            page=1,
            box=QR_BOX,
            image_png=qr_png(qr_text),
            reason=f"{application.service.name} — {document.number}",
            location=institution.name,
        ),
    )
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    from etam.eservices import notifications

    locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    if locked.status == IssuedDocument.Status.ISSUED:
        return locked
    locked.file.save("dokumen.pdf", ContentFile(signed), save=False)
    locked.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    locked.content_sha256 = hashlib.sha256(content_pdf).hexdigest()
    locked.qr_payload = payload
    locked.key_id = key.key_id
    locked.status = IssuedDocument.Status.ISSUED
    locked.attempts = document.attempts + 1
    locked.last_error = ""
    locked.signed_at = timezone.now()
    locked.certificate_serial = format(signature.signer_cert.serial_number, "x")
    locked.save()
    ApplicationEvent.objects.create(
        application=application,
        actor=document.signer,
        actor_label=str(document.signer)[:200],
        kind=ApplicationEvent.Kind.DOCUMENT_ISSUED,
        message=locked.number,
    )
    audit.record(
        actor=document.signer,
        action="eservices.document_issue",
        target=application,
        object_type="eservices.issueddocument",
        object_id=locked.pk,
        object_repr=locked.number,
        after={"number": locked.number, "pdf_sha256": locked.pdf_sha256, "certificate": locked.certificate_serial},
    )
    notifications.queue(application, "document_issued", {"number": locked.number})
    return locked
