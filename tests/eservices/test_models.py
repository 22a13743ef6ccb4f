import datetime as dt

import pytest
from django.db import connection, transaction

from etam.core import crypto
from etam.eservices import services, tracking, workdays
from etam.eservices.models import Application, Holiday, PublishedVersionError, TrackingCounter
from tests.eservices.conftest import NIK_WOMAN

pytestmark = pytest.mark.django_db


def test_published_version_is_frozen(research_service):
    version = research_service.published_version
    version.form = {"pages": []}
    with pytest.raises(PublishedVersionError):
        version.save()


def test_holidays_are_loaded_as_editable_unverified_reference_data():
    assert Holiday.objects.filter(date=dt.date(2026, 8, 17)).exists()
    assert Holiday.objects.filter(kind=Holiday.Kind.COLLECTIVE_LEAVE, date__year=2025).count() >= 5
    assert not Holiday.objects.filter(verified=True).exists()


def test_working_days_skip_weekends_and_holidays():
    # Fri 14 Aug 2026 + 1 working day: Mon 17 Aug is a holiday → Tue 18 Aug.
    assert workdays.add_working_days(dt.date(2026, 8, 14), 1) == dt.date(2026, 8, 18)
    assert workdays.working_days_between(dt.date(2026, 8, 14), dt.date(2026, 8, 18)) == 1
    assert workdays.working_days_left(dt.date(2026, 8, 20), dt.date(2026, 8, 18)) == -2
    # Editable: removing the holiday changes the count.
    Holiday.objects.filter(date=dt.date(2026, 8, 17)).delete()
    assert workdays.add_working_days(dt.date(2026, 8, 14), 1) == dt.date(2026, 8, 17)


def test_tracking_numbers_are_sequential_per_agency_and_year(province, info_service):
    from tests.eservices.conftest import info_answers

    first = services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    second = services.application_submit(actor=province.other_citizen, service=info_service, answers=info_answers())
    year = first.application.submitted_at.year
    assert first.application.tracking_number == f"64-DPMPTSP-{year}-000001"
    assert second.application.tracking_number == f"64-DPMPTSP-{year}-000002"


def test_a_rolled_back_number_is_not_lost_or_reused(province):
    key = {"institution_id": province.samarinda.pk, "agency_id": province.dpmptsp_smr.pk, "year": 2026}
    with transaction.atomic():
        assert tracking.next_sequence(**key) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert tracking.next_sequence(**key) == 2
        raise RuntimeError("submission failed after numbering")
    with transaction.atomic():
        assert tracking.next_sequence(**key) == 2  # the failed one issued nothing
    assert TrackingCounter.objects.get(**key).value == 2
    assert tracking.format_number("64.72", "DPMPTSP", 2026, 123) == "64.72-DPMPTSP-2026-000123"


def test_nik_and_phone_are_encrypted_at_rest(submitted):
    application = submitted.application
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers, protected_answers FROM eservices_application WHERE id = %s", [application.pk])
        answers_raw, protected_raw = cursor.fetchone()
    assert NIK_WOMAN not in str(answers_raw) and "81234567890" not in str(answers_raw)
    assert NIK_WOMAN not in protected_raw and protected_raw.startswith("v1:")
    reloaded = Application.objects.get(pk=application.pk)
    assert reloaded.all_answers()["nik"] == NIK_WOMAN
    # Keyed lookup without decrypting.
    assert Application.objects.filter(nik_digest=crypto.lookup_digest(NIK_WOMAN, kind="nik")).count() == 1


def test_ciphertext_is_bound_to_its_column():
    token = crypto.encrypt("6472015708900001", context="answers")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="draft")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, context="answers")


def test_receipt_secret_is_stored_only_as_digest(submitted):
    application = submitted.application
    secret = submitted.receipt_secret
    assert len(secret) == 14 and secret.count("-") == 2
    assert secret not in application.receipt_secret_digest
    binding = tracking.secret_binding(application.applicant_id, application.request_digest)
    assert tracking.secrets_match(application.receipt_secret_digest, binding, secret.lower())
    assert not tracking.secrets_match(application.receipt_secret_digest, binding, "AAAA-BBBB-CCCC")


def test_holidays_are_editable_in_the_admin(province, client):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root@example.id", "Kata-Sandi-Uji-123", full_name="Root")
    client.force_login(admin_user)
    response = client.get("/django-admin/eservices/holiday/")
    assert response.status_code == 200 and "Kemerdekaan" in response.content.decode()
