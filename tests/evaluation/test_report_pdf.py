"""The SPBE evaluation report PDF: a cover with the summary, text of at least 9 pt, charts
of the domains and aspects, and a provisional index marked so, without a predikat, in the
PDF and on the web page alike."""

import base64
import re
import shutil
import subprocess
import zlib

import pytest
from django.test import Client

from etam.evaluation import reports, services
from tests.evaluation.test_services import claim

pytestmark = pytest.mark.django_db


def font_sizes(pdf: bytes) -> set[float]:
    sizes = set()
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = match.group(1).strip()
        try:
            if data.endswith(b"~>"):  # reportlab: /ASCII85Decode then /FlateDecode
                data = base64.a85decode(data[:-2], adobe=False)
            data = zlib.decompress(data)
        except (ValueError, zlib.error):
            continue
        sizes |= {float(s) for s in re.findall(rb"/F\d+ ([\d.]+) Tf", data)}
    return sizes


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "laporan.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60).stdout


@pytest.fixture
def provisional(province, assigned, ind):
    claim(province, assigned, ind, 1, 4)
    services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    services.assessment_set(actor=province.assessor_kaltim, evaluation=assigned, indicator=ind(1), level=3)
    return assigned


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_provisional_report_cover_charts_and_no_predikat(province, provisional, tmp_path):
    pdf = reports.report_pdf(province.coordinator_kaltim, provisional)
    sizes = font_sizes(pdf)
    assert sizes and min(sizes) >= 9, sorted(sizes)
    text = pdf_text(pdf, tmp_path)
    cover = text.split("\f")[0]
    assert "Laporan Evaluasi SPBE" in cover and "Indeks SPBE" in cover and "1 dari 47" in cover
    assert "belum ada predikat" in cover and "INDEKS SEMENTARA" in cover
    assert "Indeks per domain" in text and "Indeks per aspek" in text
    for band in ("Sangat Baik", "Memuaskan", "Cukup", "Kurang"):
        assert band not in text, band
    assert b"/Title (Laporan Evaluasi SPBE" in pdf and b"sementara" in pdf


def test_the_web_page_also_shows_no_predikat_for_a_provisional_index(province, provisional):
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(province.coordinator_kaltim)
    page = client.get(f"/staf/evaluasi/{provisional.pk}/").content.decode()
    assert "indeks sementara: belum ada predikat" in page
