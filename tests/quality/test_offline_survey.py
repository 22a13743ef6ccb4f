"""The survey answered in the offline form: the device outbox sends it later to
POST /api/v1/skm/responses with the survey token (ADR 0164). Counted exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from etam.core.models import AuditEvent
from etam.quality.models import SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db
URL = "/api/v1/skm/responses"


def _pairs(**overrides):
    data = {f"u{n}": "3" for n in range(1, 10)} | {"sex": "P"}
    data.update(overrides)
    return [[k, v] for k, v in data.items() if v is not None]


def _post(client, body, key="kunci-perangkat-1"):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_answer_from_the_outbox_counts_once_even_when_resent(client, token):
    first = _post(client, {"token": token, "fields": _pairs(u3="2")})
    assert first.status_code == 201 and first.json()["replayed"] is False
    # the reply was lost on a bad link: the outbox sends the same item again
    again = _post(client, {"token": token, "fields": _pairs(u3="2")})
    assert again.status_code == 200 and again.json()["replayed"] is True
    response = SurveyResponse.objects.get()
    assert (response.u3, response.sex, response.channel) == (2, "P", "daring")
    assert SurveyInvitation.objects.get().used_at is not None
    assert AuditEvent.objects.filter(action="quality.survey_submit").count() == 1


def test_another_device_or_the_web_page_after_it_is_refused_by_name(client, token):
    assert _post(client, {"token": token, "fields": _pairs()}).status_code == 201
    other = _post(client, {"token": token, "fields": _pairs()}, key="perangkat-lain")
    assert other.status_code == 409
    error = other.json()["error"]
    assert error["code"] == "already_answered"
    assert error["fields"][0]["path"] == "body.token" and "sudah dijawab" in error["fields"][0]["message"]
    assert _post(client, {"token": token, "fields": _pairs()}, key="").status_code == 409
    assert SurveyResponse.objects.count() == 1


def test_unknown_token_is_404_naming_the_token(client, finished):
    response = _post(client, {"token": "bukan-token-yang-ada", "fields": _pairs()})
    assert response.status_code == 404
    field = response.json()["error"]["fields"][0]
    assert field["path"] == "body.token" and "tidak dikenal" in field["message"]
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "path", "words"),
    [
        ({"u3": None}, "body.fields.u3", "Unsur 3"),
        ({"u7": "5"}, "body.fields.u7", "1, 2, 3"),
        ({"sex": "X"}, "body.fields.sex", "Jenis kelamin"),
    ],
)
def test_bad_answers_name_the_field_and_keep_the_token(client, token, overrides, path, words):
    response = _post(client, {"token": token, "fields": _pairs(**overrides)})
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields[0]["path"] == path and words in fields[0]["message"]
    assert not SurveyResponse.objects.exists()
    assert SurveyInvitation.objects.get().used_at is None  # still answerable once corrected
    assert _post(client, {"token": token, "fields": _pairs()}).status_code == 201


def test_the_day_the_device_kept_it_dates_the_answer_within_bounds(client, token):
    today = timezone.localdate()
    body = {"token": token, "fields": _pairs(), "filled_on": (today + timedelta(days=3)).isoformat()}
    assert _post(client, body).json()["answered_on"] == today.isoformat()  # a future day is not believed


def test_the_web_page_after_an_outbox_answer_says_answered(client, token):
    _post(client, {"token": token, "fields": _pairs()})
    page = client.get(f"/survei/{token}/")
    assert page.status_code == 410 and "sudah dijawab" in page.content.decode()


def test_a_field_sent_twice_is_refused_by_name_and_nothing_counted(client, token):
    fields = [*_pairs(), ["u2", "1"]]
    answer = _post(client, {"token": token, "fields": fields})
    assert answer.status_code == 422
    fields = answer.json()["error"]["fields"]
    assert [f["path"] for f in fields] == ["body.fields.u2"]
    assert "lebih dari sekali" in fields[0]["message"]
    assert not SurveyResponse.objects.exists()
    assert SurveyInvitation.objects.get().used_at is None
