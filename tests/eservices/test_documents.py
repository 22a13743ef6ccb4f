import base64
import json
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from django.test import Client

from etam.eservices import documents, services
from etam.eservices.models import IssuedDocument, SigningKey
from etam.eservices.verification import verify_submission
from tests.conftest import OFFICIAL_PASSPHRASE
from tests.eservices.conftest import drive, enrol_official

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(province, submitted, django_capture_on_commit_callbacks):
    enrol_official()
    application = drive(submitted.application, province.officer_dpmptsp, "mulai_verifikasi", "verifikasi_lengkap")
    application = services.application_act(
        actor=province.admin_dpmptsp, application=application, action="setujui", passphrase=OFFICIAL_PASSPHRASE
    )
    document = IssuedDocument.objects.get(application=application)
    assert document.status == IssuedDocument.Status.ISSUED  # signed by the official at approval
    return document


def pdf_bytes(document):
    with document.file.open("rb") as handle:
        return handle.read()


def offline_keys():
    """What an offline verifier has: the published key list, no database."""
    published = json.loads(json.dumps(documents.public_keys()))
    return {k["kid"]: documents.unb64url(k["x"]) for k in published if k["purpose"] == "qr"}


def test_issued_pdf_is_signed_and_verifies_with_pyhanko(issued):
    pdf = pdf_bytes(issued)
    assert pdf.startswith(b"%PDF")
    result = documents.verify_pdf(pdf, documents.trust_roots())
    assert result.valid and result.intact and result.trusted and result.covers_whole_file
    assert "Admin DPMPTSP" in result.signer  # the official who approved
    assert documents.content_matches(pdf, documents.verify_payload(issued.qr_payload, offline_keys()).fields)


def pdfsig(path, tmp_path):
    """poppler's pdfsig with the demo root in a fresh NSS database (certutil, libnss3-tools)."""
    nss = tmp_path / "nss"
    if not nss.exists():
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, timeout=60)
        for index, root in enumerate(documents.trust_roots()):
            pem = tmp_path / f"root{index}.pem"
            pem.write_bytes(root)
            subprocess.run(
                ["certutil", "-A", "-d", f"sql:{nss}", "-n", f"root{index}", "-t", "CT,C,C", "-i", str(pem)],
                check=True,
                timeout=60,
            )
    return subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True, timeout=60
    ).stdout


