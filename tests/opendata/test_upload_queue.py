"""Validation off the request path: the upload returns at once, the task queue validates."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from etam.core.models import AuditEvent
from etam.opendata import services
from etam.opendata.models import DatasetVersion, Resource
from tests.opendata.conftest import POPULATION_CSV, make_dataset, upload

TASK = "etam.opendata.tasks.validate_version"
BAD = POPULATION_CSV.replace("64.01", "64.99").replace("64.71", "64.98")


def _work() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)


# The worker closes connections between jobs, which ends a test transaction on PostgreSQL,
# so these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_upload_is_validated_by_the_worker_and_the_uploader_sees_each_state(client, province, settings):
    settings.OPENDATA_INLINE_VALIDATION_BYTES = 0  # every file goes through the queue
    dataset = make_dataset(province)
    client.force_login(province.producer_diskominfo)
    response = client.post(
        reverse("opendata:staff_upload", args=[dataset.pk]), {"file": SimpleUploadedFile("p.csv", BAD.encode())}
    )
    assert response.status_code == 302
    version = DatasetVersion.objects.get(dataset=dataset)
    assert version.validation == "pending" and version.error_count == 0
    job = DBTaskResult.objects.get(task_path=TASK)
    assert job.status == "READY" and job.args_kwargs["kwargs"] == {"version_id": version.pk, "run": 1}
    page = client.get(response["Location"]).content.decode()
    assert "Menunggu validasi" in page and "menunggu dalam antrean" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "Ajukan ke walidata" not in page

    _work()
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL" and job.return_value == "invalid"
    version.refresh_from_db()
    assert version.validation == "invalid" and version.error_count == 2
    page = client.get(response["Location"]).content.decode()
    assert "64.99" in page and "64.98" in page and 'http-equiv="refresh"' not in page
    assert client.get(reverse("opendata:staff_error_file", args=[version.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="opendata.version_validate", actor_label="sistem").count() == 1

    client.post(
        reverse("opendata:staff_upload", args=[dataset.pk]),
        {"file": SimpleUploadedFile("p.csv", POPULATION_CSV.encode()), "change_note": "Kode diperbaiki"},
    )
    version.refresh_from_db()
    assert version.validation == "pending" and version.validation_run == 2 and not version.error_file
    _work()
    version.refresh_from_db()
    assert version.validation == "valid" and version.row_count == 4
    assert Resource.objects.get(version=version).row_count == 4
    page = client.get(response["Location"]).content.decode()
    assert "4 baris diperiksa" in page and "Ajukan ke walidata" in page


@pytest.mark.django_db(transaction=True)
def test_a_newer_upload_supersedes_a_queued_validation(province, settings):
    settings.OPENDATA_INLINE_VALIDATION_BYTES = 0
    dataset = make_dataset(province)
    producer = province.producer_diskominfo
    services.version_upload(actor=producer, dataset=dataset, upload=upload(BAD))
    version = services.version_upload(actor=producer, dataset=dataset, upload=upload(POPULATION_CSV))
    assert version.validation_run == 2 and version.validation == "pending"
    _work()
    results = dict(DBTaskResult.objects.filter(task_path=TASK).values_list("args_kwargs__kwargs__run", "return_value"))
    assert results == {1: "superseded", 2: "valid"}
    version.refresh_from_db()
    assert version.validation == "valid" and version.error_count == 0


@pytest.mark.django_db(transaction=True)
def test_correcting_the_dictionary_revalidates_in_the_background(province, settings):
    settings.OPENDATA_INLINE_VALIDATION_BYTES = 0
    dataset = make_dataset(province)
    producer = province.producer_diskominfo
    text = POPULATION_CSV.replace("2024;309", "2024x;309")  # year column inferred as text
    version = services.version_upload(actor=producer, dataset=dataset, upload=upload(text))
    _work()
    version.refresh_from_db()
    assert version.validation == "valid"
    version = services.columns_update(actor=producer, version=version, changes={"tahun": {"type": "integer"}})
    assert version.validation == "pending"
    _work()
    version.refresh_from_db()
    assert version.validation == "invalid" and version.error_summary["first"][0]["value"] == "2024x"


@pytest.mark.django_db
def test_small_files_finish_within_the_request_and_nothing_is_queued(province, django_capture_on_commit_callbacks):
    dataset = make_dataset(province)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        version = services.version_upload(actor=province.producer_diskominfo, dataset=dataset, upload=upload(BAD))
    assert version.validation == "invalid" and version.error_count == 2
    assert callbacks == [] and not DBTaskResult.objects.filter(task_path=TASK).exists()


@pytest.mark.django_db
def test_a_stale_job_changes_nothing(province):
    dataset = make_dataset(province)
    version = services.version_upload(actor=province.producer_diskominfo, dataset=dataset, upload=upload(BAD))
    events = AuditEvent.objects.count()
    assert services.version_validate_job(version_id=version.pk, run=version.validation_run - 1) == "superseded"
    assert services.version_validate_job(version_id=version.pk, run=version.validation_run) == "superseded"  # done
    version.refresh_from_db()
    assert version.validation == "invalid" and AuditEvent.objects.count() == events
