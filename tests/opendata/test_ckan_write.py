"""The CKAN write actions, driven by the official ckanapi client against a live server (issue 14).

An OPD system, with a token issued by ``manage.py issue_token``, creates a dataset, uploads
a file with mistakes, reads ``resource_validation_show``, uploads the fix and submits; the
walidata publishes; the system appends a month with ``datastore_upsert``, which becomes a
new version that goes through review again.
"""

from __future__ import annotations

import io

import ckanapi
import pytest
from django.core.management import call_command

from etam.core.models import AuditEvent
from etam.opendata import services
from etam.opendata.models import Dataset, DatasetVersion

pytestmark = pytest.mark.django_db

WITH_MISTAKES = (
    "kode_wilayah;bulan;kunjungan\n"
    "64.01;2024-01-01;120\n"
    "64.99;2024-01-01;80\n"  # row 3: not a Kemendagri region code
    "64.72;2024-01-01;banyak\n"  # row 4: a word in a column of numbers
    "64.71;2024-01-01;95\n"
)
FIXED = (
    "kode_wilayah;bulan;kunjungan\n"
    "64.01;2024-01-01;120\n64.02;2024-01-01;80\n64.72;2024-01-01;310\n64.71;2024-01-01;95\n"
)
FIELDS = [
    {"id": "kode_wilayah", "type": "text", "info": {"label": "Kode wilayah", "notes": "Kode wilayah Kemendagri"}},
    {"id": "bulan", "type": "date", "info": {"label": "Bulan", "notes": "Hari pertama bulan pelaporan"}},
    {"id": "kunjungan", "type": "int", "info": {"label": "Kunjungan", "notes": "Jumlah kunjungan puskesmas"}},
]


def issue_token(email: str) -> str:
    out = io.StringIO()
    call_command("issue_token", email, "--name", "SIMPUS", stdout=out, stderr=io.StringIO())
    return next(line.split(": ", 1)[1] for line in out.getvalue().splitlines() if line.startswith("token: "))


def csv_file(text: str, name: str = "kunjungan.csv") -> io.BytesIO:
    handle = io.BytesIO(text.encode("utf-8"))
    handle.name = name
    return handle


def errors_of(validation: dict) -> set[tuple]:
    task = validation["report"]["tasks"][0]
    return {(e["rowNumber"], e["fieldName"], e["type"]) for e in task["errors"]}


@pytest.fixture
def system_key(province) -> str:
    return issue_token(province.producer_diskominfo.email)


def create_package(ckan, name: str = "kunjungan-puskesmas", owner_org: str = "64-diskominfo", **extra) -> dict:
    return ckan.action.package_create(
        name=name,
        title="Kunjungan puskesmas per bulan",
        notes="Jumlah kunjungan ke puskesmas per kabupaten/kota per bulan.",
        owner_org=owner_org,
        maintainer="Bidang Statistik",
        maintainer_email="statistik@kaltimprov.go.id",
        groups=[{"name": "kesehatan"}],
        tags=[{"name": "puskesmas"}],
        extras=[{"key": "accrualPeriodicity", "value": "monthly"}, {"key": "id_mskeg", "value": "6400-123"}],
        **extra,
    )


