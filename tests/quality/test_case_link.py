"""The survey link on the applicant's own case page once the case is finished (eservices' case-link
hook), answered there without the notification's token; nobody else reaches it."""

from __future__ import annotations

import pytest

from etam.core.models import AuditEvent
from etam.eservices import services as eservices
from etam.quality.models import SurveyInvitation, SurveyResponse
from tests.eservices.conftest import info_answers
from tests.helpers import client_for
from tests.quality.conftest import full_answers

pytestmark = pytest.mark.django_db


def _link(application):
    return f"/survei/permohonan/{application.pk}/"


def test_finished_case_page_links_to_the_survey_and_it_is_answered_once(province, finished):
    citizen = client_for(province.citizen)
    page = citizen.get(f"/permohonan/{finished.tracking_number}/").content.decode()
    assert _link(finished) in page and "survei kepuasan masyarakat" in page
    form = citizen.get(_link(finished))
    assert form.status_code == 200 and 'name="u1"' in form.content.decode()
    bad = citizen.post(_link(finished), {**full_answers(), "u3": "9"})
    assert bad.status_code == 422 and SurveyResponse.objects.count() == 0
    assert citizen.post(_link(finished), full_answers()).status_code == 302
    assert SurveyResponse.objects.filter(invitation__application_id=finished.pk).count() == 1
    assert SurveyInvitation.objects.get(application_id=finished.pk).used_at is not None
    # answered: the link leaves the case page, the form is closed, nothing counted twice
    assert _link(finished) not in citizen.get(f"/permohonan/{finished.tracking_number}/").content.decode()
    assert citizen.post(_link(finished), full_answers()).status_code == 410
    assert SurveyResponse.objects.count() == 1


def test_open_case_has_no_survey_link(province, info_service):
    submission = eservices.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    application = submission.application
    page = client_for(province.citizen).get(f"/permohonan/{application.tracking_number}/").content.decode()
    assert "/survei/permohonan/" not in page
    assert client_for(province.citizen).get(_link(application)).status_code == 404


@pytest.mark.parametrize("who", ["other_citizen", "officer_dpmptsp", "admin_dpmptsp"])
def test_case_survey_refused_to_anyone_but_the_applicant(province, finished, who):
    events = AuditEvent.objects.count()
    client = client_for(getattr(province, who))
    assert client.get(_link(finished)).status_code == 404
    answer = client.post(_link(finished), full_answers())
    assert answer.status_code == 404
    assert SurveyResponse.objects.count() == 0
    assert SurveyInvitation.objects.get(application_id=finished.pk).used_at is None
    assert AuditEvent.objects.count() == events


def test_case_survey_needs_sign_in(client, finished):
    answer = client.post(_link(finished), full_answers())
    from django.conf import settings
    from django.shortcuts import resolve_url

    assert answer.status_code == 302 and answer["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert SurveyResponse.objects.count() == 0
