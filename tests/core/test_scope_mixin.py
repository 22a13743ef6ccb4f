"""ScopedByPath: the scope properties read through the declared attribute paths."""

from types import SimpleNamespace

import pytest

from etam.core.models import Agency, Institution, OrgUnit, ScopedByPath


class _Row(ScopedByPath):
    scope_institution_path = "parent.institution_id"
    scope_agency_path = "agency_id"

    def __init__(self, institution_id: int, agency_id: int | None) -> None:
        self.parent = SimpleNamespace(institution_id=institution_id)
        self.agency_id = agency_id


class _InstitutionOnly(ScopedByPath):
    scope_institution_path = "institution_id"
    institution_id = 7


def test_paths_are_followed():
    row = _Row(3, 11)
    assert row.scope_institution_id == 3
    assert row.scope_agency_id == 11


def test_null_agency_passes_through():
    assert _Row(3, None).scope_agency_id is None


def test_no_agency_path_means_no_agency():
    row = _InstitutionOnly()
    assert row.scope_institution_id == 7
    assert row.scope_agency_id is None


@pytest.mark.django_db
def test_organisation_models_keep_their_scope():
    institution = Institution.objects.create(name="Pemprov", region_code="64", kind=Institution.Kind.PROVINCE)
    agency = Agency.objects.create(institution=institution, code="DISKOMINFO", name="Diskominfo")
    unit = OrgUnit.objects.create(agency=agency, code="APTIKA", name="Aptika")
    assert (institution.scope_institution_id, institution.scope_agency_id) == (institution.pk, None)
    assert (agency.scope_institution_id, agency.scope_agency_id) == (institution.pk, agency.pk)
    assert (unit.scope_institution_id, unit.scope_agency_id) == (institution.pk, agency.pk)
