"""A submission is accepted while Dukcapil is down and verified once it returns (issue 16)."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from django.utils import timezone

from etam.eservices import hooks
from etam.interop.connectors.fakedukcapil import Running
from etam.interop.models import NikVerification
from etam.interop.services import nik as nik_checks
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def submitted(application_id=9001, nik="6472011505900001", name="Budi Santoso", born=date(1990, 5, 15)):
    hooks.case_submitted(
        hooks.SubmittedCase(
            application_id=application_id, agency_id=1, institution_id=1, nik=nik, full_name=name, birth_date=born
        )
    )
    return NikVerification.objects.get(application_id=application_id)


def test_down_then_back(registry, django_capture_on_commit_callbacks):
    registry.stop()  # Dukcapil is down when the citizen submits
    with django_capture_on_commit_callbacks(execute=True):
        check = submitted()
    assert check.status == NikVerification.Status.PENDING
    assert nik_checks.nik_verifications_retry_due() == 1  # what the worker's task does
    check.refresh_from_db()
    assert check.status == NikVerification.Status.UNAVAILABLE and check.attempts == 1
    assert check.subject["nik"] == "6472011505900001"  # kept (encrypted) for the retry
    assert hooks.case_badges([9001])[9001][0].label == "Verifikasi NIK tertunda"

    back = Running(port=int(registry.url.rsplit(":", 1)[1]))  # Dukcapil returns at the same address
    try:
        NikVerification.objects.filter(pk=check.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        from etam.core import outbound

        outbound.forget("dukcapil")  # the breaker's open window is over
        assert nik_checks.nik_verifications_retry_due() == 1
    finally:
        back.stop()
    check.refresh_from_db()
    assert check.status == NikVerification.Status.VERIFIED and check.subject is None  # the NIK is dropped
    assert hooks.case_badges([9001])[9001][0].label == "NIK terverifikasi"


def test_a_mismatch_is_final_and_a_form_without_a_birth_date_is_not_checked(
    registry, django_capture_on_commit_callbacks
):
    check = submitted(application_id=9002, born=date(1990, 5, 16))
    nik_checks.nik_verification_run(check.pk)
    check.refresh_from_db()
    assert (check.status, check.reason) == (NikVerification.Status.MISMATCH, "TGL_LHR")
    hooks.case_submitted(
        hooks.SubmittedCase(
            application_id=9003, agency_id=1, institution_id=1, nik="6472011505900001", full_name="B", birth_date=None
        )
    )
    assert not NikVerification.objects.filter(application_id=9003).exists()
    assert registry.app.calls == 1


def test_the_hook_records_each_case_once(registry):
    submitted(application_id=9004)
    submitted(application_id=9004)
    assert NikVerification.objects.filter(application_id=9004).count() == 1


def test_a_real_submission_is_accepted_while_dukcapil_is_down_and_the_inbox_says_pending(
    province, registry, django_capture_on_commit_callbacks
):
    from etam.eservices import demo_definitions
    from etam.eservices import services as eservices
    from tests.eservices.conftest import info_answers, publish

    # A deep copy: the demo definitions share their applicant fields between services.
    definition = copy.deepcopy(demo_definitions.informasi_publik())
    definition["service"]["slug"] = "informasi-publik-nik"
    definition["form"]["pages"][0]["fields"].append(
        {"name": "tanggal_lahir", "type": "date", "label": {"id": "Tanggal lahir", "en": "Date of birth"}}
    )
    service = publish(province.admin_dpmptsp, province.dpmptsp, definition)
    registry.stop()
    with django_capture_on_commit_callbacks(execute=True):
        submission = eservices.application_submit(
            actor=province.citizen, service=service, answers=info_answers(tanggal_lahir="1990-08-17")
        )
    assert submission.created and submission.application.tracking_number
    check = NikVerification.objects.get(application_id=submission.application.pk)
    assert check.status == NikVerification.Status.PENDING  # queued for the worker, the case is in
    nik_checks.nik_verification_run(check.pk)
    check.refresh_from_db()
    assert check.status == NikVerification.Status.UNAVAILABLE
    inbox = client_for(province.officer_dpmptsp).get("/staf/layanan/kotak-masuk/").content.decode()
    assert submission.application.tracking_number in inbox and "Verifikasi NIK tertunda" in inbox
