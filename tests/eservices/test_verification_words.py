"""Verification answers in plain words, Indonesian first: genuine / changed after signing /
revoked by the issuing OPD / signed with a certificate revoked at the signing service /
not issued by Etam; who signed and when; never exception text."""

import base64
import io
import json

import pytest
from django.test import Client
from django.utils import translation

from etam.eservices import documents, services
from etam.eservices.models import IssuedDocument
from etam.eservices.verification import verify_submission
from tests.conftest import OFFICIAL_NIK
from tests.eservices.test_signing import approve, hub, ready_for_approval  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(province, info_service, hub):  # noqa: F811
    application = approve(province, ready_for_approval(province, info_service))
    return IssuedDocument.objects.get(application=application)


def check(**kwargs):
    with translation.override("id"):
        return verify_submission(**kwargs)


def test_genuine_names_the_signer_and_the_time(issued):
    result = check(pdf=issued.file.read(), qr=issued.qr_payload)
    assert result["verdict"] == "genuine" and result["valid"]
    assert result["message"].startswith("Asli:")
    assert result["signer"]["name"] == "Admin DPMPTSP" and result["signer"]["nip"] == "198001012005011001"
    assert result["signer"]["timestamped"] and result["signer"]["certificate_valid_then"]
    assert result["document"]["issued_on_display"] == issued.issued_on.strftime("%d/%m/%Y")


@pytest.mark.parametrize("where", [0.05, 0.5, 0.99])
def test_a_flipped_byte_is_changed_in_plain_words(issued, where):
    pdf = bytearray(issued.file.read())
    pdf[int(len(pdf) * where)] ^= 0x01
    result = check(pdf=bytes(pdf))
    assert result["verdict"] == "changed" and result["message"].startswith("Berubah:")
    assert result["document"] is None and result["signer"] is None
    assert all("Error" not in e and "byte" not in e for e in result["errors"])


def test_an_edited_qr_field_is_changed(issued):
    prefix, body, signature = issued.qr_payload.split(".")
    fields = json.loads(documents.unb64url(body))
    fields["h"] = documents.holder_digest("Orang Lain")
    forged = (
        f"{prefix}.{documents.b64url(json.dumps(fields, separators=(',', ':'), sort_keys=True).encode())}.{signature}"
    )
    result = check(qr=forged)
    assert result["verdict"] == "changed" and result["message"].startswith("Berubah:")


def test_not_issued_by_etam(issued):
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(100, 700, "Surat palsu")
    page.save()
    result = check(pdf=buffer.getvalue())
    assert result["verdict"] == "not_etam" and result["message"].startswith("Bukan terbitan Etam")
    assert check(qr="https://contoh.id/bukan-kode")["verdict"] == "not_etam"
    garbage = check(pdf=b"%PDF-1.7\n garbage")
    assert garbage["verdict"] == "not_etam" and "PdfReadError" not in json.dumps(garbage)


def test_revoked_by_the_opd(province, issued):
    services.document_revoke(actor=province.admin_dpmptsp, document=issued, reason="Salah nama")
    result = check(qr=issued.qr_payload)
    assert result["verdict"] == "revoked_document" and result["message"].startswith("Dicabut:")


def test_signed_with_a_certificate_revoked_at_the_signing_service(issued, hub):  # noqa: F811
    assert check(qr=issued.qr_payload)["verdict"] == "genuine"
    hub.app.pki.revoke(OFFICIAL_NIK)
    result = check(pdf=issued.file.read())
    assert result["verdict"] == "revoked_certificate"
    assert result["message"].startswith("Ditandatangani dengan sertifikat yang dicabut")
    page = Client(HTTP_ACCEPT_LANGUAGE="id").get(f"/v/{issued.code}").content.decode()
    assert "sertifikat yang dicabut" in page


def test_the_page_and_the_api_speak_the_same_words(issued):
    page = Client(HTTP_ACCEPT_LANGUAGE="id").get(f"/v/{issued.code}").content.decode()
    assert "Asli:" in page and "Admin DPMPTSP" in page and "198001012005011001" in page
    pdf = bytearray(issued.file.read())
    pdf[len(pdf) // 2] ^= 0x01
    response = Client(HTTP_ACCEPT_LANGUAGE="id").post(
        "/api/v1/documents/verify",
        {"pdf_base64": base64.b64encode(bytes(pdf)).decode()},
        content_type="application/json",
    )
    body = response.json()
    assert body["verdict"] == "changed" and body["message"].startswith("Berubah:") and body["valid"] is False
