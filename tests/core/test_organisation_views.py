"""Staff pages for instansi, OPDs and units: rendering, bad input, permissions, query counts."""

import pytest
from django.urls import reverse

from etam.core.models import Agency, AuditEvent, OrgUnit
from tests.factories import AgencyFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_agency_list_shows_only_visible_opds(province, as_user):
    client = as_user(province.admin_kaltim)
    response = client.get(reverse("core:agency_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dinas Komunikasi dan Informatika" in body
    assert "Kota Samarinda" not in body  # Samarinda's OPD is not listed for the Kaltim admin
    assert 'lang="id"' in body


def test_agency_list_query_count_is_pinned(province, as_user, django_assert_num_queries):
    client = as_user(province.superadmin)
    client.get(reverse("core:agency_list"))  # warm the session
    # session, user, grants, instansi, OPDs (with unit counts)
    with django_assert_num_queries(5):
        client.get(reverse("core:agency_list"))
    for i in range(10):
        AgencyFactory(institution=province.kaltim, code=f"EXTRA{i}")
        OrgUnitFactory(agency=province.dpmptsp, code=f"U-{i}")
    with django_assert_num_queries(5):
        response = client.get(reverse("core:agency_list"))
    assert response.content.decode().count("<td>EXTRA") == 10


def test_agency_detail_query_count_does_not_grow_with_units(province, as_user, django_assert_num_queries):
    client = as_user(province.admin_dpmptsp)
    url = reverse("core:agency_detail", args=[province.dpmptsp.pk])
    client.get(url)
    with django_assert_num_queries(6):
        client.get(url)
    parent = OrgUnitFactory(agency=province.dpmptsp, code="INDUK")
    for i in range(8):
        OrgUnitFactory(agency=province.dpmptsp, code=f"ANAK{i}", parent=parent)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count("<td>ANAK") == 8


def _opd_form(province, **typed):
    """The OPD form as a browser posts it: Bappeda of the province, with ``typed`` over it."""
    return {
        "institution": province.kaltim.pk,
        "code": "bappeda",
        "name": "Badan Perencanaan Pembangunan Daerah",
        "kind": "badan",
        "email": "",
        "phone": "(0541) 741233",
        "address": "",
        **typed,
    }


def test_create_opd_through_the_form(province, as_user):
    client = as_user(province.admin_kaltim)
    response = client.post(reverse("core:agency_create"), _opd_form(province))
    agency = Agency.objects.get(institution=province.kaltim, code="BAPPEDA")
    assert response.status_code == 302
    assert response.url == reverse("core:agency_detail", args=[agency.pk])
    assert AuditEvent.objects.filter(action="core.agency_create").count() == 1


def test_duplicate_opd_code_comes_back_with_the_typed_values_and_an_indonesian_message(province, as_user):
    client = as_user(province.admin_kaltim)
    typed = {"code": "Diskominfo", "name": "Nama yang diketik", "kind": "dinas", "email": "bukan-email"}
    response = client.post(
        reverse("core:agency_create"), _opd_form(province, **typed, phone="12", address="Jl. Gajah Mada 2")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kode OPD: DISKOMINFO sudah dipakai OPD lain" in body
    assert "Email:" in body and "Telepon:" in body
    for typed in (
        'value="Diskominfo"',
        'value="Nama yang diketik"',
        'value="bukan-email"',
        'value="12"',
        'value="Jl. Gajah Mada 2"',
    ):
        assert typed in body
    assert 'aria-invalid="true"' in body
    assert Agency.objects.filter(code="DISKOMINFO").count() == 1
    assert not AuditEvent.objects.exists()


def test_unknown_region_code_on_the_instansi_form(province, as_user):
    client = as_user(province.superadmin)
    response = client.post(
        reverse("core:institution_edit", args=[province.samarinda.pk]),
        {"region_code": "64.99", "name": "Pemerintah Kota Samarinda", "short_name": "Pemkot Samarinda", "kind": "kota"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kode wilayah 64.99 tidak ada" in body
    assert 'value="64.99"' in body
    province.samarinda.refresh_from_db()
    assert province.samarinda.region_code == "64.72"


def test_institution_admin_cannot_change_region_code_through_the_form(province, as_user):
    client = as_user(province.admin_samarinda)
    url = reverse("core:institution_edit", args=[province.samarinda.pk])
    page = client.get(url).content.decode()
    assert 'name="region_code"' in page and "disabled" in page
    # A forged POST cannot move the instansi either: the disabled field keeps its value.
    client.post(
        url, {"region_code": "64.71", "name": "Pemkot Samarinda Baru", "short_name": "Pemkot Samarinda", "kind": "kota"}
    )
    province.samarinda.refresh_from_db()
    assert (province.samarinda.region_code, province.samarinda.name) == ("64.72", "Pemkot Samarinda Baru")


def test_agency_admin_edit_form_locks_the_code(province, as_user):
    client = as_user(province.admin_dpmptsp)
    url = reverse("core:agency_edit", args=[province.dpmptsp.pk])
    response = client.post(url, {"code": "HACKED", "name": "DPMPTSP Kaltim", "kind": "dinas", "phone": "0541 200000"})
    assert response.status_code == 302
    province.dpmptsp.refresh_from_db()
    assert province.dpmptsp.code == "DPMPTSP"
    assert province.dpmptsp.phone == "+62541200000"


def test_units_create_and_edit(province, as_user):
    client = as_user(province.admin_dpmptsp)
    response = client.post(
        reverse("core:unit_create", args=[province.dpmptsp.pk]),
        {"code": "PELAYANAN", "name": "Bidang Pelayanan", "parent": ""},
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="PELAYANAN")
    response = client.post(reverse("core:unit_edit", args=[unit.pk]), {"code": "", "name": "", "parent": ""})
    body = response.content.decode()
    assert "Kode unit:" in body and "Nama:" in body
    unit.refresh_from_db()
    assert unit.name == "Bidang Pelayanan"


def test_deactivate_through_the_page(province, as_user):
    client = as_user(province.admin_kaltim)
    response = client.post(reverse("core:agency_status", args=[province.disdikbud.pk]), {"active": "0"})
    assert response.status_code == 302
    province.disdikbud.refresh_from_db()
    assert not province.disdikbud.is_active


def test_status_change_needs_post(province, as_user):
    client = as_user(province.admin_kaltim)
    assert client.get(reverse("core:agency_status", args=[province.disdikbud.pk])).status_code == 405


def test_anonymous_is_sent_to_sign_in(client, province):
    response = client.get(reverse("core:agency_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_super_admin_registers_an_instansi_and_bad_codes_are_named(province, as_user):
    client = as_user(province.superadmin)
    url = reverse("core:institution_create")
    response = client.post(
        url, {"region_code": "64.72.01", "name": "Kecamatan Palaran", "short_name": "Palaran", "kind": "kota"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kode wilayah 64.72.01 bukan tingkat wilayah" in body and 'value="Kecamatan Palaran"' in body
    response = client.post(
        url, {"region_code": "64.71", "name": "Pemerintah Kota Balikpapan", "short_name": "Pemkot BPN", "kind": "kota"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.get().action == "core.institution_create"


def test_only_the_super_admin_registers_an_instansi(province, as_user):
    client = as_user(province.admin_kaltim)
    assert client.get(reverse("core:institution_create")).status_code == 403
    response = client.post(
        reverse("core:institution_create"),
        {"region_code": "64.71", "name": "Pemerintah Kota Balikpapan", "short_name": "Pemkot BPN", "kind": "kota"},
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()
