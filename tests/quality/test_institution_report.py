"""The instansi roll-up of the survey: every OPD pooled, per-OPD rows, the same small-group rules."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.utils import timezone

from etam.core.models import AuditEvent
from etam.quality import selectors
from tests.helpers import client_for
from tests.quality.conftest import add_responses

pytestmark = pytest.mark.django_db
YEAR = str(timezone.localdate().year)


def test_rollup_pools_every_agency_of_the_institution(province, info_service):
    add_responses(info_service, 12)  # DPMPTSP: 80,56
    add_responses(info_service, 8, answers=(4,) * 9, agency=province.diskominfo)  # too few on its own
    report, rows = selectors.institution_report(province.admin_kaltim, institution=province.kaltim, period=YEAR)
    assert report.respondents == 20 and not report.too_few
    # NRR per element: (12*a + 8*4) / 20; element 8 (2 → 2.8) stays the lowest
    assert str(report.result.unsur[7]) == "2.800" and report.lowest[0] == 8
    assert report.plans == {}
    by_name = {row.agency: row for row in rows}
    assert str(by_name[province.dpmptsp.name].result.ikm) == "80.56"
    assert by_name[province.diskominfo.name].result is None  # 8 < 10: no index for that OPD
    assert by_name[province.diskominfo.name].respondents == 8


def test_rollup_too_few_overall_shows_no_index(province, info_service):
    add_responses(info_service, 4, comment="rahasia")
    report, _rows = selectors.institution_report(province.coordinator_kaltim, institution=province.kaltim, period=YEAR)
    assert report.too_few and report.result is None and report.profile == {} and report.comments == []


def test_rollup_page_and_pdf(province, info_service):
    add_responses(info_service, 12)
    add_responses(info_service, 3, agency=province.diskominfo)
    client = client_for(province.admin_kaltim)
    page = client.get(f"/staf/kualitas/instansi/{province.kaltim.pk}/?periode={YEAR}")
    text = page.content.decode()
    assert page.status_code == 200 and province.kaltim.name in text and province.diskominfo.name in text
    assert "Responden terlalu sedikit untuk indeks" in text  # Diskominfo's row, in Indonesian
    assert client.get("/staf/kualitas/").content.decode().count(f"/staf/kualitas/instansi/{province.kaltim.pk}/") == 1
    answer = client.get(f"/staf/kualitas/instansi/{province.kaltim.pk}/laporan.pdf?periode={YEAR}")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-", "-"], input=answer.content, capture_output=True, check=True).stdout
        flat = " ".join(out.decode().split())
        assert province.kaltim.name in flat and "Jumlah responden 15" in flat


@pytest.mark.parametrize("who", ["admin_dpmptsp", "officer_dpmptsp", "admin_samarinda", "citizen"])
def test_rollup_refused_to_the_wrong_user(province, info_service, who):
    add_responses(info_service, 12)
    user = getattr(province, who)
    assert selectors.institution_for_report(user, province.kaltim.pk) is None
    events = AuditEvent.objects.count()
    client = client_for(user)
    for suffix in ("", "laporan.pdf"):
        answer = client.get(f"/staf/kualitas/instansi/{province.kaltim.pk}/{suffix}?periode={YEAR}")
        assert answer.status_code in (302, 403, 404)
        assert province.dpmptsp.name.encode() not in answer.content
    assert AuditEvent.objects.count() == events