@pytest.mark.skipif(
    shutil.which("pdfsig") is None or shutil.which("certutil") is None, reason="poppler-utils or libnss3-tools missing"
)
def test_independent_tool_pdfsig_agrees(issued, tmp_path):
    pdf = pdf_bytes(issued)
    good = tmp_path / "good.pdf"
    good.write_bytes(pdf)
    out = pdfsig(good, tmp_path)
    first, _, stamp = out.partition("Signature #2:")
    assert "Signature is Valid" in first and "Certificate is Trusted" in first, out
    assert "StempelWaktuDokumen" in stamp and "Total document signed" in stamp, out  # B-LT: the timestamp covers all
    # A byte of the content revision (pdfsig cannot check the RFC 3161 document timestamp
    # that covers the later updates; Etam's own verifier does, see the tests below).
    content_length = documents.verify_payload(issued.qr_payload, offline_keys()).fields["l"]
    flipped = bytearray(pdf)
    flipped[content_length // 2] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(flipped))
    assert "Signature is Valid" not in pdfsig(bad, tmp_path)


@pytest.mark.parametrize("where", [0.1, 0.5, 0.97])
def test_one_byte_change_fails_verification(issued, where):
    pdf = bytearray(pdf_bytes(issued))
    position = int(len(pdf) * where)
    pdf[position] = (pdf[position] + 1) % 256
    result = documents.verify_pdf(bytes(pdf), documents.trust_roots())
    assert not result.valid
    assert verify_submission(pdf=bytes(pdf))["valid"] is False


def test_a_change_inside_the_signature_padding_fails(issued):
    pdf = bytearray(pdf_bytes(issued))
    position = bytes(pdf).rindex(b"0000000000>") + 3  # in the zero padding after the CMS blob
    pdf[position] = ord("1")
    assert documents.verify_pdf(bytes(pdf), documents.trust_roots()).valid is False


def test_qr_verifies_offline_and_an_edited_field_fails(issued):
    keys = offline_keys()
    check = documents.verify_payload(issued.qr_payload, keys)
    assert check.valid and check.fields["n"] == issued.number
    assert check.fields["h"] == documents.holder_digest("siti  rahmawati")  # case/space-insensitive name digest
    prefix, body, signature = issued.qr_payload.split(".")
    for field, value in (("n", "070/999999/X/2026"), ("d", "2030-01-01"), ("h", "AAAA"), ("p", "AAAA")):
        fields = json.loads(documents.unb64url(body))
        fields[field] = value
        edited = documents.b64url(json.dumps(fields, separators=(",", ":"), sort_keys=True).encode())
        forged = f"{prefix}.{edited}.{signature}"
        assert documents.verify_payload(forged, keys).valid is False, field
    # The full QR text (URL with the payload in the fragment) works too; another key fails.
    assert documents.verify_payload(f"https://x/v/{issued.code}#{issued.qr_payload}", keys).valid
    other = {kid: b"\x01" * 32 for kid in keys}
    assert documents.verify_payload(issued.qr_payload, other).valid is False


def test_online_verification_page_and_revocation(province, issued):
    client = Client()
    page = client.get(f"/v/{issued.code}")
    assert page.status_code == 200 and issued.number in page.content.decode()
    assert "DICABUT" not in page.content.decode().upper() or "REVOKED" not in page.content.decode()
    assert verify_submission(qr=issued.qr_payload, pdf=pdf_bytes(issued))["valid"] is True
    services.document_revoke(actor=province.admin_dpmptsp, document=issued, reason="Salah nama")
    page = client.get(f"/v/{issued.code}").content.decode()
    assert "Salah nama" in page
    result = verify_submission(qr=issued.qr_payload)
    assert result["valid"] is False and result["document"]["revoked"] is True
    assert client.get("/v/tidakada").status_code == 404


def test_verify_api_with_pdf_and_qr(issued):
    client = Client()
    pdf = pdf_bytes(issued)
    body = {"qr": issued.qr_payload, "pdf_base64": base64.b64encode(pdf).decode()}
    response = client.post("/api/v1/documents/verify", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["valid"] is True
    tampered = bytearray(pdf)
    tampered[200] ^= 0x20
    body["pdf_base64"] = base64.b64encode(bytes(tampered)).decode()
    response = client.post("/api/v1/documents/verify", body, content_type="application/json")
    assert response.json()["valid"] is False


def test_keys_are_published_and_private_keys_encrypted(issued):
    from django.db import connection

    keys = Client().get("/v/kunci.json").json()["keys"]
    assert {k["purpose"] for k in keys} == {"qr"}  # PDF trust roots: the signing service's CA
    assert all("private" not in json.dumps(k).lower() for k in keys)
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key FROM eservices_signingkey")
        stored = [row[0] for row in cursor.fetchall()]
    assert all(value.startswith("v1:") and "PRIVATE KEY" not in value for value in stored)
    qr_key = SigningKey.objects.get(purpose="qr")
    serialization.load_pem_public_key(qr_key.public_pem.encode())


def test_citizen_downloads_own_document_only(province, issued):
    number = issued.application.tracking_number
    owner = Client()
    owner.force_login(province.citizen)
    response = owner.get(f"/permohonan/{number}/dokumen.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    for user in (province.other_citizen, province.officer_dpmptsp_smr):
        c = Client()
        c.force_login(user)
        assert c.get(f"/permohonan/{number}/dokumen.pdf").status_code == 404
    assert Client().get(f"/permohonan/{number}/dokumen.pdf").status_code == 404
    staff = Client()
    staff.force_login(province.officer_dpmptsp)
    assert staff.get(f"/permohonan/{number}/dokumen.pdf").status_code == 200
