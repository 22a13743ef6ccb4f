"""Staff pages: the MS-Var fields of the data dictionary form, and pinned query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from etam.core.models import AuditEvent
from etam.opendata import services
from etam.opendata.models import ColumnSpec, DatasetVersion
from tests.opendata.conftest import POPULATION_CSV, described_upload, make_dataset, publish, upload

pytestmark = pytest.mark.django_db

MS_VAR = ("concept", "selection_reference", "time_reference", "classification", "question", "is_public")


def _formset_data(version: DatasetVersion, **overrides: dict[str, Any]) -> dict[str, Any]:
    columns = list(version.columns.order_by("position"))
    data: dict[str, Any] = {"form-TOTAL_FORMS": len(columns), "form-INITIAL_FORMS": len(columns)}
    for i, c in enumerate(columns):
        values = {
            "id": c.pk,
            "title": c.title,
            "type": c.type,
            "unit": c.unit,
            "definition": c.definition or f"Definisi {c.name}",
            "reference": c.reference,
            "number_format": c.number_format,
            "date_format": c.date_format,
            "is_public": "on",
            **overrides.get(c.name, {}),
        }
        data.update({f"form-{i}-{k}": v for k, v in values.items() if v is not False})
    return data


def test_column_form_has_every_ms_var_field_and_saves_them(client, province):
    dataset = make_dataset(province)
    version = services.version_upload(
        actor=province.producer_diskominfo, dataset=dataset, upload=upload(POPULATION_CSV)
    )
    client.force_login(province.producer_diskominfo)
    url = reverse("opendata:staff_columns", args=[version.pk])
    page = client.get(url).content.decode()
    for field in MS_VAR:
        assert f'name="form-0-{field}"' in page, field
    assert "Referensi pemilihan" in page and "Kalimat pertanyaan" in page and "Dapat diakses publik" in page
    assert '<small id="id_form-0-question_helptext">MS-Var kalimat pertanyaan:' in page
    penduduk = {
        "concept": "Penduduk adalah semua orang yang berdomisili di wilayah RI",
        "selection_reference": "Penduduk yang tercatat di Dukcapil",
        "time_reference": "30 Juni 2024",
        "classification": "Tanpa klasifikasi",
        "question": "Berapa jumlah penduduk?",
    }
    response = client.post(url, _formset_data(version, penduduk=penduduk, luas_km2={"is_public": False}))
    assert response.status_code == 302, response.content.decode()[-3000:]
    column = ColumnSpec.objects.get(version=version, name="penduduk")
    assert {k: getattr(column, k) for k in penduduk} == penduduk
    assert ColumnSpec.objects.get(version=version, name="luas_km2").is_public is False
    event = AuditEvent.objects.filter(action="opendata.columns_update").latest("pk")
    assert event.changes["after"]["penduduk"]["question"] == "Berapa jumlah penduduk?"


def test_a_column_not_publicly_accessible_blocks_publishing_a_public_dataset(province):
    dataset = make_dataset(province)
    producer = province.producer_diskominfo
    version = described_upload(producer, dataset)
    services.columns_update(actor=producer, version=version, changes={"luas_km2": {"is_public": False}})
    # The producer is stopped at submission by the walidata's own check...
    with pytest.raises(ValidationError) as refused:
        services.version_submit(actor=producer, version=version)
    assert "luas_km2" in " ".join(refused.value.messages)
    version.refresh_from_db()
    assert version.status == "draft"
    # ...and a version submitted before that check existed is still refused at publication.
    DatasetVersion.objects.filter(pk=version.pk).update(status="submitted")
    with pytest.raises(ValidationError) as exc:
        services.version_publish(actor=province.steward_kaltim, version=version)
    assert "luas_km2" in " ".join(exc.value.messages)
    version.refresh_from_db()
    assert version.status == "submitted"
    dataset.refresh_from_db()
    assert dataset.published_version_id is None


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _datasets(province, start: int, count: int, *, submit: bool) -> None:
    producer = province.producer_diskominfo
    for i in range(start, start + count):
        dataset = make_dataset(province, slug=f"d{i}", title=f"Dataset {i}")
        if i % 2:
            publish(province, dataset)
            continue
        version = described_upload(producer, dataset)
        if submit:
            services.version_submit(actor=producer, version=version)


def _same_queries_with_more_datasets(client, province, url: str, assert_num_queries, *, submit: bool) -> str:
    """The page at `url` with 2 datasets, then with 8: the second costs as many queries as the first."""
    _datasets(province, 0, 2, submit=submit)
    few = _queries(client, url)
    _datasets(province, 2, 6, submit=submit)
    with assert_num_queries(few):
        return client.get(url).content.decode()


@pytest.mark.parametrize("who", ["producer_diskominfo", "steward_kaltim"])
def test_staff_dataset_list_query_count_does_not_grow(client, province, who, django_assert_num_queries):
    client.force_login(getattr(province, who))
    body = _same_queries_with_more_datasets(
        client, province, reverse("opendata:staff_list"), django_assert_num_queries, submit=False
    )
    assert body.count("Dataset ") >= 8 and "Draf · Sah" in body


def test_review_queue_query_count_does_not_grow(client, province, django_assert_num_queries):
    client.force_login(province.steward_kaltim)
    body = _same_queries_with_more_datasets(
        client, province, reverse("opendata:staff_review"), django_assert_num_queries, submit=True
    )
    assert body.count("Dataset ") == 4  # d0, d2, d4, d6 submitted; odd ones published


def test_staff_dataset_page_query_count_does_not_grow_with_versions(client, province, django_assert_num_queries):
    dataset = make_dataset(province)
    publish(province, dataset)
    client.force_login(province.producer_diskominfo)
    url = reverse("opendata:staff_dataset", args=[dataset.pk])
    few = _queries(client, url)
    for n in range(3):
        publish(province, dataset, note=f"Rilis {n + 2}")
    with django_assert_num_queries(few):
        body = client.get(url).content.decode()
    assert "Rilis 4" in body or "4" in body
