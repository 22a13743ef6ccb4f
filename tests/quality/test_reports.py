"""Reports per OPD and period, the follow-up plan, the public results page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from etam.core.models import AuditEvent
from etam.quality import selectors, services
from etam.quality.models import FollowUpPlan
from tests.helpers import client_for
from tests.quality.conftest import add_responses

pytestmark = pytest.mark.django_db
YEAR = str(timezone.localdate().year)


def test_report_with_index_profile_and_lowest(province, info_service):
    add_responses(info_service, 12, sex="P", comment="Antrean panjang")
    add_responses(info_service, 1, sex="L")
    report = selectors.survey_report(province.admin_dpmptsp, agency=province.dpmptsp, period=YEAR)
    assert report.respondents == 13 and not report.too_few
    # all 13 answered (4,3,3,4,3,4,3,2,3): mean 29/9 → IKM 80.56, B
    assert str(report.result.ikm) == "80.56" and report.result.mutu == "B"
    assert report.lowest == [8, 2, 3]
    sexes = dict(report.profile["sex"])
    assert sexes["Perempuan"] == 12
    assert sexes["Laki-laki"] != 1  # a count of one is suppressed
    assert report.comments[0] == "Antrean panjang"


def test_too_few_respondents_warning_not_index(province, info_service):
    add_responses(info_service, 4, comment="rahasia")
    report = selectors.survey_report(province.admin_dpmptsp, agency=province.dpmptsp, period=YEAR)
    assert report.too_few and report.result is None and report.comments == [] and report.profile == {}
    page = client_for(province.admin_dpmptsp).get(f"/staf/kualitas/opd/{province.dpmptsp.pk}/?periode={YEAR}")
    text = page.content.decode()
    assert page.status_code == 200 and "terlalu sedikit" in text and "rahasia" not in text


def test_report_scoped_to_the_actor(province, info_service):
    add_responses(info_service, 12)
    url = f"/staf/kualitas/opd/{province.dpmptsp.pk}/"
    assert client_for(province.admin_dpmptsp).get(url).status_code == 200
    assert client_for(province.admin_kaltim).get(url).status_code == 200  # instansi-wide
    assert client_for(province.admin_diskominfo).get(url).status_code == 404  # another OPD
    assert client_for(province.admin_samarinda).get(url).status_code == 404  # another instansi
    assert client_for(province.citizen).get(url).status_code == 403
    other = selectors.survey_report(province.admin_diskominfo, agency=province.dpmptsp, period=YEAR)
    assert other.respondents == 0


def test_period_filter(province, info_service):
    add_responses(info_service, 12, on=date(2025, 3, 1))
    assert selectors.survey_report(province.admin_dpmptsp, agency=province.dpmptsp, period="2025-S1").respondents == 12
    assert selectors.survey_report(province.admin_dpmptsp, agency=province.dpmptsp, period="2025-S2").respondents == 0
    assert selectors.survey_report(province.admin_dpmptsp, agency=province.dpmptsp, period="x").respondents == 0


def test_unit_head_sets_and_updates_a_followup_plan(province, info_service):
    add_responses(info_service, 12)
    client = client_for(province.admin_dpmptsp)
    url = f"/staf/kualitas/opd/{province.dpmptsp.pk}/?periode={YEAR}"
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    data = {"element": "8", "period": YEAR, "action": "Buka kanal pengaduan WhatsApp", "owner": "Kabid Pelayanan"}
    saved = client.post(url, {**data, "due_date": due, "status": "rencana"})
    assert saved.status_code == 302
    plan = FollowUpPlan.objects.get()
    assert (plan.element, plan.owner, plan.status) == (8, "Kabid Pelayanan", "rencana")
    client.post(url, {**data, "due_date": due, "status": "berjalan"})
    plan.refresh_from_db()
    assert plan.status == "berjalan" and FollowUpPlan.objects.count() == 1
    assert AuditEvent.objects.filter(action="quality.followup_save").count() == 2
    assert "Buka kanal pengaduan WhatsApp" in client.get(url).content.decode()
    bad = client.post(url, {**data, "action": "", "due_date": "besok", "status": "rencana"})
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "Tindakan: tulis" in text and "Tenggat: tulis" in text


@pytest.mark.parametrize("who", ["officer_dpmptsp", "admin_diskominfo", "coordinator_kaltim", "citizen"])
def test_followup_refused_to_the_wrong_user(province, who):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.followup_save(
            actor=getattr(province, who),
            agency=province.dpmptsp,
            period=YEAR,
            element=3,
            action="x",
            owner="y",
            due_date=timezone.localdate(),
        )
    assert not FollowUpPlan.objects.exists() and AuditEvent.objects.count() == before


def test_followup_refused_over_http_for_a_report_reader(province, info_service):
    add_responses(info_service, 12)
    url = f"/staf/kualitas/opd/{province.dpmptsp.pk}/?periode={YEAR}"
    data = {
        "element": "8",
        "period": YEAR,
        "action": "a",
        "owner": "b",
        "due_date": YEAR + "-12-31",
        "status": "rencana",
    }
    assert client_for(province.officer_dpmptsp).post(url, data).status_code == 403
    assert not FollowUpPlan.objects.exists()


def test_followup_bad_period_and_element(province):
    with pytest.raises(ValidationError) as caught:
        services.followup_save(
            actor=province.admin_dpmptsp,
            agency=province.dpmptsp,
            period="2026-S3",
            element=10,
            action="a",
            owner="b",
            due_date=None,
        )
    assert set(caught.value.message_dict) == {"period", "element", "due_date"}


def test_public_results_page(client, province, info_service):
    add_responses(info_service, 12)
    page = client.get("/survei-kepuasan/")
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "80,56" in text and "Baik" in text
    assert "Antrean" not in text


def test_public_results_hide_a_small_group(client, province, info_service):
    add_responses(info_service, 3)
    text = client.get("/survei-kepuasan/").content.decode()
    assert "terlalu sedikit" in text and "80,56" not in text


def test_the_public_page_is_on_the_home_page(client, db):
    assert "/survei-kepuasan/" in client.get("/").content.decode()


def test_report_xlsx(province, info_service):
    import io

    from openpyxl import load_workbook

    add_responses(info_service, 12, comment="rahasia")
    url = f"/staf/kualitas/opd/{province.dpmptsp.pk}/laporan.xlsx?periode={YEAR}"
    answer = client_for(province.admin_dpmptsp).get(url)
    assert answer.status_code == 200
    wb = load_workbook(io.BytesIO(answer.content))
    cells = [c for row in wb["IKM"].iter_rows(values_only=True) for c in row]
    assert 80.56 in cells and "B" in cells and "Waktu penyelesaian" in cells and "rahasia" not in cells
    assert client_for(province.admin_diskominfo).get(url).status_code == 404
