"""The SKM report PDF (PermenPANRB 14/2017 layout) and the standar pelayanan PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.utils import timezone

from etam.core.pdfdoc import plain
from etam.quality import services
from tests.helpers import client_for
from tests.quality.conftest import add_responses

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing"),
]
YEAR = str(timezone.localdate().year)


def _text(body: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, timeout=60, check=True).stdout
    return " ".join(out.decode().split())


def test_report_pdf_has_the_figures_and_the_plan(province, info_service):
    add_responses(info_service, 12, comment="rahasia")
    services.followup_save(
        actor=province.admin_dpmptsp,
        agency=province.dpmptsp,
        period=YEAR,
        element=8,
        action="Pelatihan petugas loket",
        owner="Kepala Bidang Pelayanan",
        due_date=timezone.localdate(),
        status="berjalan",
    )
    url = f"/staf/kualitas/opd/{province.dpmptsp.pk}/laporan.pdf?periode={YEAR}"
    answer = client_for(province.admin_dpmptsp).get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = _text(answer.content)
    assert province.dpmptsp.name in text and province.dpmptsp.institution.name in text
    assert f"Periode survei {YEAR}" in text
    assert "Jumlah responden 12" in text
    assert "80,56" in text and "Baik" in text  # IKM and kinerja
    assert "Waktu penyelesaian" in text  # the NRR table names the elements
    assert "Pelatihan petugas loket" in text and "Diproses" in text  # the plan, status in Indonesian
    assert "rahasia" not in text  # comments stay on the page


def test_report_pdf_with_too_few_respondents_shows_no_index(province, info_service):
    add_responses(info_service, 3)
    url = f"/staf/kualitas/opd/{province.dpmptsp.pk}/laporan.pdf?periode={YEAR}"
    text = _text(client_for(province.admin_dpmptsp).get(url).content)
    assert "Responden terlalu sedikit" in text and "IKM unit pelayanan" not in text


def test_report_pdf_refused_outside_the_scope(client, province, info_service):
    add_responses(info_service, 12)
    url = f"/staf/kualitas/opd/{province.dpmptsp.pk}/laporan.pdf?periode={YEAR}"
    assert client_for(province.admin_diskominfo).get(url).status_code == 404
    assert client.get(url).status_code in (302, 403)


def test_standard_pdf_has_the_fourteen_components(client, province, info_service):
    services.charter_save(actor=province.admin_dpmptsp, agency=province.dpmptsp, text="Kami sanggup melayani.")
    answer = client.get(f"/standar-pelayanan/{info_service.slug}/standar.pdf")
    assert answer.status_code == 200
    text = _text(answer.content)
    assert info_service.name in text and "Dasar hukum" in text and "Evaluasi kinerja pelaksana" in text
    assert f"{info_service.sla_days} hari kerja" in text and "Kami sanggup melayani." in text
    page = client.get(f"/standar-pelayanan/{info_service.slug}/").content.decode()
    assert "standar.pdf" in page
    assert client.get("/standar-pelayanan/tidak-ada/standar.pdf").status_code == 404


def test_plain_text_for_the_standard_fonts():
    assert plain("A → B <b>") == "A » B &lt;b&gt;"
    assert plain("emoji 🙂") == "emoji ?"
