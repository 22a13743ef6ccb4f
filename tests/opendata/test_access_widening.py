"""Issue 10, finding 1: widening a dataset's access goes through walidata review, and a
column marked not publicly accessible (MS-Var) never reaches an unprivileged reader on
any path (HTML, /api/v1, CKAN actions, downloads, SQL, datapackage/DCAT).

Issue 10, finding 8 (part): a super admin sees restricted datasets like a walidata.
"""
# ruff: noqa: S608 (resource ids in test SQL)

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from etam.core.models import AuditEvent
from etam.opendata import models, services
from etam.opendata.models import Dataset
from tests.opendata.conftest import described_upload, make_dataset, submitted_upload, upload

pytestmark = pytest.mark.django_db

NIK = "6472010101900001"
CITIZENS_CSV = (
    "nik;nama;kode_wilayah;jumlah\n"
    f"{NIK};Budi Santoso;64.72;3\n"
    "6471020202910002;Siti Aminah;64.71;5\n"
    "6401030303920003;Andi Wijaya;64.01;2\n"
)


def _publish_restricted_with_hidden_nik(province, slug: str = "penerima-bantuan") -> Dataset:
    """What the report describes: a restricted dataset whose NIK column is marked not
    publicly accessible; the walidata publishes it because it is restricted."""
    producer = province.producer_diskominfo
    dataset = make_dataset(province, slug=slug, title="Penerima bantuan sosial", access="restricted")
    version = described_upload(producer, dataset, CITIZENS_CSV)
    version = services.columns_update(actor=producer, version=version, changes={"nik": {"is_public": False}})
    assert version.validation == "valid", version.error_summary
    services.version_submit(actor=producer, version=version)
    services.version_publish(actor=province.steward_kaltim, version=version)
    dataset.refresh_from_db()
    return dataset


def _edit_form(dataset: Dataset, **changes: str) -> dict[str, str]:
    data = {
        "title": dataset.title,
        "slug": dataset.slug,
        "description": dataset.description,
        "topic": dataset.topic,
        "licence": dataset.licence,
        "update_frequency": dataset.update_frequency,
        "spatial_code": dataset.spatial_code,
        "spatial_level": dataset.spatial_level,
        "access": dataset.access,
        "contact_name": dataset.contact_name,
        "contact_email": dataset.contact_email,
        "tags": "bansos",
    }
    data.update(changes)
    return data


