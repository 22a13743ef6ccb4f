"""Public pages that do not mislead, and the producer's pages that warn (issue 14, items 3-5).

- a chart that shows only part of the groups says so ("40 dari 105");
- the default aggregate fits the column: a density, rate, percentage or mean is averaged;
- numbers in the preview are grouped Indonesian style (1.234.567,8), years are not;
- the validation report lists the inferred rules and how rows are numbered;
- the producer's pages list what the walidata will refuse, and submitting is refused.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from etam.core.models import AuditEvent
from etam.opendata import services
from etam.opendata.charts import default_aggregate, grouped
from tests.opendata.conftest import POPULATION_CSV, describe_columns, described_upload, make_dataset, upload
from tests.opendata.test_inference import csv_bytes, planted_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("indonesian")]


def _publish(province, slug: str, content: str, units: dict[str, str] | None = None):
    producer = province.producer_diskominfo
    dataset = make_dataset(province, slug=slug)
    version = described_upload(producer, dataset, content)
    if units:
        version = services.columns_update(
            actor=producer, version=version, changes={name: {"unit": unit} for name, unit in units.items()}
        )
    assert version.validation == "valid", version.error_summary
    services.version_submit(actor=producer, version=version)
    services.version_publish(actor=province.steward_kaltim, version=version)
    return dataset


@pytest.mark.parametrize(
    ("name", "type_", "unit", "title", "expected"),
    [
        ("kepadatan", "number", "jiwa/km²", "", "avg"),
        ("persentase_miskin", "number", "", "", "avg"),
        ("apm_sd", "number", "%", "Angka partisipasi murni SD", "avg"),
        ("rata_rata_lama_sekolah", "number", "tahun", "", "avg"),
        ("ipm", "number", "", "Indeks Pembangunan Manusia", "avg"),
        ("tpt", "number", "persen", "", "avg"),
        ("penduduk", "integer", "jiwa", "", "sum"),
        ("jumlah_perempuan", "integer", "jiwa", "", "sum"),
        ("luas_km2", "number", "km²", "Luas wilayah", "sum"),
        ("anggaran", "number", "rupiah", "", "sum"),
        ("nama", "string", "", "", "count"),
    ],
)
def test_default_aggregate_by_unit_and_name(name, type_, unit, title, expected):
    column = SimpleNamespace(name=name, type=type_, unit=unit, title=title)
    assert default_aggregate(column) == expected


def test_grouped_numbers():
    assert grouped(1234567.8) == "1.234.567,8"
    assert grouped(1234567) == "1.234.567"
    assert grouped(-1234.5) == "-1.234,5"
    assert grouped(10780.677, 2) == "10.780,68"
    assert grouped(None) == "–"


def test_preview_groups_numbers_but_not_years(client, province):
    _publish(province, "penduduk", POPULATION_CSV)
    body = client.get(reverse("opendata:dataset", args=["penduduk"])).content.decode()
    preview = body.split("<tbody>")[1].split("</tbody>")[0]
    assert "<td>309.667</td>" in preview and "<td>10.780,677</td>" in preview
    assert "<td>2024</td>" in preview and "2.024" not in preview
    assert "<td>64.01</td>" in preview  # a region code is text


def test_a_density_is_averaged_by_default_and_a_count_summed(client, province):
    content = (
        "kode_wilayah,kabupaten,tahun,penduduk,kepadatan\n"
        "64.01,Paser,2023,300000,25.5\n64.01,Paser,2024,309667,28.7\n"
        "64.72,Samarinda,2023,850000,1190.0\n64.72,Samarinda,2024,865202,1205.0\n"
    )
    _publish(province, "kepadatan", content, units={"kepadatan": "jiwa/km²", "penduduk": "jiwa"})
    url = reverse("opendata:chart_svg", args=["kepadatan"])
    density = client.get(url, {"x": "kabupaten", "y": "kepadatan"}).content.decode()
    assert "avg(kepadatan)" in density
    assert ">27,1</text>" in density  # (25,5 + 28,7) / 2, not 54,2
    people = client.get(url, {"x": "kabupaten", "y": "penduduk"}).content.decode()
    assert "sum(penduduk)" in people and ">1.715.202</text>" in people
    # The reader can still choose: the explicit aggregate wins.
    chosen = client.get(url, {"x": "kabupaten", "y": "kepadatan", "agg": "max"}).content.decode()
    assert "max(kepadatan)" in chosen and ">1.205</text>" in chosen


def test_a_chart_of_part_of_the_groups_says_so(client, province):
    rows = "\n".join(f"Desa {i:03d},{i}" for i in range(105))
    _publish(province, "desa", "desa,jumlah\n" + rows + "\n")
    page = client.get(reverse("opendata:dataset", args=["desa"]), {"x": "desa", "y": "jumlah"}).content.decode()
    assert "40 dari 105" in page
    assert len(re.findall(r">Desa \d{3}</text>", page)) == 40
    svg = client.get(reverse("opendata:chart_svg", args=["desa"]), {"x": "desa", "y": "jumlah"}).content.decode()
    assert "40 dari 105" in svg
    whole = client.get(reverse("opendata:dataset", args=["desa"]), {"x": "desa", "y": "jumlah"})
    assert whole.status_code == 200
    small = _publish(province, "kecil", POPULATION_CSV)
    body = client.get(reverse("opendata:dataset", args=[small.slug]), {"x": "nama"}).content.decode()
    assert "chart-caption" not in body  # every group shown: nothing to say


def test_report_lists_inferred_rules_and_row_numbering(client, province):
    producer = province.producer_diskominfo
    dataset = make_dataset(province, slug="puskesmas")
    header, rows, planted = planted_rows()
    content = csv_bytes(header, rows)
    version = services.version_upload(actor=producer, dataset=dataset, upload=upload(content))
    assert version.validation == "invalid"
    found = {(e["row"], e["column"]) for e in version.error_summary["first"]}
    assert found == set(planted.values())
    inferred = {c["column"]: {r["rule"] for r in c["rules"]} for c in version.error_summary["inferred"]}
    assert inferred["jumlah_kunjungan"] == {"type", "required"}
    assert inferred["kode_wilayah"] == {"reference", "required"}
    assert "catatan" not in inferred

    client.force_login(producer)
    page = client.get(reverse("opendata:staff_version", args=[version.pk])).content.decode()
    assert "judul kolom adalah baris 1" in page
    assert "Aturan yang disimpulkan dari berkas" in page
    assert "31 April 2023 tidak ada" in page

    # The producer turns the inferred number type off: the word is no longer reported, and
    # the report no longer calls that rule inferred.
    version = services.columns_update(actor=producer, version=version, changes={"jumlah_kunjungan": {"type": "string"}})
    assert {(e["row"], e["column"]) for e in version.error_summary["first"]} == set(planted.values()) - {
        planted["word"]
    }
    inferred = {c["column"]: {r["rule"] for r in c["rules"]} for c in version.error_summary["inferred"]}
    assert inferred["jumlah_kunjungan"] == {"required"}


def test_producer_pages_list_what_the_walidata_will_refuse(client, province):
    producer = province.producer_diskominfo
    dataset = make_dataset(province, slug="standar")
    version = services.version_upload(actor=producer, dataset=dataset, upload=upload(POPULATION_CSV))
    client.force_login(producer)
    for url in (
        reverse("opendata:staff_dataset", args=[dataset.pk]),
        reverse("opendata:staff_version", args=[version.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Walidata akan menolak versi ini" in page
        assert "Kolom penduduk: definisi (MS-Var) kosong." in page
    assert "disabled" in client.get(reverse("opendata:staff_version", args=[version.pk])).content.decode()

    # Posting the form anyway is refused by the service: nothing changes, no audit event.
    response = client.post(reverse("opendata:staff_submit", args=[version.pk]), follow=True)
    assert "Lengkapi dulu sebelum diajukan ke walidata" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "draft"
    assert not AuditEvent.objects.filter(action="opendata.version_submit").exists()

    version = describe_columns(version, producer)
    page = client.get(reverse("opendata:staff_version", args=[version.pk])).content.decode()
    assert "Walidata akan menolak versi ini" not in page
    client.post(reverse("opendata:staff_submit", args=[version.pk]))
    version.refresh_from_db()
    assert version.status == "submitted"
