"""Public organisations and regions API: /api/v1/organisations/..., /api/v1/regions."""

import pytest

from etam.core.models import Region
from tests.factories import AgencyFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

PEOPLE_KEYS = {"email", "phone", "full_name", "user", "users", "grants", "address"}


def all_keys(value):
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


def test_instansi_list_is_public_and_one_query(client, province, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/api/v1/organisations/instansi")
    assert response.status_code == 200
    body = response.json()
    assert [i["region_code"] for i in body] == ["64", "64.72"]
    assert body[1] == {
        "id": province.samarinda.pk,
        "name": "Pemerintah Kota Samarinda",
        "short_name": "Pemkot Samarinda",
        "kind": "kota",
        "region_code": "64.72",
    }


def test_opd_list_filters_by_instansi_and_shows_no_people(client, province, django_assert_num_queries):
    AgencyFactory(institution=province.kaltim, code="LAMA", name="Dinas Lama", is_active=False)
    for i in range(5):  # more rows, same query count
        AgencyFactory(institution=province.samarinda, code=f"OPD{i}", name=f"OPD {i}")
    with django_assert_num_queries(1):
        response = client.get("/api/v1/organisations/opd")
    body = response.json()
    assert response.status_code == 200 and len(body) == 9
    assert not all_keys(body) & PEOPLE_KEYS
    with django_assert_num_queries(1):
        kaltim = client.get(f"/api/v1/organisations/opd?institution={province.kaltim.pk}").json()
    assert [a["code"] for a in kaltim] == ["DISDIKBUD", "DISKOMINFO", "DPMPTSP"]
    assert kaltim[1]["institution"] == {"id": province.kaltim.pk, "short_name": "Pemprov Kaltim", "region_code": "64"}
    by_region = client.get("/api/v1/organisations/opd?region_code=64.72").json()
    assert {a["institution"]["region_code"] for a in by_region} == {"64.72"} and len(by_region) == 6
    with_inactive = client.get(f"/api/v1/organisations/opd?institution={province.kaltim.pk}&include_inactive=true")
    assert "LAMA" in [a["code"] for a in with_inactive.json()]
    bad = client.get("/api/v1/organisations/opd?institution=abc")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"


def test_units_of_an_opd(client, province, django_assert_num_queries):
    parent = OrgUnitFactory(agency=province.diskominfo, code="APTIKA", name="Bidang Aplikasi Informatika")
    OrgUnitFactory(agency=province.diskominfo, code="APTIKA-1", name="Seksi Tata Kelola", parent=parent)
    OrgUnitFactory(agency=province.dpmptsp, code="PELAYANAN", name="Bidang Pelayanan")
    with django_assert_num_queries(1):
        response = client.get(f"/api/v1/organisations/opd/{province.diskominfo.pk}/units")
    body = response.json()
    assert [u["code"] for u in body] == ["APTIKA", "APTIKA-1"]
    assert body[1]["parent_id"] == parent.pk and body[1]["agency_code"] == "DISKOMINFO"
    # An OPD without units: empty list; an unknown OPD: 404 in the error envelope.
    assert client.get(f"/api/v1/organisations/opd/{province.disdikbud.pk}/units").json() == []
    missing = client.get("/api/v1/organisations/opd/999999/units")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_regions_children_by_level(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/api/v1/regions?parent=64.72&level=kecamatan")
    assert response.status_code == 200
    body = response.json()
    expected = Region.objects.current().filter(parent_code="64.72", level="kecamatan").count()
    assert len(body) == expected == 10  # Samarinda's ten kecamatan
    assert all(r["parent_code"] == "64.72" and r["level"] == "kecamatan" for r in body)
    assert body == sorted(body, key=lambda r: r["code"])
    kabkota = client.get("/api/v1/regions?level=kabupaten_kota").json()
    assert len(kabkota) == 10 and {r["parent_code"] for r in kabkota} == {"64"}


def test_regions_list_only_current_rows(client, db):
    current = Region.objects.current().get(code="64.72.01")
    retired = Region.objects.create(
        code="64.72.99",
        name="Kecamatan Lama",
        level="kecamatan",
        kind="Kecamatan",
        parent_code="64.72",
        introduced_by=current.introduced_by,
        retired_by=current.introduced_by,
    )
    codes = [r["code"] for r in client.get("/api/v1/regions?parent=64.72").json()]
    assert retired.code not in codes and current.code in codes


def test_regions_unknown_level_is_422_and_unknown_parent_404(client, db):
    response = client.get("/api/v1/regions?parent=64.72&level=dusun")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert any(f["path"].endswith("level") for f in error["fields"])
    missing = client.get("/api/v1/regions?parent=99.99")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    # A desa has no children: an empty list, not an error.
    desa = Region.objects.current().filter(level="desa_kelurahan").first()
    assert client.get(f"/api/v1/regions?parent={desa.code}").json() == []
