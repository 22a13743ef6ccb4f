"""Demo content and system datasets."""

from __future__ import annotations

import pytest

from etam.opendata import demo, system
from etam.opendata.models import Dataset, DatasetVersion
from etam.opendata.tasks import refresh_system_datasets
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_demo_loader_is_idempotent_and_covers_the_cycle(province):
    lines: list[str] = []
    demo.load(lines.append)
    demo.load(lines.append)
    assert Dataset.objects.filter(slug="penduduk-luas-kabupaten-kota", published_version__isnull=False).exists()
    assert Dataset.objects.get(slug="sekolah-per-kecamatan-terbatas").access == "restricted"
    assert DatasetVersion.objects.get(dataset__slug="desa-kelurahan-per-kecamatan").status == "submitted"
    schools = Dataset.objects.get(slug="sekolah-kabupaten-kota-bentuk-status").published_version
    assert schools.row_count > 50
    assert Dataset.objects.filter(slug="penduduk-luas-kabupaten-kota").count() == 1


def test_system_dataset_refreshes_only_when_its_data_changes(province):
    assert system.refresh_all()[system.ORGANISATIONS_KEY] is True
    dataset = Dataset.objects.get(system_key=system.ORGANISATIONS_KEY)
    assert dataset.published_version.row_count == 2
    assert system.refresh_all()[system.ORGANISATIONS_KEY] is False
    AgencyFactory(institution=province.samarinda, code="DISKOMINFO")
    result = refresh_system_datasets.call()
    assert result[system.ORGANISATIONS_KEY] is True
    dataset.refresh_from_db()
    assert dataset.published_version.number == 2


# The worker closes connections between jobs, which ends a test transaction on PostgreSQL,
# so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_system_refresh_is_scheduled_and_runs_through_the_queue(province):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from etam.core.models import PeriodicTaskState
    from etam.core.scheduling import registered_jobs
    from etam.opendata.apps import SYSTEM_REFRESH_JOB

    job = next(j for j in registered_jobs() if j.name == SYSTEM_REFRESH_JOB)
    assert job.task is refresh_system_datasets and job.every_seconds == 3600
    call_command("run_scheduler", once=True, verbosity=0)
    state = PeriodicTaskState.objects.get(name=SYSTEM_REFRESH_JOB)
    queued = DBTaskResult.objects.get(pk=state.last_result_id)
    assert queued.task_path == "etam.opendata.tasks.refresh_system_datasets" and queued.status == "READY"
    assert not Dataset.objects.filter(system_key=system.ORGANISATIONS_KEY).exists()  # nothing ran yet
    call_command("run_scheduler", once=True, verbosity=0)  # not due again within the hour
    assert DBTaskResult.objects.filter(task_path=queued.task_path).count() == 1

    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL", queued.traceback
    assert queued.return_value[system.ORGANISATIONS_KEY] is True
    dataset = Dataset.objects.get(system_key=system.ORGANISATIONS_KEY)
    assert dataset.published_version.row_count == 2
