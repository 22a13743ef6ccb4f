"""The issued document looks like a naskah dinas: kop surat, number, signature block with
jabatan, name and NIP beside the visible signature/QR, the BSrE footnote, dates derived
from the answers, and true PDF metadata."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from etam.eservices import demo, services
from etam.eservices.models import IssuedDocument
from tests.conftest import OFFICIAL_PASSPHRASE, OFFICIAL_POSITION
from tests.eservices.conftest import drive, enrol_official

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "dokumen.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True, timeout=60
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_research_permit_page_one(province, research_service, tmp_path):
    enrol_official()
    answers = demo.demo_answers(research_service.slug, province.citizen, 0)
    start = timezone.localdate() + timedelta(days=1)
    end = start + timedelta(days=120)  # a period already over is refused (issue 15)
    answers["mulai"], answers["selesai"] = start.isoformat(), end.isoformat()
    demo._attach_files(province.citizen, research_service.published_version.form, answers)
    submission = services.application_submit(actor=province.citizen, service=research_service, answers=answers)
    application = drive(submission.application, province.officer_dpmptsp, "mulai_verifikasi", "verifikasi_lengkap")
    services.application_act(
        actor=province.admin_dpmptsp, application=application, action="setujui", passphrase=OFFICIAL_PASSPHRASE
    )
    document = IssuedDocument.objects.get(application=application)
    pdf = document.file.read()
    import os

    if os.environ.get("ETAM_KEEP_SAMPLE"):  # to look at page 1 (the note of issue 13)
        open(os.environ["ETAM_KEEP_SAMPLE"], "wb").write(pdf)  # noqa: SIM115
    text = text_of(pdf, tmp_path)
    # Kop surat, title and number.
    assert "PEMERINTAH PROVINSI KALIMANTAN TIMUR" in text
    assert "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU" in text
    assert f"Nomor: {document.number}" in text
    # Valid to the end of the research period, not "issue date + 180 days".
    assert "Berlaku sampai" in text and end.strftime("%d/%m/%Y") in text
    # The signature block: place and date in words, jabatan, name, NIP.
    assert "Admin DPMPTSP" in text and "NIP 198001012005011001" in text
    assert OFFICIAL_POSITION.split()[0] in text and "pada tanggal" in text
    # The standard footnote, with the printed verification address.
    assert "Balai Sertifikasi Elektronik (BSrE)" in text and f"/v/{document.code}" in text
    # True metadata: created now, by the signer's OPD; not 1 January 2000.
    year = str(timezone.localdate().year).encode()
    assert b"/CreationDate (D:" + year in pdf and b"D:20000101" not in pdf
    assert b"/Author (Admin DPMPTSP" in pdf