def test_an_opd_system_publishes_and_appends_a_month_through_review(live_server, province, system_key):
    steward = province.steward_kaltim
    with ckanapi.RemoteCKAN(live_server.url, apikey=system_key, user_agent="simpus/1.0") as ckan:
        assert [o["name"] for o in ckan.action.organization_list_for_user()] == ["64-diskominfo"]
        package = create_package(ckan)
        assert package["name"] == "kunjungan-puskesmas" and package["resources"] == []
        assert package["private"] is False and package["groups"][0]["name"] == "kesehatan"

        # A file with mistakes: stored as the open version, reported in ckanext-validation's shape.
        resource = ckan.action.resource_create(package_id=package["id"], upload=csv_file(WITH_MISTAKES))
        assert resource["validation_status"] == "failure" and resource["datastore_active"] is False
        validation = ckan.action.resource_validation_show(resource_id=resource["id"])
        assert validation["status"] == "failure" and validation["report"]["valid"] is False
        assert (3, "kode_wilayah", "constraint-error") in errors_of(validation)
        error = next(e for e in validation["report"]["tasks"][0]["errors"] if e["rowNumber"] == 3)
        assert error["fieldNumber"] == 1 and error["cell"] == "64.99" and error["message"]

        # The data dictionary (CKAN's fields with info) declares kunjungan a whole number: the word is reported too.
        ckan.action.datastore_create(resource_id=resource["id"], fields=FIELDS)
        validation = ckan.action.resource_validation_show(resource_id=resource["id"])
        assert {(3, "kode_wilayah", "constraint-error"), (4, "kunjungan", "type-error")} <= errors_of(validation)

        # The fix, to the same resource: valid; then submitted for review.
        fixed = ckan.action.resource_update(id=resource["id"], upload=csv_file(FIXED))
        assert fixed["id"] == resource["id"] and fixed["validation_status"] == "success"
        assert ckan.action.resource_validation_show(resource_id=resource["id"])["report"]["tasks"][0]["errors"] == []
        submitted = ckan.action.etam_version_submit(id=resource["id"])
        assert submitted["etam_status"] == "submitted"

    first = DatasetVersion.objects.get(dataset__slug="kunjungan-puskesmas", number=1)
    services.version_publish(actor=steward, version=first)

    with ckanapi.RemoteCKAN(live_server.url, user_agent="warga/1.0") as public:
        shown = public.action.package_show(id="kunjungan-puskesmas")
        assert [r["id"] for r in shown["resources"]] == [resource["id"]]
        assert public.action.resource_show(id=resource["id"])["validation_status"] == "success"

    # The next month: upserted records make version 2 holding every row; one row is corrected.
    february = [
        {"kode_wilayah": "64.01", "bulan": "2024-02-01", "kunjungan": 130},
        {"kode_wilayah": "64.72", "bulan": "2024-02-01", "kunjungan": 305},
        {"kode_wilayah": "64.72", "bulan": "2024-01-01", "kunjungan": 311},
    ]
    with ckanapi.RemoteCKAN(live_server.url, apikey=system_key, user_agent="simpus/1.0") as ckan:
        result = ckan.action.datastore_upsert(
            resource_id=resource["id"], records=february, primary_key=["kode_wilayah", "bulan"], method="upsert"
        )
        assert result["version"] == 2 and result["total"] == 6 and result["validation_status"] == "success"
        assert result["resource_id"] != resource["id"]
        second = DatasetVersion.objects.get(dataset__slug="kunjungan-puskesmas", number=2)
        assert second.status == "draft"
        assert Dataset.objects.get(slug="kunjungan-puskesmas").published_version_id == first.pk
        assert ckan.action.etam_version_submit(id=result["resource_id"])["etam_status"] == "submitted"

    services.version_publish(actor=steward, version=second)
    with ckanapi.RemoteCKAN(live_server.url, user_agent="warga/1.0") as public:
        rows = public.action.datastore_search(resource_id=result["resource_id"], sort="_id", limit=100)["records"]
    assert [(r["kode_wilayah"], r["bulan"][:10], r["kunjungan"]) for r in rows] == [
        ("64.01", "2024-01-01", 120),
        ("64.02", "2024-01-01", 80),
        ("64.72", "2024-01-01", 311),
        ("64.71", "2024-01-01", 95),
        ("64.01", "2024-02-01", 130),
        ("64.72", "2024-02-01", 305),
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"core.api_token_create", "opendata.dataset_create", "opendata.version_upload"} <= actions
    assert {"opendata.columns_update", "opendata.version_submit", "opendata.version_publish"} <= actions


# ---------------------------------------------------------------------------- bad input


@pytest.fixture
def state():
    """What a refused call must leave unchanged: the datasets, versions and audit trail."""

    def snapshot() -> tuple:
        return (
            list(Dataset.objects.order_by("pk").values_list("pk", "slug", "title", "access")),
            list(DatasetVersion.objects.order_by("pk").values_list("pk", "status", "validation", "source_name")),
            AuditEvent.objects.count(),
        )

    return snapshot


def refused(call, error_class, state) -> dict:
    before = state()
    with pytest.raises(error_class) as caught:
        call()
    assert state() == before, "a refused call changed something"
    return caught.value.error_dict if hasattr(caught.value, "error_dict") else caught.value.args[0]


