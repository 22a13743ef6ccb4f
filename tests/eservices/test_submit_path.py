"""The one submit path (ADR 0093): explicit ``version=``, numbering from the counter row."""

import pytest
from django.db import connection, transaction

from etam.eservices import services, tracking
from etam.eservices.models import Application, ServiceVersion, TrackingCounter
from tests.eservices.conftest import info_answers, new_version

pytestmark = pytest.mark.django_db


def test_a_case_is_filed_under_the_older_published_version_it_names(province, info_service):
    old, current = new_version(province, info_service, publish=True)
    filed = services.application_submit(
        actor=province.citizen, service=info_service, answers=info_answers(), version=old, idempotency_key="v-old"
    )
    default = services.application_submit(
        actor=province.citizen, service=info_service, answers=info_answers(), idempotency_key="v-new"
    )
    assert filed.application.version_id == old.pk and default.application.version_id == current.pk
    assert info_service.published_version_id == current.pk  # the service itself was not touched


def test_a_draft_or_foreign_version_is_refused_and_nothing_is_written(province, info_service, research_service):
    _old, draft = new_version(province, info_service, publish=False)
    before = Application.objects.count()
    for version in (draft, research_service.published_version):
        with pytest.raises(services.ApplicationRefused) as refused:
            services.application_submit(
                actor=province.citizen, service=info_service, answers=info_answers(), version=version
            )
        assert set(refused.value.errors) == {"version"}
    assert Application.objects.count() == before
    assert ServiceVersion.objects.get(pk=draft.pk).status == ServiceVersion.Status.DRAFT


def test_the_counter_row_numbers_and_a_rollback_gives_the_number_back(province):
    key = {"institution_id": province.kaltim.pk, "agency_id": province.dpmptsp.pk, "year": 2031}
    with transaction.atomic():
        assert tracking.next_sequence(**key) == 1
        assert tracking.next_sequence(**key) == 2
    with pytest.raises(RuntimeError), transaction.atomic():
        assert tracking.next_sequence(**key) == 3
        raise RuntimeError("rolled back")
    assert TrackingCounter.objects.get(**key).value == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="tracking.reserve is the PostgreSQL seam")
def test_reserve_takes_no_number_for_a_key_already_used(province, info_service):
    first = services.application_submit(
        actor=province.citizen, service=info_service, answers=info_answers(), idempotency_key="once", from_draft=False
    )
    scope = {"institution_id": info_service.institution_id, "agency_id": info_service.agency_id}
    year = first.application.submitted_at.year
    _id, number = tracking.reserve(**scope, year=year, applicant_id=province.citizen.pk, idempotency_key="once")
    assert number is None
    _id, number = tracking.reserve(**scope, year=year, applicant_id=province.citizen.pk, idempotency_key="other")
    assert number == int(first.application.tracking_number[-6:]) + 1
