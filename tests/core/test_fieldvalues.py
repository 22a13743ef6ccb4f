"""``core.fieldvalues``: a row's field values, set from data and read as stored for the audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from etam.core.fieldvalues import assign_given, stored_values
from etam.governance.models import Incident
from etam.inventory.models import Application

pytestmark = pytest.mark.django_db


def test_stored_values_give_a_foreign_key_as_its_id_and_dates_as_iso_text(province):
    app = Application(
        institution=province.kaltim,
        agency=province.dpmptsp,
        name="SIPOT",
        last_security_audit=date(2026, 3, 1),
    )
    assert stored_values(app, ["agency", "name", "last_security_audit"]) == {
        "agency": province.dpmptsp.pk,
        "name": "SIPOT",
        "last_security_audit": "2026-03-01",
    }


def test_stored_values_write_a_datetime_with_its_time_and_zone(province):
    incident = Incident(agency=province.dpmptsp, detected_at=datetime(2026, 11, 27, 16, 30, tzinfo=UTC))
    assert stored_values(incident, ["detected_at", "application"]) == {
        "detected_at": "2026-11-27T16:30:00+00:00",
        "application": None,
    }


def test_assign_given_sets_only_the_fields_the_data_holds(province):
    app = Application(institution=province.kaltim, agency=province.dpmptsp, name="Lama", acronym="LM")
    assign_given(app, {"name": "Baru", "purpose": "Izin", "url": "ignored"}, ["name", "acronym", "purpose"])
    assert (app.name, app.acronym, app.purpose, app.url) == ("Baru", "LM", "Izin", "")
