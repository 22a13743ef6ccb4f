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
