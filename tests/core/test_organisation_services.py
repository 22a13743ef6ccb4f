"""Services for instansi, OPD and units: permission, validation, one audit event each."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from etam.core import services
from etam.core.models import Agency, AuditEvent, Institution, OrgUnit, Region
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(db):
    """The Kaltim kode wilayah tree is loaded into every test database (tests/conftest.py)."""
    assert Region.objects.current().filter(code__in=["64", "64.71", "64.72", "64.72.01"]).count() == 4


def one_event(action):
    events = list(AuditEvent.objects.all())
    assert len(events) == 1, [e.action for e in events]
    assert events[0].action == action
    return events[0]


# --- instansi -------------------------------------------------------------------------


def test_super_admin_creates_an_institution_with_one_event(province, regions):
    institution = services.institution_create(
        actor=province.superadmin,
        region_code="64.71",
        name="Pemerintah Kota Balikpapan",
        short_name="Pemkot BPN",
        kind=Institution.Kind.CITY,
    )
    event = one_event("core.institution_create")
    assert event.institution_id == institution.pk
    assert event.changes["after"]["region_code"] == "64.71"


@pytest.mark.parametrize(
    ("code", "error_code"),
    [("64.99", "unknown_region"), ("64.72.01", "wrong_region_level"), ("64.72", "duplicate"), ("", "required")],
)
def test_institution_region_code_is_checked(province, regions, code, error_code):
    with pytest.raises(ValidationError) as exc:
        services.institution_create(
            actor=province.superadmin, region_code=code, name="X", short_name="X", kind=Institution.Kind.CITY
        )
    assert [e.code for e in exc.value.error_dict["region_code"]] == [error_code]
    assert not AuditEvent.objects.exists()


def test_unknown_region_message_is_indonesian_and_names_the_field(province, regions):
    with translation.override("id"), pytest.raises(ValidationError) as exc:
        services.institution_update(
            actor=province.superadmin, institution=province.samarinda, changes={"region_code": "64.99"}
        )
    message = exc.value.message_dict["region_code"][0]
    assert "Kode wilayah" in message and "64.99" in message


def test_institution_admin_renames_own_institution_but_not_its_region_code(province, regions):
    services.institution_update(
        actor=province.admin_samarinda, institution=province.samarinda, changes={"short_name": "Pemkot SMD"}
    )
    one_event("core.institution_update")
    with pytest.raises(PermissionDenied):
        services.institution_update(
            actor=province.admin_samarinda, institution=province.samarinda, changes={"region_code": "64.71"}
        )
    province.samarinda.refresh_from_db()
    assert province.samarinda.region_code == "64.72"
    assert AuditEvent.objects.count() == 1


def test_institution_admin_cannot_create_institutions(province, regions):
    with pytest.raises(PermissionDenied):
        services.institution_create(
            actor=province.admin_kaltim, region_code="64.71", name="X", short_name="X", kind=Institution.Kind.CITY
        )
    assert not Institution.objects.filter(region_code="64.71").exists()
    assert not AuditEvent.objects.exists()


def test_unchanged_update_writes_no_event(province):
    services.institution_update(
        actor=province.admin_kaltim, institution=province.kaltim, changes={"name": province.kaltim.name}
    )
    assert not AuditEvent.objects.exists()


# --- OPD ------------------------------------------------------------------------------


def test_institution_admin_creates_an_opd_with_one_event(province):
    agency = services.agency_create(
        actor=province.admin_kaltim,
        institution=province.kaltim,
        code=" bappeda ",
        name="Bappeda Kaltim",
        phone="0541 741233",
        email="Bappeda@KaltimProv.go.id",
    )
    assert agency.code == "BAPPEDA"
    assert agency.phone == "+62541741233"
    assert agency.email == "bappeda@kaltimprov.go.id"
    event = one_event("core.agency_create")
    assert (event.institution_id, event.agency_id) == (province.kaltim.pk, agency.pk)


def test_duplicate_opd_code_is_refused_within_an_institution_only(province):
    with translation.override("id"), pytest.raises(ValidationError) as exc:
        services.agency_create(actor=province.admin_kaltim, institution=province.kaltim, code="dpmptsp", name="X")
    message = exc.value.message_dict["code"][0]
    assert "Kode OPD" in message and "DPMPTSP" in message and "sudah dipakai" in message
    assert Agency.objects.filter(code="DPMPTSP").count() == 2
    assert not AuditEvent.objects.exists()
    # The same code in another instansi is fine (Samarinda has its own DPMPTSP; Kaltim has no BAPPEDA yet).
    services.agency_create(
        actor=province.admin_samarinda, institution=province.samarinda, code="DISKOMINFO", name="Diskominfo Samarinda"
    )


@pytest.mark.parametrize(
    ("field", "value", "error_code"),
    [
        ("email", "bukan-email", "invalid"),
        ("phone", "12345", "invalid_phone"),
        ("code", "A", "invalid"),
        ("name", "", "required"),
    ],
)
def test_opd_fields_are_validated(province, field, value, error_code):
    data = {"code": "BAPPEDA", "name": "Bappeda", "email": "", "phone": ""} | {field: value}
    with pytest.raises(ValidationError) as exc:
        services.agency_create(actor=province.admin_kaltim, institution=province.kaltim, **data)
    assert [e.code for e in exc.value.error_dict[field]] == [error_code]
    assert not Agency.objects.filter(code="BAPPEDA").exists()


def test_agency_admin_edits_contact_details_but_not_the_code(province):
    services.agency_update(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, changes={"address": "Jl. Basuki Rahmat 55, Samarinda"}
    )
    one_event("core.agency_update")
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=province.admin_dpmptsp, agency=province.dpmptsp, changes={"code": "DPM"})
    province.dpmptsp.refresh_from_db()
    assert province.dpmptsp.code == "DPMPTSP"
    assert AuditEvent.objects.count() == 1


def test_deactivate_and_reactivate(province):
    services.agency_deactivate(actor=province.admin_kaltim, agency=province.disdikbud)
    province.disdikbud.refresh_from_db()
    assert not province.disdikbud.is_active
    event = one_event("core.agency_deactivate")
    assert event.changes == {"before": {"is_active": True}, "after": {"is_active": False}}
    with pytest.raises(ValidationError):
        services.agency_deactivate(actor=province.admin_kaltim, agency=province.disdikbud)
    services.agency_reactivate(actor=province.admin_kaltim, agency=province.disdikbud)
    assert AuditEvent.objects.count() == 2


def test_agency_admin_cannot_deactivate_own_opd(province):
    with pytest.raises(PermissionDenied):
        services.agency_deactivate(actor=province.admin_dpmptsp, agency=province.dpmptsp)
    province.dpmptsp.refresh_from_db()
    assert province.dpmptsp.is_active
    assert not AuditEvent.objects.exists()


# --- units ----------------------------------------------------------------------------


def test_agency_admin_creates_and_nests_units(province):
    bidang = services.orgunit_create(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, code="PELAYANAN", name="Bidang Pelayanan Perizinan"
    )
    seksi = services.orgunit_create(
        actor=province.admin_dpmptsp,
        agency=province.dpmptsp,
        code="SEKSI-1",
        name="Seksi Perizinan Usaha",
        parent=bidang,
    )
    assert AuditEvent.objects.filter(action="core.orgunit_create").count() == 2
    event = AuditEvent.objects.filter(object_id=str(seksi.pk)).get()
    assert (event.institution_id, event.agency_id) == (province.kaltim.pk, province.dpmptsp.pk)
    # A cycle is refused.
    with pytest.raises(ValidationError) as exc:
        services.orgunit_update(actor=province.admin_dpmptsp, unit=bidang, changes={"parent": seksi})
    assert exc.value.error_dict["parent"][0].code == "cycle"
    bidang.refresh_from_db()
    assert bidang.parent_id is None


def test_unit_parent_must_be_in_the_same_opd(province):
    other = OrgUnitFactory(agency=province.diskominfo, code="APTIKA")
    with pytest.raises(ValidationError) as exc:
        services.orgunit_create(actor=province.admin_kaltim, agency=province.dpmptsp, code="X1", name="X", parent=other)
    assert exc.value.error_dict["parent"][0].code == "wrong_agency"
    assert not OrgUnit.objects.filter(code="X1").exists()


def test_unit_update_writes_one_event_and_duplicate_code_is_refused(province):
    a = OrgUnitFactory(agency=province.dpmptsp, code="AA")
    b = OrgUnitFactory(agency=province.dpmptsp, code="BB")
    services.orgunit_update(actor=province.admin_dpmptsp, unit=a, changes={"name": "Bidang Baru"})
    one_event("core.orgunit_update")
    with pytest.raises(ValidationError) as exc:
        services.orgunit_update(actor=province.admin_dpmptsp, unit=b, changes={"code": "aa"})
    assert exc.value.error_dict["code"][0].code == "duplicate"
    b.refresh_from_db()
    assert b.code == "BB"