@pytest.fixture
def published_dataset(province, live_server, system_key):
    with ckanapi.RemoteCKAN(live_server.url, apikey=system_key) as ckan:
        package = create_package(ckan, name="terbit")
        resource = ckan.action.resource_create(package_id=package["id"], upload=csv_file(FIXED))
        ckan.action.datastore_create(resource_id=resource["id"], fields=FIELDS)
        ckan.action.etam_version_submit(id=resource["id"])
    services.version_publish(actor=province.steward_kaltim, version=DatasetVersion.objects.get(dataset__slug="terbit"))
    return package, resource


def test_a_wrong_token_is_refused_naming_the_header(live_server, province, state):
    with ckanapi.RemoteCKAN(live_server.url, apikey="etam_bukan-token-yang-benar") as ckan:
        error = refused(lambda: create_package(ckan), ckanapi.NotAuthorized, state)
    assert error["__type"] == "Authorization Error" and "Authorization" in error


def test_writes_need_a_token_not_a_session(client, province, state):
    client.force_login(province.producer_diskominfo)
    before = state()
    response = client.post(
        "/api/3/action/package_patch", data={"id": "x", "title": "y"}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["error"]["__type"] == "Authorization Error"
    assert "Authorization" in response.json()["error"] and state() == before


def test_a_dataset_of_another_opd_is_refused(live_server, province, system_key, state):
    other = services.dataset_create(
        actor=province.superadmin,
        agency=province.dpmptsp,
        slug="izin",
        title="Izin terbit",
        description="Izin usaha terbit per bulan.",
        topic="ekonomi",
        contact_name="DPMPTSP",
        contact_email="dpmptsp@kaltimprov.go.id",
    )
    with ckanapi.RemoteCKAN(live_server.url, apikey=system_key) as ckan:
        error = refused(lambda: ckan.action.package_patch(id="izin", title="Diubah"), ckanapi.NotAuthorized, state)
        assert error["__type"] == "Authorization Error" and "id" in error
        error = refused(
            lambda: ckan.action.resource_create(package_id=str(other.uuid), upload=csv_file(FIXED)),
            ckanapi.NotAuthorized,
            state,
        )
        assert "package_id" in error
        error = refused(
            lambda: create_package(ckan, name="milik-dpmptsp", owner_org="64-dpmptsp"), ckanapi.NotAuthorized, state
        )
        assert "owner_org" in error


def test_a_published_version_is_not_edited(live_server, system_key, published_dataset, state):
    _package, resource = published_dataset
    with ckanapi.RemoteCKAN(live_server.url, apikey=system_key) as ckan:
        error = refused(
            lambda: ckan.action.resource_update(id=resource["id"], upload=csv_file(FIXED)),
            ckanapi.ValidationError,
            state,
        )
        assert error["__type"] == "Validation Error" and "id" in error
        error = refused(
            lambda: ckan.action.datastore_create(resource_id=resource["id"], fields=FIELDS),
            ckanapi.ValidationError,
            state,
        )
        assert "resource_id" in error


def test_datastore_upsert_refuses_an_unknown_field_and_a_record_of_the_wrong_type(
    live_server, system_key, published_dataset, state
):
    _package, resource = published_dataset
    key = ["kode_wilayah", "bulan"]
    with ckanapi.RemoteCKAN(live_server.url, apikey=system_key) as ckan:
        unknown = [{"kode_wilayah": "64.01", "bulan": "2024-02-01", "kunjungan": 1, "pasien": 3}]
        error = refused(
            lambda: ckan.action.datastore_upsert(resource_id=resource["id"], records=unknown, primary_key=key),
            ckanapi.ValidationError,
            state,
        )
        assert "pasien" in error and "pasien" in error["fields"][0]
        wrong = [{"kode_wilayah": "64.01", "bulan": "2024-02-30", "kunjungan": "banyak"}]
        error = refused(
            lambda: ckan.action.datastore_upsert(resource_id=resource["id"], records=wrong, primary_key=key),
            ckanapi.ValidationError,
            state,
        )
        assert "kunjungan" in error and "bulan" in error and len(error["records"]) == 2
        error = refused(
            lambda: ckan.action.datastore_upsert(resource_id=resource["id"], records=[{"kunjungan": 1}]),
            ckanapi.ValidationError,
            state,
        )
        assert "primary_key" in error


def test_resource_create_never_fetches_a_url(live_server, system_key, state):
    with ckanapi.RemoteCKAN(live_server.url, apikey=system_key) as ckan:
        package = create_package(ckan, name="tautan")
        error = refused(
            lambda: ckan.action.resource_create(package_id=package["id"], url="http://169.254.169.254/latest/"),
            ckanapi.ValidationError,
            state,
        )
        assert "url" in error
        error = refused(lambda: ckan.action.resource_create(package_id=package["id"]), ckanapi.ValidationError, state)
        assert "upload" in error


def test_widening_access_through_package_patch_goes_to_walidata_review(
    live_server, province, system_key, published_dataset
):
    package, _resource = published_dataset
    with ckanapi.RemoteCKAN(live_server.url, apikey=system_key) as ckan:
        ckan.action.package_patch(id=package["id"], private=True)
        assert Dataset.objects.get(slug="terbit").access == "restricted"  # narrowing applies at once
        patched = ckan.action.package_patch(id=package["id"], private=False, title="Kunjungan (diperbarui)")
    assert patched["private"] is True and patched["etam_access_request"] == "public"
    dataset = Dataset.objects.get(slug="terbit")
    assert dataset.access == "restricted" and dataset.title == "Kunjungan (diperbarui)"
    assert AuditEvent.objects.filter(action="opendata.access_request").count() == 1


def test_package_update_requires_the_whole_entry_and_unknown_fields_are_named(live_server, system_key, state):
    with ckanapi.RemoteCKAN(live_server.url, apikey=system_key) as ckan:
        package = create_package(ckan, name="lengkap")
        error = refused(
            lambda: ckan.action.package_update(id=package["id"], title="Saja"), ckanapi.ValidationError, state
        )
        assert "name" in error and "notes" in error
        error = refused(lambda: ckan.action.package_patch(id=package["id"], judul="x"), ckanapi.ValidationError, state)
        assert "judul" in error
        shown = dict(package, title="Judul baru")
        assert ckan.action.package_update(**shown)["title"] == "Judul baru"


def test_issue_token_command_refuses_an_unknown_email_and_a_grant_not_held(province):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="email"):
        call_command("issue_token", "tidak.ada@example.id", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("issue_token", province.producer_diskominfo.email, "--grant", "999999", stdout=io.StringIO())
    out = io.StringIO()
    call_command("issue_token", province.producer_diskominfo.email, "--expires", "2099-06-30", stdout=out)
    assert "2099-06-30" in out.getvalue() and out.getvalue().startswith("token: etam_")


def test_the_four_planted_mistakes_are_all_found_through_ckanapi_with_default_settings(live_server, system_key):
    """Issue 14's "done when": with no type or rule set by the producer, the report names every
    planted mistake (a code missing from the reference table, a blank in a column every row
    fills, a word in a column of numbers, a date that does not exist) and nothing else."""
    from tests.opendata.test_inference import csv_bytes, planted_rows

    header, rows, planted = planted_rows()
    upload = io.BytesIO(csv_bytes(header, rows))
    upload.name = "kunjungan-puskesmas.csv"
    with ckanapi.RemoteCKAN(live_server.url, apikey=system_key, user_agent="simpus/1.0") as ckan:
        package = create_package(ckan, name="kunjungan-puskesmas-ditanam")
        resource = ckan.action.resource_create(package_id=package["id"], upload=upload)
        validation = ckan.action.resource_validation_show(resource_id=resource["id"])
    assert validation["status"] == "failure"
    errors = validation["report"]["tasks"][0]["errors"]
    assert {(e["rowNumber"], e["fieldName"]) for e in errors} == set(planted.values()), [e["message"] for e in errors]
    by_field = {e["fieldName"]: e for e in errors}
    assert "31 April 2023 tidak ada" in by_field["tanggal_laporan"]["message"]
    assert "disimpulkan" in by_field["jumlah_kunjungan"]["message"]  # the report says inference saw it
