"""The reference-data loader: counts, idempotence, versioning, refusal of broken files."""

from __future__ import annotations

import csv
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from etam.core import reference_loader
from etam.core.models import BpsCrosswalk, ReferenceLoad, Region, RegionBoundary, RegionLevel, RegionStatistic

DATA = Path(settings.SHARED_DATA_DIR)
pytestmark = pytest.mark.django_db

# 13 measured on SQLite (its bulk batches are the smaller); one statement per row would be over 1,154.
MAX_QUERIES_FIRST_LOAD = 20


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for name in DATA.iterdir():
        if name.suffix in {".csv", ".geojson"}:
            shutil.copy(name, tmp_path / name.name)
    return tmp_path


def _snapshot() -> tuple:
    return (
        list(Region.objects.order_by("pk").values_list("pk", "code", "name", "retired_by_id")),
        ReferenceLoad.objects.count(),
        RegionBoundary.objects.count(),
        RegionStatistic.objects.count(),
        BpsCrosswalk.objects.count(),
    )


def test_every_test_database_holds_the_kaltim_tree():
    current = Region.objects.current()
    assert current.count() == 1154
    assert current.filter(level=RegionLevel.PROVINCE).count() == 1
    assert current.filter(level=RegionLevel.REGENCY_CITY).count() == 10
    assert current.filter(level=RegionLevel.DISTRICT).count() == 105
    assert current.filter(level=RegionLevel.VILLAGE).count() == 1038
    assert current.filter(level=RegionLevel.REGENCY_CITY, kind="Kota").count() == 3
    assert current.get(code="64.72").name == "Kota Samarinda"
    assert RegionBoundary.objects.filter(level=RegionLevel.REGENCY_CITY).count() == 10
    assert RegionBoundary.objects.filter(level=RegionLevel.DISTRICT).count() == 105
    assert RegionStatistic.objects.get(code="64").population_total == 4123303
    assert sum(s.population_total for s in RegionStatistic.objects.exclude(code="64")) == 4123303
    assert BpsCrosswalk.objects.count() == 113
    # The pitfall the crosswalk exists for: BPS 6402 is Kutai Barat, Kemendagri 64.07.
    assert BpsCrosswalk.objects.get(bps_code="6402").kemendagri_code == "64.07"
    load = ReferenceLoad.objects.filter(dataset="kode_wilayah").latest("pk")
    assert load.edition == "Kepmendagri 300.2.2-2430/2025"
    assert len(load.source_sha256) == 64


def test_second_run_changes_nothing_and_says_so():
    before = _snapshot()
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert _snapshot() == before
    text = out.getvalue()
    assert "kode_wilayah: tidak ada perubahan (1154 baris sama)" in text
    assert "no changes" in text
    assert "semua data referensi sudah mutakhir" in text


def test_first_load_is_bulk_and_fast(django_assert_max_num_queries):
    RegionBoundary.objects.all().delete()
    Region.objects.all().delete()
    # "Fast" as work, not time: 1,154 regions in a bounded number of statements (bulk writes), not one per row.
    with django_assert_max_num_queries(MAX_QUERIES_FIRST_LOAD):
        result = reference_loader.load_regions()
    assert (result.created, result.updated, result.retired) == (1154, 0, 0)
    assert Region.objects.current().count() == 1154
    assert result.load is not None and result.load.created_count == 1154


def test_renamed_and_removed_codes_are_versioned(data_copy: Path):
    path = data_copy / reference_loader.REGION_FILE
    header, rows = _rows(path)
    renamed = next(r for r in rows if r["kode"] == "64.72.01.1001")
    renamed["nama"] = "Nama Baru"
    removed_code = "64.01.01.2009"
    rows = [r for r in rows if r["kode"] != removed_code]
    # A code that moves: the old code disappears, the new one appears.
    moved = next(r for r in rows if r["kode"] == "64.02.01.2001")
    moved.update(kode="64.02.01.2999", kode_tanpa_titik="6402012999")
    _write(path, header, rows)
    old_renamed = Region.objects.current().get(code="64.72.01.1001")
    old_removed = Region.objects.current().get(code=removed_code)
    untouched = Region.objects.current().get(code="64.72")

    result = reference_loader.load_regions(path, expected_counts=None)

    assert (result.created, result.updated, result.retired, result.unchanged) == (1, 1, 2, 1151)
    load = result.load
    assert load is not None and load.edition == reference_loader.REGION_EDITION
    assert (load.created_count, load.updated_count, load.retired_count, load.unchanged_count) == (1, 1, 2, 1151)
    old_renamed.refresh_from_db()
    old_removed.refresh_from_db()
    assert old_renamed.retired_by == load and old_renamed.name != "Nama Baru"
    new_renamed = Region.objects.current().get(code="64.72.01.1001")
    assert new_renamed.pk != old_renamed.pk and new_renamed.name == "Nama Baru" and new_renamed.introduced_by == load
    assert old_removed.retired_by == load
    assert not Region.objects.current().filter(code=removed_code).exists()
    assert not Region.objects.current().filter(code="64.02.01.2001").exists()
    assert Region.objects.current().get(code="64.02.01.2999").introduced_by == load
    untouched.refresh_from_db()
    assert untouched.retired_by is None and untouched.introduced_by_id != load.pk
    assert Region.objects.filter(code="64.72.01.1001").count() == 2  # history kept

    # Loading the original edition again brings the old codes back as new current rows.
    back = reference_loader.load_regions()
    assert (back.created, back.updated, back.retired) == (2, 1, 1)
    assert Region.objects.current().get(code="64.72.01.1001").name == old_renamed.name
    assert Region.objects.current().count() == 1154


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda rows: rows.append(
                {**rows[-1], "kode": "64.99.01.2001", "kode_tanpa_titik": "6499012001", "kode_induk": "64.99.01"}
            ),
            "kode induk 64.99.01 tidak ada di berkas",
        ),
        (lambda rows: rows[5].update(tingkat="kecamatan"), "baris 7, kolom tingkat"),
        (lambda rows: rows[3].update(kode="64.1", kode_tanpa_titik="641"), "baris 5, kolom kode"),
        (lambda rows: rows.append(dict(rows[3])), "sudah ada di baris 5"),
        (lambda rows: rows[3].update(jenis="Dusun"), "baris 5, kolom jenis"),
        (lambda rows: rows[3].update(kode_induk="64.02"), "baris 5, kolom kode_induk"),
        (lambda rows: rows[3].update(nama=""), "baris 5, kolom nama"),
        (lambda rows: rows.pop(), "jumlah desa_kelurahan 1037, yang diharapkan 1038"),
    ],
)
def test_broken_region_file_is_refused_naming_the_row_and_nothing_is_written(data_copy: Path, change, expected):
    path = data_copy / reference_loader.REGION_FILE
    header, rows = _rows(path)
    rows[10]["nama"] = "Perubahan yang tidak boleh tersimpan"
    change(rows)
    _write(path, header, rows)
    before = _snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("load_reference_data", data_dir=data_copy, stdout=StringIO())
    assert expected in str(refused.value)
    assert "ditolak" in str(refused.value)
    assert _snapshot() == before