@pytest.fixture
def widened(client, province):
    """The attack: the producer publishes restricted, then switches the staff form to public."""
    dataset = _publish_restricted_with_hidden_nik(province)
    client.force_login(province.producer_diskominfo)
    response = client.post(reverse("opendata:staff_edit", args=[dataset.pk]), _edit_form(dataset, access="public"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    client.logout()
    dataset.refresh_from_db()
    return dataset


# ---------------------------------------------------------------------------- the widening waits for review


def test_producer_widening_is_a_request_for_walidata_review(province, widened):
    assert widened.access == "restricted"
    pending = models.AccessRequest.objects.get(dataset=widened, status="pending")
    assert pending.access == "public" and pending.requested_by == province.producer_diskominfo
    event = AuditEvent.objects.filter(action="opendata.access_request").latest("pk")
    assert event.changes["after"]["access"] == "public"


def test_html_paths_do_not_serve_the_unreviewed_widening(client, widened):
    assert client.get(reverse("opendata:search")).content.decode().count("Penerima bantuan") == 0
    for url in (
        reverse("opendata:dataset", args=[widened.slug]),
        reverse("opendata:chart_svg", args=[widened.slug]) + "?x=nik&agg=count",
        reverse("opendata:datapackage", args=[widened.slug]),
        reverse("opendata:dataset_dcat", args=[widened.slug, "ttl"]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
    assert "penerima-bantuan" not in client.get(reverse("opendata:catalog", args=["ttl"])).content.decode()


def test_api_v1_does_not_serve_the_unreviewed_widening(client, widened):
    assert client.get("/api/v1/datasets/").json()["count"] == 0
    for suffix in ("", "/rows", "/aggregate?group_by=nik", "/download.csv"):
        response = client.get(f"/api/v1/datasets/{widened.slug}{suffix}")
        assert response.status_code == 404, (suffix, response.content[:300])


def test_ckan_does_not_serve_the_unreviewed_widening(client, widened):
    rid = str(widened.published_version.resource.uuid)
    assert client.get("/api/3/action/package_list").json()["result"] == []
    assert client.get("/api/3/action/package_show", {"id": widened.slug}).status_code == 404
    response = client.get("/api/3/action/datastore_search", {"resource_id": rid})
    assert response.status_code == 404 and NIK not in response.content.decode()


def test_downloads_do_not_serve_the_unreviewed_widening(client, widened):
    for fmt in ("csv", "json", "xlsx", "parquet"):
        response = client.get(reverse("opendata:download", args=[widened.slug, 1, fmt]))
        assert response.status_code == 404, fmt


def test_sql_does_not_serve_the_unreviewed_widening(client, widened):
    rid = str(widened.published_version.resource.uuid)
    response = client.get("/api/3/action/datastore_search_sql", {"sql": f'SELECT nik FROM "{rid}"'})
    assert response.status_code == 409 and NIK not in response.content.decode()


# ---------------------------------------------------------------------------- review of the request


def test_walidata_approves_a_widening_and_only_then_it_is_public(client, province):
    producer, steward = province.producer_diskominfo, province.steward_kaltim
    dataset = make_dataset(province, slug="jumlah-bantuan", title="Jumlah bantuan", access="restricted")
    version = submitted_upload(producer, dataset, CITIZENS_CSV)
    services.version_publish(actor=steward, version=version)
    dataset.refresh_from_db()
    services.dataset_update(actor=producer, dataset=dataset, access="public")
    dataset.refresh_from_db()
    assert dataset.access == "restricted"
    assert client.get(reverse("opendata:dataset", args=[dataset.slug])).status_code == 404
    pending = models.AccessRequest.objects.get(dataset=dataset, status="pending")
    client.force_login(steward)
    assert "Jumlah bantuan" in client.get(reverse("opendata:staff_review")).content.decode()
    response = client.post(reverse("opendata:staff_access_review", args=[pending.pk]), {"decision": "approve"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    client.logout()
    dataset.refresh_from_db()
    pending.refresh_from_db()
    assert dataset.access == "public" and pending.status == "approved" and pending.reviewed_by == steward
    assert client.get(reverse("opendata:dataset", args=[dataset.slug])).status_code == 200
    assert AuditEvent.objects.filter(action="opendata.access_approve").count() == 1


def test_walidata_cannot_approve_public_access_while_a_column_is_not_public(province, widened):
    pending = models.AccessRequest.objects.get(dataset=widened, status="pending")
    with pytest.raises(ValidationError) as exc:
        services.access_request_approve(actor=province.steward_kaltim, request=pending)
    assert "nik" in " ".join(exc.value.messages)
    pending.refresh_from_db()
    widened.refresh_from_db()
    assert pending.status == "pending" and widened.access == "restricted"


@pytest.mark.parametrize("who", ["producer_diskominfo", "admin_kaltim", "admin_samarinda", "citizen"])
def test_only_a_walidata_of_the_instansi_approves(client, province, widened, who):
    pending = models.AccessRequest.objects.get(dataset=widened, status="pending")
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.access_request_approve(actor=getattr(province, who), request=pending)
    with pytest.raises(PermissionDenied):
        services.access_request_refuse(actor=getattr(province, who), request=pending, comment="tidak")
    client.force_login(getattr(province, who))
    response = client.post(reverse("opendata:staff_access_review", args=[pending.pk]), {"decision": "approve"})
    assert response.status_code in (403, 404)
    pending.refresh_from_db()
    widened.refresh_from_db()
    assert pending.status == "pending" and widened.access == "restricted"
    assert AuditEvent.objects.count() == events


def test_walidata_of_another_instansi_cannot_approve(province, widened):
    from etam.core.models import Role
    from tests.factories import StaffFactory, grant

    other = StaffFactory(full_name="Walidata Samarinda", email="walidata.smr@example.id")
    grant(other, Role.DATA_STEWARD, province.samarinda)
    pending = models.AccessRequest.objects.get(dataset=widened, status="pending")
    with pytest.raises(PermissionDenied):
        services.access_request_approve(actor=other, request=pending)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_walidata_refuses_with_a_comment(province, widened):
    pending = models.AccessRequest.objects.get(dataset=widened, status="pending")
    with pytest.raises(ValidationError):
        services.access_request_refuse(actor=province.steward_kaltim, request=pending, comment=" ")
    services.access_request_refuse(actor=province.steward_kaltim, request=pending, comment="Ada NIK.")
    pending.refresh_from_db()
    widened.refresh_from_db()
    assert pending.status == "refused" and pending.review_comment == "Ada NIK." and widened.access == "restricted"


def test_narrowing_applies_at_once(client, province, published):
    dataset = published(slug="terbuka")
    assert client.get(reverse("opendata:dataset", args=["terbuka"])).status_code == 200
    services.dataset_update(actor=province.producer_diskominfo, dataset=dataset, access="restricted")
    dataset.refresh_from_db()
    assert dataset.access == "restricted"
    assert not models.AccessRequest.objects.filter(dataset=dataset).exists()
    assert client.get(reverse("opendata:dataset", args=["terbuka"])).status_code == 404


def test_a_draft_never_submitted_may_change_access_freely(province):
    dataset = make_dataset(province, slug="draf", access="restricted")
    services.dataset_update(actor=province.producer_diskominfo, dataset=dataset, access="public")
    dataset.refresh_from_db()
    assert dataset.access == "public" and not models.AccessRequest.objects.exists()


# ---------------------------------------------------------------------------- defence in depth


@pytest.fixture
def public_with_hidden(province):
    """A public dataset whose published version holds a non-public column, however it got
    there (a row edited outside the services, an older version): the data layer must
    still project the column out for unprivileged readers."""
    dataset = _publish_restricted_with_hidden_nik(province, slug="bocor")
    Dataset.objects.filter(pk=dataset.pk).update(access="public")
    dataset.refresh_from_db()
    return dataset


def test_html_never_shows_a_hidden_column(client, public_with_hidden):
    page = client.get(reverse("opendata:dataset", args=["bocor"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Budi Santoso" in body and NIK not in body
    chart = client.get(reverse("opendata:chart_svg", args=["bocor"]) + "?x=nik&agg=count").content.decode()
    assert NIK not in chart
    for url in (
        reverse("opendata:datapackage", args=["bocor"]),
        reverse("opendata:dataset_dcat", args=["bocor", "ttl"]),
    ):
        body = client.get(url).content.decode()
        assert '"nik"' not in body and "Definisi nik" not in body, url


def test_api_v1_never_serves_a_hidden_column(client, public_with_hidden):
    detail = client.get("/api/v1/datasets/bocor").json()
    assert "nik" not in [c["name"] for c in detail["columns"]]
    rows = client.get("/api/v1/datasets/bocor/rows").json()
    assert rows["records"] and all("nik" not in r for r in rows["records"]) and NIK not in json.dumps(rows)
    assert client.get("/api/v1/datasets/bocor/rows", {"filters": json.dumps({"nik": NIK})}).status_code == 422
    assert client.get("/api/v1/datasets/bocor/aggregate", {"group_by": "nik"}).status_code == 422
    assert NIK not in client.get("/api/v1/datasets/bocor/download.csv").getvalue().decode()


def test_ckan_never_serves_a_hidden_column(client, public_with_hidden):
    rid = str(public_with_hidden.published_version.resource.uuid)
    result = client.get("/api/3/action/datastore_search", {"resource_id": rid}).json()["result"]
    assert "nik" not in [f["id"] for f in result["fields"]] and NIK not in json.dumps(result)
    for params in ({"fields": "nik"}, {"q": json.dumps({"nik": "6472"})}, {"sort": "nik"}):
        response = client.get("/api/3/action/datastore_search", {"resource_id": rid, **params})
        assert response.status_code == 409 and NIK not in response.content.decode(), params
    assert NIK not in client.get("/api/3/action/datastore_search", {"resource_id": rid, "q": "6472"}).content.decode()


def test_downloads_never_serve_a_hidden_column(client, public_with_hidden):
    def get(fmt: str) -> bytes:
        response = client.get(reverse("opendata:download", args=["bocor", 1, fmt]))
        assert response.status_code == 200, fmt
        return b"".join(response.streaming_content)

    for fmt in ("csv", "json"):
        body = get(fmt).decode("utf-8-sig")
        assert "Budi Santoso" in body and NIK not in body and "nik" not in body, fmt
    sheet = load_workbook(io.BytesIO(get("xlsx"))).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Budi Santoso" in cells and NIK not in cells and "nik" not in cells
    table = pq.read_table(io.BytesIO(get("parquet")))
    assert "nik" not in table.column_names and "nama" in table.column_names


def test_sql_never_reaches_a_hidden_column(client, public_with_hidden):
    rid = str(public_with_hidden.published_version.resource.uuid)
    for sql in (f'SELECT nik FROM "{rid}"', f'SELECT * FROM "{rid}"', f'SELECT max(nik) FROM "{rid}" AS t'):
        response = client.get("/api/3/action/datastore_search_sql", {"sql": sql})
        assert NIK not in response.content.decode(), sql
    star = client.get("/api/3/action/datastore_search_sql", {"sql": f'SELECT * FROM "{rid}"'}).json()
    assert star["success"] and "nik" not in [f["id"] for f in star["result"]["fields"]]


@pytest.mark.parametrize("who", ["producer_diskominfo", "steward_kaltim", "superadmin"])
def test_hidden_columns_stay_hidden_inside_restricted_data(client, province, who):
    """Issue 14 item 6 (ADR 0124): a reader granted the restricted dataset reads its other
    columns, never the one marked not publicly accessible, on any published path."""
    dataset = _publish_restricted_with_hidden_nik(province)
    rid = str(dataset.published_version.resource.uuid)
    client.force_login(getattr(province, who))
    page = client.get(reverse("opendata:dataset", args=[dataset.slug]))
    assert page.status_code == 200 and "Budi Santoso" in page.content.decode()  # authorised: the rest is there
    surfaces = [
        reverse("opendata:dataset", args=[dataset.slug]),
        reverse("opendata:chart_svg", args=[dataset.slug]) + "?x=nama&agg=count",
        reverse("opendata:datapackage", args=[dataset.slug]),
        reverse("opendata:dataset_dcat", args=[dataset.slug, "ttl"]),
        reverse("opendata:dataset_dcat", args=[dataset.slug, "jsonld"]),
        f"/api/v1/datasets/{dataset.slug}",
        f"/api/v1/datasets/{dataset.slug}/rows",
        "/api/3/action/package_show?id=" + dataset.slug,
        "/api/3/action/datastore_search?resource_id=" + rid,
        "/api/3/action/datastore_search?q=" + NIK + "&resource_id=" + rid,
    ]
    for url in surfaces:
        body = client.get(url).content.decode()
        assert NIK not in body and '"nik"' not in body and ">nik<" not in body, url
    for fmt in ("csv", "json", "xlsx"):
        response = client.get(reverse("opendata:download", args=[dataset.slug, 1, fmt]))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if fmt == "xlsx":
            sheet = load_workbook(io.BytesIO(body)).active
            body = json.dumps([list(r) for r in sheet.iter_rows(values_only=True)]).encode()
        assert NIK.encode() not in body and b"nik" not in body.lower().replace(b"nama", b""), fmt
    parquet = client.get(reverse("opendata:download", args=[dataset.slug, 1, "parquet"]))
    data = b"".join(parquet.streaming_content) if parquet.streaming else parquet.content
    assert "nik" not in pq.read_table(io.BytesIO(data)).column_names
    sql = client.get("/api/3/action/datastore_search_sql", {"sql": f'SELECT nik FROM "{rid}"'})
    assert NIK not in sql.content.decode()
    star = client.get("/api/3/action/datastore_search_sql", {"sql": f'SELECT * FROM "{rid}"'}).json()
    assert star["success"] and "nik" not in [f["id"] for f in star["result"]["fields"]]
    assert client.get(f"/api/v1/datasets/{dataset.slug}/aggregate", {"group_by": "nik"}).status_code == 422


def test_the_producer_still_sees_a_hidden_column_in_the_staff_preview(client, province):
    dataset = _publish_restricted_with_hidden_nik(province)
    client.force_login(province.producer_diskominfo)
    page = client.get(reverse("opendata:staff_version", args=[dataset.published_version_id])).content.decode()
    assert NIK in page


# ---------------------------------------------------------------------------- super admin


def test_super_admin_sees_restricted_datasets_like_a_walidata(client, province):
    dataset = _publish_restricted_with_hidden_nik(province)
    client.force_login(province.superadmin)
    assert client.get(reverse("opendata:dataset", args=[dataset.slug])).status_code == 200
    assert client.get(f"/api/v1/datasets/{dataset.slug}").status_code == 200
    assert client.get("/api/3/action/package_show", {"id": dataset.slug}).status_code == 200
    assert "Penerima bantuan" in client.get(reverse("opendata:search")).content.decode()


def test_a_column_made_public_goes_through_version_review_and_the_walidata_sees_it(client, province):
    """Widening a column is a new version: nothing changes publicly until the walidata
    publishes it, and the review page names the widened column."""
    dataset = _publish_restricted_with_hidden_nik(province)
    producer = province.producer_diskominfo
    version = services.version_upload(actor=producer, dataset=dataset, upload=upload(CITIZENS_CSV))
    version = services.columns_update(actor=producer, version=version, changes={"nik": {"is_public": True}})
    services.version_submit(actor=producer, version=version)
    assert services.widened_columns(version) == ["nik"]
    client.force_login(province.steward_kaltim)
    page = client.get(reverse("opendata:staff_version_review", args=[version.pk])).content.decode()
    assert "Akses meluas" in page and "<code>nik</code>" in page
    client.force_login(province.citizen)
    assert client.get(reverse("opendata:dataset", args=[dataset.slug])).status_code == 404


def test_staff_form_tells_the_producer_the_widening_waits(client, province):
    dataset = _publish_restricted_with_hidden_nik(province)
    client.force_login(province.producer_diskominfo)
    response = client.post(
        reverse("opendata:staff_edit", args=[dataset.pk]), _edit_form(dataset, access="public"), follow=True
    )
    body = response.content.decode()
    assert "menunggu tinjauan walidata" in body and "Menunggu tinjauan walidata" in body


def test_walidata_widening_directly_is_checked_like_an_approval(province, published):
    dataset = _publish_restricted_with_hidden_nik(province)
    with pytest.raises(ValidationError) as exc:
        services.dataset_update(actor=province.steward_kaltim, dataset=dataset, access="public")
    assert "nik" in " ".join(exc.value.messages)
    dataset.refresh_from_db()
    assert dataset.access == "restricted" and not models.AccessRequest.objects.exists()
