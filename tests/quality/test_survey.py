"""The survey invitation when a case ends, the citizen's answer through the token, paper entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from etam.core.models import AuditEvent
from etam.eservices import services as eservices
from etam.quality import selectors, services
from etam.quality.models import SurveyInvitation, SurveyResponse
from tests.eservices.conftest import drive, info_answers
from tests.helpers import client_for
from tests.quality.conftest import JPEG, full_answers

pytestmark = pytest.mark.django_db


def test_a_finished_case_gets_one_invitation_and_the_link(finished, token):
    invitation = SurveyInvitation.objects.get(application_id=finished.pk)
    assert invitation.service_id == finished.service_id and invitation.used_at is None
    assert invitation.token_digest == selectors.token_digest(token)  # only the digest is stored
    assert token not in invitation.token_digest
    assert len(token) >= 32
    # a second call for the same case makes none
    assert services.invitation_for_case(finished) == []
    assert SurveyInvitation.objects.count() == 1


def test_an_open_case_gets_no_invitation(province, info_service):
    submission = eservices.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    drive(submission.application, province.officer_dpmptsp, "mulai_verifikasi")
    assert not SurveyInvitation.objects.exists()


def test_citizen_answers_once_without_javascript(client, token):
    page = client.get(f"/survei/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "Waktu penyelesaian" in html
        and "Sangat cepat" in html
        and "<script" not in html.split("<main")[1].split("</main>")[0]
    )
    # a missing element: named, nothing counted, the other answers kept
    data = full_answers(u3="", u1="4")
    answer = client.post(f"/survei/{token}/", data)
    assert answer.status_code == 422
    text = answer.content.decode()
    assert "Unsur 3 (Waktu penyelesaian)" in text
    assert 'name="u1" value="4" checked' in text
    assert not SurveyResponse.objects.exists()
    # complete: counted once
    done = client.post(f"/survei/{token}/", {**full_answers(u1="4"), "sex": "P", "comment": "Cepat"})
    assert done.status_code == 302 and done["Location"] == "/survei/terima-kasih/"
    response = SurveyResponse.objects.get()
    assert response.u1 == 4 and response.sex == "P" and response.channel == "daring"
    # reused: a clear message, nothing counted twice
    again = client.post(f"/survei/{token}/", full_answers())
    assert again.status_code == 410 and "sudah dijawab" in again.content.decode()
    assert client.get(f"/survei/{token}/").status_code == 410
    assert SurveyResponse.objects.count() == 1


def test_unknown_token(client, db):
    page = client.get("/survei/tidak-ada-token-ini/")
    assert page.status_code == 404 and "tidak dikenal" in page.content.decode()
    with pytest.raises(ValidationError) as caught:
        services.survey_submit(token="x" * 40, data=full_answers())
    assert "token" in caught.value.message_dict


def test_answer_out_of_range_names_the_element(token):
    with pytest.raises(ValidationError) as caught:
        services.survey_submit(token=token, data=full_answers(u7="5"))
    assert "Perilaku pelaksana" in caught.value.message_dict["u7"][0]
    assert not SurveyResponse.objects.exists()


def photo(body=JPEG, name="lembar.jpg"):
    return SimpleUploadedFile(name, body, content_type="image/jpeg")


def test_officer_enters_a_paper_questionnaire(province, info_service):
    client = client_for(province.officer_dpmptsp)
    assert client.get("/staf/kualitas/kertas/").status_code == 200
    data = {**full_answers(u9=""), "service": info_service.pk, "answered_on": timezone.localdate().isoformat()}
    saved = client.post("/staf/kualitas/kertas/", {**data, "sheet_photo": photo()})
    assert saved.status_code == 302
    response = SurveyResponse.objects.get()
    assert response.channel == "kertas" and response.u9 is None and response.entered_by == province.officer_dpmptsp
    assert response.sheet_photo.name.endswith(".jpg")
    assert AuditEvent.objects.filter(action="quality.paper_response_create").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sheet_photo": None}, "Foto lembar"),
        ({"sheet_photo": b"not an image"}, "JPEG, PNG atau PDF"),
        ({"answered_on": ""}, "Tanggal pengisian"),
        ({"answered_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "Tanggal pengisian"),
        ({"u2": "9"}, "Unsur 2"),
        ({"service": "999999"}, "Layanan"),
    ],
)
def test_paper_entry_bad_input(province, info_service, change, field):
    client = client_for(province.officer_dpmptsp)
    data = {**full_answers(), "service": info_service.pk, "answered_on": timezone.localdate().isoformat()}
    body = change.pop("sheet_photo", JPEG)
    data.update(change)
    if body is not None:
        data["sheet_photo"] = photo(body)
    answer = client.post("/staf/kualitas/kertas/", data)
    assert answer.status_code == 422
    assert field in answer.content.decode()
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("who", ["officer_dpmptsp_smr", "admin_diskominfo", "citizen", "steward_kaltim"])
def test_paper_entry_refused_to_the_wrong_user(province, info_service, who):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.paper_response_create(
            actor=getattr(province, who),
            service=info_service,
            data=full_answers(),
            photo=photo(),
            answered_on=timezone.localdate(),
        )
    assert not SurveyResponse.objects.exists()
    assert AuditEvent.objects.count() == before
    # and the page lists none of DPMPTSP Kaltim's services / refuses
    page = client_for(getattr(province, who)).post(
        "/staf/kualitas/kertas/",
        {**full_answers(), "service": info_service.pk, "answered_on": timezone.localdate().isoformat()},
    )
    assert page.status_code in (403, 422)
    assert not SurveyResponse.objects.exists()
