"""Public pages (budget, facets, chart, map, no JS) and the native API."""

from __future__ import annotations

import gzip

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SCHOOLS = (
    "kode_wilayah,bentuk,status,jumlah\n"
    "64.71,SMA,Negeri,12\n64.72,SMA,Negeri,20\n64.72,SMP,Swasta,31\n64.01,SMP,Negeri,5\n"
)


def test_search_with_facets_and_page_budget(client, published, django_assert_max_num_queries):
    published()
    published(slug="sekolah", title="Sekolah per kabupaten/kota", topic="pendidikan", content=SCHOOLS)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("opendata:search"), {"groups": "pendidikan"})
    body = response.content.decode()
    assert "Sekolah per kabupaten/kota" in body and "Penduduk dan luas" not in body
    assert "Pendidikan" in body or "Education" in body
    assert len(gzip.compress(response.content)) <= 14 * 1024


def test_dataset_page_preview_dictionary_chart_and_map(client, published):
    published(slug="sekolah", title="Sekolah per kabupaten/kota", topic="pendidikan", content=SCHOOLS)
    response = client.get(reverse("opendata:dataset", args=["sekolah"]), {"x": "bentuk", "y": "jumlah", "agg": "sum"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and ">SMP</text>" in body and ">36</text>" in body  # 31 + 5
    assert "Definisi jumlah" in body  # data dictionary
    assert "peta.svg" in body
    assert len(gzip.compress(response.content)) <= 14 * 1024
    line = client.get(
        reverse("opendata:dataset", args=["sekolah"]), {"x": "kode_wilayah", "y": "jumlah", "kind": "line"}
    )
    assert "<polyline" in line.content.decode()
    map_svg = client.get(
        reverse("opendata:map_svg", args=["sekolah"]), {"col": "kode_wilayah", "y": "jumlah", "agg": "sum"}
    )
    assert map_svg["Content-Type"] == "image/svg+xml"
    svg = map_svg.content.decode()
    assert svg.count("<path") == 10 and "Kota Samarinda (64.72): 51" in svg


def test_native_api_rows_keyset_aggregate_and_downloads(client, published):
    published(slug="sekolah", title="Sekolah", topic="pendidikan", content=SCHOOLS)
    detail = client.get("/api/v1/datasets/sekolah").json()
    assert [c["name"] for c in detail["columns"]] == ["kode_wilayah", "bentuk", "status", "jumlah"]
    page = client.get("/api/v1/datasets/sekolah/rows", {"sort": "jumlah desc", "limit": 2}).json()
    assert [r["jumlah"] for r in page["records"]] == [31, 20] and page["total"] == 4
    rest = client.get(
        "/api/v1/datasets/sekolah/rows", {"sort": "jumlah desc", "limit": 2, "after": page["next_cursor"]}
    ).json()
    assert [r["jumlah"] for r in rest["records"]] == [12, 5] and rest["next_cursor"] is None
    filtered = client.get("/api/v1/datasets/sekolah/rows", {"filters": '{"kode_wilayah": "64.72"}'}).json()
    assert filtered["total"] == 2
    agg = client.get(
        "/api/v1/datasets/sekolah/aggregate",
        {"group_by": ["bentuk", "status"], "metric": ["sum:jumlah", "count:*"]},
    ).json()
    assert {"bentuk": "SMP", "status": "Swasta", "sum_jumlah": 31, "count": 1} in agg["records"]
    bad = client.get("/api/v1/datasets/sekolah/aggregate", {"group_by": "tidak_ada"})
    assert bad.status_code == 422
    csv_body = b"".join(client.get("/api/v1/datasets/sekolah/download.csv").streaming_content).decode("utf-8-sig")
    assert csv_body.splitlines()[0] == '"kode_wilayah","bentuk","status","jumlah"'
    assert len(csv_body.splitlines()) == 5
    import json

    data = json.loads(b"".join(client.get("/api/v1/datasets/sekolah/download.json").streaming_content))
    assert len(data["records"]) == 4
    xlsx = client.get("/api/v1/datasets/sekolah/download.xlsx")
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"
    parquet = b"".join(client.get("/api/v1/datasets/sekolah/download.parquet").streaming_content)
    assert parquet[:4] == b"PAR1"


def test_api_list_queries_are_pinned(client, published, django_assert_max_num_queries):
    published()
    published(slug="sekolah", title="Sekolah", topic="pendidikan", content=SCHOOLS)
    with django_assert_max_num_queries(16):
        body = client.get("/api/v1/datasets/").json()
    assert body["count"] == 2


def test_staff_flow_through_pages(client, province):
    """A produsen uploads a CSV with an error, sees the report, fixes it, submits; walidata publishes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(province.producer_diskominfo)
    response = client.post(
        reverse("opendata:staff_create"),
        {
            "agency": province.diskominfo.pk,
            "title": "Sekolah",
            "slug": "sekolah",
            "description": "Jumlah sekolah",
            "topic": "pendidikan",
            "licence": "CC-BY-4.0",
            "update_frequency": "annual",
            "spatial_code": "64",
            "spatial_level": "kabupaten_kota",
            "access": "public",
            "contact_name": "Disdik",
            "contact_email": "disdik@kaltimprov.go.id",
            "tags": "sekolah",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dataset_url = response["Location"]
    pk = int(dataset_url.rstrip("/").split("/")[-1])
    bad = SCHOOLS.replace("64.01", "64.99")
    response = client.post(
        reverse("opendata:staff_upload", args=[pk]), {"file": SimpleUploadedFile("s.csv", bad.encode())}
    )
    version_url = response["Location"]
    page = client.get(version_url).content.decode()
    assert "64.99" in page and "Kemendagri" in page
    response = client.post(
        reverse("opendata:staff_upload", args=[pk]), {"file": SimpleUploadedFile("s.csv", SCHOOLS.encode())}
    )
    version_pk = int(response["Location"].rstrip("/").split("/")[-1])
    from etam.opendata.models import ColumnSpec

    columns = list(ColumnSpec.objects.filter(version_id=version_pk).order_by("position"))
    data = {"form-TOTAL_FORMS": len(columns), "form-INITIAL_FORMS": len(columns)}
    for i, c in enumerate(columns):
        data.update(
            {
                f"form-{i}-id": c.pk,
                f"form-{i}-type": c.type,
                f"form-{i}-number_format": c.number_format,
                f"form-{i}-date_format": c.date_format,
                f"form-{i}-reference": c.reference,
                f"form-{i}-definition": f"Definisi {c.name}",
                f"form-{i}-title": c.name,
                f"form-{i}-is_public": "on",
            }
        )
    assert client.post(reverse("opendata:staff_columns", args=[version_pk]), data).status_code == 302
    assert client.post(reverse("opendata:staff_submit", args=[version_pk])).status_code == 302
    client.force_login(province.steward_kaltim)
    assert "Sekolah" in client.get(reverse("opendata:staff_review")).content.decode()
    response = client.post(
        reverse("opendata:staff_version_review", args=[version_pk]), {"decision": "publish", "comment": ""}
    )
    assert response.status_code == 302
    client.logout()
    assert client.get(reverse("opendata:dataset", args=["sekolah"])).status_code == 200


def test_public_menu_label_is_translated(client):
    indonesian = client.get("/").content.decode()
    assert '<a href="/data/">Satu Data</a>' in indonesian
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert '<a href="/data/">Open data</a>' in english
