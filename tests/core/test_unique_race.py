"""When a concurrent request takes a code after this one's checks passed, the unique constraint
decides and the service answers with the same field error as the check (core.services._common.unique_or)."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from etam.core import services
from etam.core.models import Agency, AuditEvent, OrgUnit
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


def _refused_by_the_constraint(call):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.error_dict["code"][0].code == "duplicate"
    assert AuditEvent.objects.count() == events
    return str(refused.value.error_dict["code"][0].message % refused.value.error_dict["code"][0].params)


def test_a_unit_code_taken_between_check_and_insert(province):
    OrgUnitFactory(agency=province.dpmptsp, code="AA")
    with mock.patch("etam.core.services.organisations._validate_unit"):  # the check saw no clash
        message = _refused_by_the_constraint(
            lambda: services.orgunit_create(actor=province.admin_dpmptsp, agency=province.dpmptsp, code="aa", name="X")
        )
    assert "AA" in message
    assert OrgUnit.objects.filter(agency=province.dpmptsp).count() == 1


def test_a_unit_renamed_onto_a_taken_code(province):
    OrgUnitFactory(agency=province.dpmptsp, code="AA")
    b = OrgUnitFactory(agency=province.dpmptsp, code="BB")
    with mock.patch("etam.core.services.organisations._validate_unit"):
        _refused_by_the_constraint(
            lambda: services.orgunit_update(actor=province.admin_dpmptsp, unit=b, changes={"code": "aa"})
        )
    b.refresh_from_db()
    assert b.code == "BB"


def test_an_opd_code_taken_between_check_and_insert(province):
    count = Agency.objects.count()
    with mock.patch("etam.core.services.organisations._validate_agency"):
        message = _refused_by_the_constraint(
            lambda: services.agency_create(
                actor=province.admin_kaltim,
                institution=province.kaltim,
                code=province.diskominfo.code,
                name="Dinas X",
                kind="dinas",
            )
        )
    assert province.diskominfo.code in message
    assert Agency.objects.count() == count
