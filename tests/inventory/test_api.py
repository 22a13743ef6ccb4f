"""Inventory JSON API: scoping, pinned queries, 422 field paths, negative permissions."""

from __future__ import annotations

import pytest

from etam.core.models import AuditEvent
from etam.inventory.models import AccessPoint, Application, VillageConnectivity
from tests.inventory.factories import ApplicationFactory, application_fields

pytestmark = pytest.mark.django_db
BASE = "/api/v1/inventory"


def test_list_is_scoped_paginated_and_query_count_pinned(client, province, django_assert_max_num_queries):
    for i in range(30):
        ApplicationFactory(agency=province.dpmptsp, name=f"Aplikasi DPMPTSP {i:02d}")
    ApplicationFactory(agency=province.dpmptsp_smr, name="Aplikasi Samarinda")
    client.force_login(province.admin_kaltim)
    client.get(f"{BASE}/applications")
    with django_assert_max_num_queries(10):
        response = client.get(f"{BASE}/applications?q=DPMPTSP&page_size=20&page=2")
    body = response.json()
    assert response.status_code == 200 and body["count"] == 30 and len(body["results"]) == 10
    client.force_login(province.admin_samarinda)
    names = [a["name"] for a in client.get(f"{BASE}/applications").json()["results"]]
    assert names == ["Aplikasi Samarinda"]


def _post_application(client, province, **fields):
    """POST a new DPMPTSP application (SICANTIK, kind "umum" unless ``kind=None`` leaves it out)."""
    body = application_fields(
        province.dpmptsp, "agency_id", **{"name": "SICANTIK", "purpose": "Perizinan terpadu", **fields}
    )
    return client.post(f"{BASE}/applications", body, content_type="application/json")


def test_create_validation_answers_422_with_field_paths(client, province):
    client.force_login(province.admin_dpmptsp)
    response = _post_application(
        client, province, name="X", purpose="Y", url="bukan url", business_process_code="99.99"
    )
    assert response.status_code == 422
    paths = {f["path"] for f in response.json()["error"]["fields"]}
    assert {"body.url", "body.business_process_code", "body.national_application"} <= paths
    assert not Application.objects.exists()


def test_create_and_patch(client, province):
    client.force_login(province.admin_dpmptsp)
    response = _post_application(
        client, province, kind=None, datasets=["Izin terbit"], last_security_audit="2025-06-30"
    )
    assert response.status_code == 201, response.content
    app_id = response.json()["id"]
    response = client.patch(
        f"{BASE}/applications/{app_id}", {"lifecycle": "pengembangan"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    app = Application.objects.get(pk=app_id)
    assert app.lifecycle == "pengembangan" and app.datasets == ["Izin terbit"] and app.name == "SICANTIK"


def test_other_opd_cannot_patch(client, province):
    app = ApplicationFactory(agency=province.diskominfo, name="Milik Diskominfo")
    client.force_login(province.admin_dpmptsp)
    response = client.patch(f"{BASE}/applications/{app.pk}", {"name": "Diambil"}, content_type="application/json")
    assert response.status_code == 404
    app.refresh_from_db()
    assert app.name == "Milik Diskominfo"
    assert not AuditEvent.objects.filter(action__startswith="inventory.").exists()


def test_anonymous_gets_401_for_applications_but_public_connectivity(client, province):
    assert client.get(f"{BASE}/applications").status_code == 401
    assert client.get(f"{BASE}/connectivity-progress").status_code == 200
    assert client.get(f"{BASE}/national-applications").status_code == 200


def test_data_centre_and_network_link_round_trip(client, province):
    def post(path, body, status=201):
        response = client.post(f"{BASE}/{path}", body, content_type="application/json")
        assert response.status_code == status, response.content
        return response.json()

    client.force_login(province.admin_kaltim)
    kaltim = province.kaltim
    centre = post("data-centres", {"institution_id": kaltim.pk, "name": "Ruang Server", "location": "Samarinda"})
    assert centre["institution_code"] == kaltim.region_code
    assert centre["name"] == "Ruang Server" and centre["application_count"] == 0
    assert client.get(f"{BASE}/data-centres").json() == [centre]
    link_fields = {
        "institution_id": kaltim.pk,
        "name": "Tautan Kantor Gubernur",
        "endpoint_a": "Kantor Gubernur",
        "endpoint_b": "Diskominfo",
        "data_centre_id": centre["id"],
        "bandwidth_mbps": 100,
        "provider": "Telkom",
    }
    link = post("network-links", link_fields)
    assert link["institution_code"] == kaltim.region_code and link["data_centre_id"] == centre["id"]
    assert client.get(f"{BASE}/network-links").json() == [link]
    refused = post("network-links", {**link_fields, "name": ""}, status=422)
    assert [f["path"] for f in refused["error"]["fields"]] == ["body.name"]


def test_public_village_list(client):
    village = VillageConnectivity.objects.create(
        region_code="64.72.01.1001",
        name="Sungai Pinang Dalam",
        is_kelurahan=True,
        district_code="64.72.01",
        regency_code="64.72",
        coverage="4g",
        in_programme=True,
        is_demo=True,
    )
    VillageConnectivity.objects.create(
        region_code="64.03.01.2001", name="Lain", district_code="64.03.01", regency_code="64.03"
    )
    AccessPoint.objects.create(
        village=village, programme="internet_desa", provider="Telkom", technology="vsat", bandwidth_mbps=50
    )
    response = client.get(f"{BASE}/villages?regency_code=64.72")
    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "64.72.01.1001",
            "name": "Sungai Pinang Dalam",
            "kelurahan": True,
            "coverage": "4g",
            "active_access_points": 1,
            "in_programme": True,
            "demo": True,
        }
    ]
