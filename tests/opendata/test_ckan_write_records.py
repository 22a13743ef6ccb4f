"""Records for a new version: type checks, CKAN's merge methods, the CSV in each column's format (issue 14)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from etam.core.tokens import api_token_create
from etam.opendata.services.api_writes import check_records, merge_rows, rows_csv, typed_value

COLUMNS = [("kode", "string", True), ("tahun", "year", False), ("nilai", "number", False), ("tgl", "date", False)]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("integer", "12", 12),
        ("integer", 12.0, 12),
        ("number", "1.5", 1.5),
        ("year", 2024, 2024),
        ("date", "2024-02-29", datetime.date(2024, 2, 29)),
        ("boolean", "ya", True),
        ("string", 64, "64"),
        ("integer", "", None),
    ],
)
def test_values_of_the_right_type_are_read(kind, value, expected):
    assert typed_value(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("integer", "banyak"),
        ("integer", True),
        ("number", "1,5"),
        ("year", 24),
        ("date", "2023-04-31"),
        ("string", [1]),
    ],
)
def test_values_of_the_wrong_type_are_refused(kind, value):
    with pytest.raises(ValueError):
        typed_value(kind, value)


def test_check_records_names_unknown_fields_wrong_types_and_missing_required_values():
    with pytest.raises(ValidationError) as caught:
        check_records(COLUMNS, [{"kode": None, "tahun": "dua ribu", "warna": "x"}])
    errors = caught.value.message_dict
    assert {"fields", "warna", "tahun", "kode", "records"} <= set(errors)
    assert "warna" in errors["fields"][0]


def test_merge_methods_follow_ckan():
    base = [{"_id": 1, "kode": "a", "nilai": 1.0}, {"_id": 2, "kode": "b", "nilai": 2.0}]
    names = ["kode", "nilai"]
    upserted = merge_rows(
        base,
        [{"kode": "b", "nilai": 3.0}, {"kode": "c", "nilai": 4.0}],
        method="upsert",
        primary_key=["kode"],
        names=names,
    )
    assert [(r["kode"], r["nilai"]) for r in upserted] == [("a", 1.0), ("b", 3.0), ("c", 4.0)]
    by_id = merge_rows(base, [{"_id": 1, "kode": "z", "nilai": 9.0}], method="upsert", primary_key=[], names=names)
    assert by_id[0]["kode"] == "z" and len(by_id) == 2
    inserted = merge_rows(base, [{"kode": "b", "nilai": 3.0}], method="insert", primary_key=[], names=names)
    assert len(inserted) == 3
    with pytest.raises(ValidationError) as caught:
        merge_rows(base, [{"kode": "x", "nilai": 1.0}], method="update", primary_key=["kode"], names=names)
    assert "key" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        merge_rows(base, [{"kode": "x"}], method="upsert", primary_key=["warna"], names=names)
    assert "primary_key" in caught.value.message_dict


def test_rows_are_written_in_each_columns_own_format():
    columns = [("nilai", "number", "id", ""), ("tgl", "date", "plain", "%d/%m/%Y"), ("ok", "boolean", "plain", "")]
    content = rows_csv(columns, [{"nilai": 10780.677, "tgl": datetime.date(2024, 1, 31), "ok": True}, {}])
    assert content.decode() == "nilai;tgl;ok\n10780,677;31/01/2024;true\n;;\n"


@pytest.mark.django_db
def test_validation_of_a_queued_upload_reads_created_without_a_report(client, province, settings):
    from tests.opendata.test_ckan_write import FIXED
    from tests.opendata.test_ckan_write_native import DATASET

    settings.OPENDATA_INLINE_VALIDATION_BYTES = 0
    producer = province.producer_diskominfo
    key = api_token_create(actor=producer, name="t", grants=list(producer.role_grants.all())).key
    auth = {"HTTP_AUTHORIZATION": key}
    assert (
        client.post(
            "/api/v1/datasets/", DATASET, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        ).status_code
        == 201
    )
    upload = SimpleUploadedFile("k.csv", FIXED.encode(), content_type="text/csv")
    body = client.post("/api/3/action/resource_create", {"package_id": "kunjungan", "upload": upload}, **auth).json()
    assert body["success"] and body["result"]["validation_status"] == "created"
    shown = client.get("/api/3/action/resource_validation_show", {"resource_id": body["result"]["id"]}, **auth).json()
    assert shown["result"]["status"] == "created" and shown["result"]["report"] is None
    anonymous = client.get("/api/3/action/resource_validation_show", {"resource_id": body["result"]["id"]})
    assert anonymous.status_code == 403 and "resource_id" in anonymous.json()["error"]
    get_write = client.get("/api/3/action/package_patch", {"id": "kunjungan", "title": "x"}, **auth)
    assert get_write.status_code == 405
    assert json.loads(get_write.content)["success"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"[", b"\xff\xfe"])
def test_an_unreadable_upload_is_a_field_error_not_a_server_error(client, province, content):
    """Found by the fuzzer: a file of a few bytes with no line end reached pyarrow's ArrowInvalid."""
    from tests.opendata.test_ckan_write_native import DATASET, bearer

    auth = bearer(province.producer_diskominfo)
    assert client.post("/api/v1/datasets/", DATASET, content_type="application/json", **auth).status_code == 201
    upload = SimpleUploadedFile("file", content)
    response = client.post("/api/v1/datasets/kunjungan/versions", {"file": upload}, **auth)
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["path"] == "body.file"
    response = client.post("/api/3/action/package_update", data=b"p\xff\xfe", content_type="application/json", **auth)
    assert response.status_code == 409 and response.json()["error"]["__type"] == "Validation Error"
