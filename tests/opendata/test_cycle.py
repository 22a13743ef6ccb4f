"""The data cycle: upload with errors, fix, submit, return, publish; immutability; audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from etam.core.models import AuditEvent
from etam.opendata import services
from etam.opendata.models import ColumnSpec, DatasetVersion, FrozenError, Resource
from tests.opendata.conftest import POPULATION_CSV, describe_columns, make_dataset, submitted_upload, upload

pytestmark = pytest.mark.django_db

BROKEN_CSV = (
    "kode_wilayah;nama;tahun;penduduk;luas_km2\n"
    "64.01;Kabupaten Paser;2024;309.667;10.780,677\n"
    "64.99;Kabupaten Khayalan;2024;12;1,5\n"
    "64.72;Kota Samarinda;20x4;865.202;718,000\n"
    "64.71;Kota Balikpapan;2024;banyak;512,000\n"
)


def test_produsen_uploads_with_errors_fixes_submits_and_walidata_publishes(province):
    producer, steward = province.producer_diskominfo, province.steward_kaltim
    dataset = make_dataset(province)
    version = services.version_upload(actor=producer, dataset=dataset, upload=upload(POPULATION_CSV))
    types = {c.name: (c.type, c.number_format, c.reference) for c in version.columns.all()}
    assert types["kode_wilayah"] == ("string", "plain", "kode_wilayah")
    assert types["tahun"] == ("year", "plain", "")
    assert types["penduduk"] == ("integer", "id", "")
    assert types["luas_km2"] == ("number", "id", "")
    assert version.validation == "valid" and version.row_count == 4

    # A corrected upload with errors in the same open version: every error reported, nothing stored.
    version = services.version_upload(actor=producer, dataset=dataset, upload=upload(BROKEN_CSV))
    assert version.validation == "invalid"
    assert not Resource.objects.filter(version=version).exists()
    errors = {(e["row"], e["column"], e["rule"]) for e in version.error_summary["first"]}
    assert errors == {(3, "kode_wilayah", "reference"), (4, "tahun", "type"), (5, "penduduk", "type")}
    assert version.error_count == 3
    assert "Kemendagri" in next(e["message"] for e in version.error_summary["first"] if e["row"] == 3)
    assert version.error_file.read().decode("utf-8-sig").count("\n") == 4  # header + every error
    with pytest.raises(ValidationError):
        services.version_submit(actor=producer, version=version)

    version = services.version_upload(
        actor=producer, dataset=dataset, upload=upload(POPULATION_CSV), change_note="Rilis"
    )
    # The walidata's standard check already refuses the submission: every column needs a definition.
    with pytest.raises(ValidationError) as refused:
        services.version_submit(actor=producer, version=version)
    assert any("kode_wilayah" in m for m in refused.value.messages)
    version.refresh_from_db()
    assert version.status == "draft"
    assert not AuditEvent.objects.filter(action="opendata.version_submit").exists()

    version = describe_columns(version, producer)
    services.version_submit(actor=producer, version=version)
    services.version_return(actor=steward, version=version, comment="Periksa angka luas wilayah")
    version.refresh_from_db()
    assert version.status == "returned" and version.review_comment == "Periksa angka luas wilayah"
    services.version_submit(actor=producer, version=version)
    services.version_publish(actor=steward, version=version)
    dataset.refresh_from_db()
    assert dataset.published_version_id == version.pk
    actions = list(AuditEvent.objects.filter(object_type__startswith="opendata").values_list("action", flat=True))
    for action in (
        "opendata.dataset_create",
        "opendata.version_upload",
        "opendata.version_validate",
        "opendata.columns_update",
        "opendata.version_submit",
        "opendata.version_return",
        "opendata.version_publish",
    ):
        assert action in actions


def test_published_version_is_immutable_and_new_upload_is_a_new_version(province, published):
    dataset = published()
    first = dataset.published_version
    first.change_note = "diubah"
    with pytest.raises(FrozenError):
        first.save()
    with pytest.raises(FrozenError):
        ColumnSpec.objects.filter(version=first).first().save()
    second = services.version_upload(
        actor=province.producer_diskominfo, dataset=dataset, upload=upload(POPULATION_CSV), change_note="Koreksi"
    )
    assert second.number == 2 and second.pk != first.pk
    # The data dictionary carries over from the published version.
    assert ColumnSpec.objects.get(version=second, name="penduduk").definition == "Definisi penduduk"
    services.version_submit(actor=province.producer_diskominfo, version=second)
    services.version_publish(actor=province.steward_kaltim, version=second)
    dataset.refresh_from_db()
    assert dataset.published_version.number == 2
    assert DatasetVersion.objects.get(pk=first.pk).status == "published"
    assert Resource.objects.filter(version=first).exists()


def test_user_corrects_types_and_rules_then_revalidates(province):
    producer = province.producer_diskominfo
    dataset = make_dataset(province)
    version = services.version_upload(actor=producer, dataset=dataset, upload=upload(POPULATION_CSV))
    version = services.columns_update(
        actor=producer, version=version, changes={"penduduk": {"maximum": 800000, "required": True}}
    )
    assert version.validation == "invalid"
    rows = {(e["row"], e["rule"]) for e in version.error_summary["first"]}
    assert rows == {(3, "maximum"), (4, "maximum")}


@pytest.mark.parametrize(
    "who",
    ["citizen", "officer_dpmptsp", "admin_kaltim", "steward_kaltim", "coordinator_kaltim"],
)
def test_only_the_producer_of_the_opd_drafts(province, who):
    dataset = make_dataset(province)
    before = (DatasetVersion.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied):
        services.version_upload(actor=getattr(province, who), dataset=dataset, upload=upload(POPULATION_CSV))
    assert (DatasetVersion.objects.count(), AuditEvent.objects.count()) == before


def test_producer_of_another_opd_cannot_create(province):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        make_dataset(province, agency=province.dpmptsp, actor=province.producer_diskominfo)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("who", ["producer_diskominfo", "admin_kaltim", "admin_samarinda", "citizen"])
def test_only_walidata_publishes(province, who):
    producer = province.producer_diskominfo
    dataset = make_dataset(province)
    version = submitted_upload(producer, dataset)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.version_publish(actor=getattr(province, who), version=version)
    with pytest.raises(PermissionDenied):
        services.version_return(actor=getattr(province, who), version=version, comment="x")
    version.refresh_from_db()
    dataset.refresh_from_db()
    assert version.status == "submitted" and dataset.published_version_id is None
    assert AuditEvent.objects.count() == before


def test_walidata_of_another_instansi_cannot_publish(province):
    from tests.factories import StaffFactory, grant

    other = StaffFactory()
    grant(other, "walidata", province.samarinda)
    producer = province.producer_diskominfo
    dataset = make_dataset(province)
    version = submitted_upload(producer, dataset)
    with pytest.raises(PermissionDenied):
        services.version_publish(actor=other, version=version)
    version.refresh_from_db()
    assert version.status == "submitted"


def test_unknown_spatial_code_is_refused_naming_the_field(province):
    with pytest.raises(ValidationError) as exc:
        make_dataset(province, spatial_code="64.99")
    assert "spatial_code" in exc.value.message_dict