def test_missing_column_is_refused(data_copy: Path):
    path = data_copy / reference_loader.REGION_FILE
    header, rows = _rows(path)
    header.remove("jenis")
    for row in rows:
        del row["jenis"]
    _write(path, header, rows)
    with pytest.raises(reference_loader.ReferenceDataError, match="baris 1, kolom jenis"):
        reference_loader.load_regions(path)


def test_statistics_must_add_up(data_copy: Path):
    path = data_copy / reference_loader.STATISTIC_FILE
    header, rows = _rows(path)
    rows[2]["penduduk_total"] = str(int(rows[2]["penduduk_total"]) + 1)
    _write(path, header, rows)
    before = _snapshot()
    with pytest.raises(reference_loader.ReferenceDataError, match="baris 4, kolom penduduk_total"):
        reference_loader.load_statistics(path)
    assert _snapshot() == before


def test_statistics_changes_are_updated_in_place(data_copy: Path):
    path = data_copy / reference_loader.STATISTIC_FILE
    header, rows = _rows(path)
    rows[1]["penduduk_laki_laki"] = str(int(rows[1]["penduduk_laki_laki"]) + 10)
    rows[1]["penduduk_total"] = str(int(rows[1]["penduduk_total"]) + 10)
    _write(path, header, rows)
    result = reference_loader.load_statistics(path)
    assert (result.created, result.updated, result.retired, result.unchanged) == (0, 1, 0, 10)
    assert RegionStatistic.objects.get(code="64.01").population_total == 309677


def test_boundary_with_unknown_code_or_open_ring_is_refused(data_copy: Path):
    path = data_copy / reference_loader.KABKOTA_BOUNDARY_FILE
    document = json.loads(path.read_text())
    document["features"][2]["properties"]["kode"] = "64.99"
    path.write_text(json.dumps(document))
    with pytest.raises(reference_loader.ReferenceDataError, match=r"baris 3, kolom properties\.kode"):
        reference_loader.load_boundaries(path, level=RegionLevel.REGENCY_CITY, dataset="batas_kabkota")

    document = json.loads((DATA / reference_loader.KABKOTA_BOUNDARY_FILE).read_text())
    ring = document["features"][0]["geometry"]["coordinates"][0][0]
    ring.append([ring[0][0] + 0.1, ring[0][1]])  # no longer closed
    path.write_text(json.dumps(document))
    before = _snapshot()
    with pytest.raises(reference_loader.ReferenceDataError, match=r"baris 1, kolom geometry\.coordinates"):
        reference_loader.load_boundaries(path, level=RegionLevel.REGENCY_CITY, dataset="batas_kabkota")
    assert _snapshot() == before


def test_crosswalk_level_and_code_shape_are_checked(data_copy: Path):
    path = data_copy / reference_loader.CROSSWALK_FILE
    header, rows = _rows(path)
    rows[0]["kode_kemendagri"] = "64.01.01"
    _write(path, header, rows)
    with pytest.raises(reference_loader.ReferenceDataError, match="baris 2, kolom kode_kemendagri"):
        reference_loader.load_crosswalk(path)


# pytest-django runs transactional tests last; each flushes the database afterwards, so
# whichever of these two runs second proves the data was loaded again after the flush.
@pytest.mark.django_db(transaction=True)
def test_transactional_tests_see_the_regions_too():
    assert Region.objects.current().count() == 1154


@pytest.mark.django_db(transaction=True)
def test_regions_are_back_after_a_transactional_test_flushed_the_database():
    assert Region.objects.current().count() == 1154
    assert RegionBoundary.objects.count() == 115
    assert BpsCrosswalk.objects.count() == 113
