"""Fixtures of the service-quality tests: a published service of DPMPTSP and a finished case."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from etam.eservices import notifications, services
from etam.eservices.models import NotificationDelivery
from etam.quality.models import ANSWER_FIELDS, SurveyResponse
from tests.eservices.conftest import _dpmptsp_admin_signs, drive, info_answers, info_service  # noqa: F401

LINK = re.compile(r"/survei/([A-Za-z0-9_-]+)/")
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 200


@pytest.fixture
def finished(province, info_service):  # noqa: F811
    """A case of the citizen, rejected (a final state): the survey invitation exists."""
    submission = services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    return drive(submission.application, province.officer_dpmptsp, "mulai_verifikasi", "tolak")


@pytest.fixture
def token(finished):
    delivery = NotificationDelivery.objects.filter(application=finished, event="rejected").first()
    _subject, body = notifications.render(delivery)
    return LINK.search(body).group(1)


def add_responses(service, count, answers=(4, 3, 3, 4, 3, 4, 3, 2, 3), on=None, agency=None, **extra):
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            service=service,
            agency_id=agency.pk if agency else service.agency_id,
            institution_id=service.institution_id,
            channel=SurveyResponse.Channel.ONLINE,
            answered_on=on or timezone.localdate(),
            **dict(zip(ANSWER_FIELDS, answers, strict=True)),
            **extra,
        )
        for _ in range(count)
    )


def full_answers(**overrides):
    data = {name: "3" for name in ANSWER_FIELDS}
    data.update(overrides)
    return data
