"""The native write operations under /api/v1/datasets (issue 14): the same cycle as the CKAN actions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from etam.core.models import AuditEvent
from etam.core.tokens import api_token_create
from etam.opendata import services
from etam.opendata.models import Dataset, DatasetVersion
from tests.opendata.test_ckan_write import FIXED, WITH_MISTAKES

pytestmark = pytest.mark.django_db

DATASET = {
    "slug": "kunjungan",
    "title": "Kunjungan puskesmas per bulan",
    "description": "Jumlah kunjungan ke puskesmas per kabupaten/kota per bulan.",
    "organization": "64-diskominfo",
    "topic": "kesehatan",
    "update_frequency": "monthly",
    "contact_name": "Bidang Statistik",
    "contact_email": "statistik@kaltimprov.go.id",
    "tags": ["puskesmas"],
}
COLUMNS = [
    {"name": "kode_wilayah", "type": "text", "definition": "Kode wilayah Kemendagri"},
    {"name": "bulan", "type": "date", "definition": "Hari pertama bulan pelaporan"},
    {"name": "kunjungan", "type": "int", "definition": "Jumlah kunjungan puskesmas"},
]


def bearer(user) -> dict:
    grants = list(user.role_grants.filter(revoked_at__isnull=True))
    key = api_token_create(actor=user, name="SIMPUS", grants=grants).key
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_native_cycle_create_upload_fix_submit_publish_and_records(client, province):
    auth = bearer(province.producer_diskominfo)
    response = client.post("/api/v1/datasets/", DATASET, content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    assert response.json()["open_version"] is None
    bad = SimpleUploadedFile("k.csv", WITH_MISTAKES.encode(), content_type="text/csv")
    response = client.post("/api/v1/datasets/kunjungan/versions", {"file": bad}, **auth)
    assert response.status_code == 201 and response.json()["validation_status"] == "failure"
    response = client.put(
        "/api/v1/datasets/kunjungan/versions/1/columns", COLUMNS, content_type="application/json", **auth
    )
    assert response.status_code == 200, response.content
    report = client.get("/api/v1/datasets/kunjungan/versions/1/validation", **auth).json()
    found = {(e["rowNumber"], e["fieldName"]) for e in report["report"]["tasks"][0]["errors"]}
    assert {(3, "kode_wilayah"), (4, "kunjungan")} <= found
    good = SimpleUploadedFile("k.csv", FIXED.encode(), content_type="text/csv")
    response = client.post("/api/v1/datasets/kunjungan/versions", {"file": good}, **auth)
    assert response.json()["validation_status"] == "success" and response.json()["number"] == 1
    response = client.post("/api/v1/datasets/kunjungan/versions/1/submit", **auth)
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    services.version_publish(actor=province.steward_kaltim, version=DatasetVersion.objects.get(number=1))
    records = {
        "records": [{"kode_wilayah": "64.01", "bulan": "2024-02-01", "kunjungan": 7}],
        "primary_key": ["kode_wilayah", "bulan"],
    }
    response = client.post("/api/v1/datasets/kunjungan/records", records, content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2 and response.json()["row_count"] == 5
    response = client.patch(
        "/api/v1/datasets/kunjungan", {"title": "Kunjungan (baru)"}, content_type="application/json", **auth
    )
    assert response.status_code == 200 and response.json()["title"] == "Kunjungan (baru)"


def test_native_writes_refuse_another_opd_and_bad_records_changing_nothing(client, province, published):
    dataset = published()  # Diskominfo's
    other = bearer(province.admin_dpmptsp)  # no produsen grant
    before = (AuditEvent.objects.count(), DatasetVersion.objects.count())
    response = client.patch(
        f"/api/v1/datasets/{dataset.slug}", {"title": "x"}, content_type="application/json", **other
    )
    assert response.status_code == 403
    auth = bearer(province.producer_diskominfo)
    before = (AuditEvent.objects.count(), DatasetVersion.objects.count())
    bad = {"records": [{"kode_wilayah": "64.01", "penduduk": "banyak", "warna": "merah"}], "method": "insert"}
    response = client.post(f"/api/v1/datasets/{dataset.slug}/records", bad, content_type="application/json", **auth)
    assert response.status_code == 422
    paths = {f["path"] for f in response.json()["error"]["fields"]}
    assert {"body.fields", "body.warna", "body.penduduk", "body.records"} <= paths
    assert (AuditEvent.objects.count(), DatasetVersion.objects.count()) == before
    assert Dataset.objects.get(pk=dataset.pk).title == dataset.title
    response = client.post("/api/v1/datasets/", DATASET, content_type="application/json")
    assert response.status_code == 401
