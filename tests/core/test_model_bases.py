"""The abstract models in etam.core.models: what each model that inherits one gets."""

import pytest
from django.utils import timezone

from etam.core.models import Agency, AgencyOwnedModel, Institution, Named, RegionBoundary, Timestamped
from etam.governance.models import Incident
from tests.factories import AgencyFactory, StaffFactory


def test_named_reads_as_its_name():
    assert str(Institution(name="Pemerintah Provinsi Kalimantan Timur")) == "Pemerintah Provinsi Kalimantan Timur"


def test_region_keyed_reads_as_its_code():
    assert str(RegionBoundary(code="64.72")) == "64.72"


def test_bases_are_abstract_and_add_what_they_declare():
    assert all(base._meta.abstract for base in (Named, Timestamped, AgencyOwnedModel))
    created, updated = (Institution._meta.get_field(name) for name in ("created_at", "updated_at"))
    assert created.auto_now_add and not created.auto_now
    assert updated.auto_now and not updated.auto_now_add
    institution, agency = (Incident._meta.get_field(name) for name in ("institution", "agency"))
    assert (institution.related_model, agency.related_model) == (Institution, Agency)
    assert institution.remote_field.related_name == agency.remote_field.related_name == "+"


@pytest.mark.django_db
def test_agency_owned_model_fills_the_institution_from_the_agency():
    agency = AgencyFactory()
    incident = Incident.objects.create(
        agency=agency,
        title="Uji",
        description="Uji",
        severity="sedang",
        detected_at=timezone.now(),
        reported_by=StaffFactory(),
    )
    assert incident.institution_id == agency.institution_id
    assert (incident.scope_institution_id, incident.scope_agency_id) == (agency.institution_id, agency.pk)
