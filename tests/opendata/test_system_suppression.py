"""Small counts of people in system datasets are published as "<5" (issue 14 item 6, ADR 0123).

One mechanism: ``etam.core.suppression``. A system dataset column is a count of people when
it says so (``counts_people=True``) or its unit is one (orang, jiwa, pemohon, permohonan...).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from etam.opendata import system
from etam.opendata.models import Dataset
from etam.opendata.registry import SYSTEM_DATASETS, SystemColumn, register_system_dataset

pytestmark = pytest.mark.django_db

KEY = "uji-penerima-layanan"
ROWS = [
    ("64.01", "Paser", 0, 3, 120, 123),  # 0 stays 0; 3 is hidden; its total would give it back
    ("64.72", "Samarinda", 4, 1, 250, 255),  # two small cells: both hidden, no complement needed
    ("64.71", "Balikpapan", 40, 60, 0, 100),  # nothing small
    ("64.74", "Bontang", 2, 7, 9, 18),
]


@pytest.fixture
def people_dataset():
    register_system_dataset(
        key=KEY,
        title="Penerima layanan per kabupaten/kota (uji)",
        description="Jumlah penerima layanan per kelompok umur.",
        columns=[
            SystemColumn("kode_wilayah", "string", reference="kode_wilayah", definition="Kode Kemendagri"),
            SystemColumn("nama", "string", definition="Nama kabupaten/kota"),
            SystemColumn("anak", "integer", unit="orang", definition="Penerima usia 0-17"),
            SystemColumn("lansia", "integer", unit="jiwa", definition="Penerima usia 60+"),
            SystemColumn("dewasa", "integer", definition="Penerima usia 18-59", counts_people=True),
            SystemColumn("jumlah", "integer", unit="orang", definition="Semua penerima", is_total=True),
        ],
        rows=lambda: list(ROWS),
    )
    yield SYSTEM_DATASETS[KEY]
    SYSTEM_DATASETS.pop(KEY, None)


def _published_csv(client, key: str) -> list[list[str]]:
    dataset = Dataset.objects.get(system_key=key)
    response = client.get(reverse("opendata:download", args=[dataset.slug, dataset.published_version.number, "csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_small_counts_of_people_are_published_as_under_five(client, province, people_dataset):
    assert system.refresh(people_dataset) is True
    rows = {r[0]: r for r in _published_csv(client, KEY)[1:]}
    # Paser: 3 hidden, and the smallest other count (120) too, or 123 - 0 - 120 gives it back.
    assert rows["64.01"][2:] == ["0", "<5", "<5", "123"]
    assert rows["64.72"][2:] == ["<5", "<5", "250", "255"]
    assert rows["64.71"][2:] == ["40", "60", "0", "100"]
    assert rows["64.74"][2:] == ["<5", "<5", "9", "18"]  # 2 hidden, and the smallest other (7)
    dataset = Dataset.objects.get(system_key=KEY)
    columns = {c.name: c for c in dataset.published_version.columns.all()}
    assert columns["anak"].type == "string" and '"<5"' in columns["anak"].definition
    assert columns["kode_wilayah"].type == "string" and "<5" not in columns["kode_wilayah"].definition
    # The API serves what the file holds: no way round the suppression.
    api = client.get(f"/api/v1/datasets/{dataset.slug}/rows").json()
    assert {"3", 3, "1", 1} & {r["lansia"] for r in api["records"]} == set()


def test_the_threshold_is_a_setting(client, province, people_dataset, settings):
    settings.SMALL_COUNT_THRESHOLD = 3
    assert system.refresh(people_dataset) is True
    rows = {r[0]: r for r in _published_csv(client, KEY)[1:]}
    assert rows["64.01"][2:] == ["0", "3", "120", "123"]
    assert rows["64.74"][2:] == ["<3", "<3", "9", "18"]
    assert rows["64.72"][2:] == ["<3", "<3", "250", "255"]  # 1 hidden, 4 with it as its complement
    # A new threshold is a new table: the next refresh publishes again.
    settings.SMALL_COUNT_THRESHOLD = 5
    assert system.refresh(people_dataset) is True


def test_counts_that_are_not_people_are_not_touched(client, province):
    assert system.refresh(SYSTEM_DATASETS[system.ORGANISATIONS_KEY]) is True
    dataset = Dataset.objects.get(system_key=system.ORGANISATIONS_KEY)
    column = dataset.published_version.columns.get(name="jumlah_opd")
    assert column.type == "integer"  # OPD are not people: 1 OPD stays 1
    assert all("<" not in cell for row in _published_csv(client, system.ORGANISATIONS_KEY) for cell in row)


@pytest.mark.parametrize(
    ("column", "suppressed"),
    [
        (SystemColumn("a", "integer", unit="orang"), True),
        (SystemColumn("a", "integer", unit="Permohonan"), True),
        (SystemColumn("a", "integer", unit="aplikasi"), False),
        (SystemColumn("a", "integer", unit="orang", counts_people=False), False),
        (SystemColumn("a", "integer", counts_people=True), True),
        (SystemColumn("a", "number", unit="persen"), False),
        (SystemColumn("a", "string", unit="orang"), False),
    ],
)
def test_which_columns_count_people(column, suppressed):
    assert column.suppressed is suppressed
