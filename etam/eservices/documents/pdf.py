"""Issued documents: the content PDF (reportlab), the PAdES signature with the visible
QR (pyHanko), and PDF verification against the trust roots.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import segno
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone

from etam.eservices.documents.keys import FIELD_NAME, SIGNATURE_BOX, PadesMaterial
from etam.eservices.models import Application, IssuedDocument, SigningKey

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
        ["Nomor pelacakan", application.tracking_number],
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
