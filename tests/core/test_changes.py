"""``core.changes.record_change``: the audit event of a create or an update (the before the caller read,
the stored values of the fields after, extra values, another target), and ``recorded`` on top of it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from etam.core import changes
from etam.core.fieldvalues import stored_values
from etam.core.models import AuditEvent
from etam.inventory.models import Application

pytestmark = pytest.mark.django_db


def _application(province, **fields):
    return Application.objects.create(institution=province.kaltim, agency=province.dpmptsp, name="SIPOT", **fields)


def test_a_create_records_the_stored_values_of_the_fields_and_the_extra_ones(province):
    with transaction.atomic():
        app = _application(province, last_security_audit=date(2026, 3, 1))
        event = changes.record_change(
            province.admin_dpmptsp,
            "test.create",
            app,
            ["name", "agency", "last_security_audit"],
            also={"source": "form"},
        )
    event.refresh_from_db()
    assert (event.action, event.object_type, event.object_id) == ("test.create", "inventory.application", str(app.pk))
    assert (event.institution_id, event.agency_id) == (province.kaltim.pk, province.dpmptsp.pk)
    assert event.changes == {
        "before": {"name": None, "agency": None, "last_security_audit": None, "source": None},
        "after": {
            "name": "SIPOT",
            "agency": province.dpmptsp.pk,
            "last_security_audit": "2026-03-01",
            "source": "form",
        },
    }


def test_an_update_keeps_only_the_changed_fields(province):
    app = _application(province, acronym="SP")
    with transaction.atomic():
        before = stored_values(app, ["name", "acronym"])
        app.name = "SIPOT Baru"
        app.save()
        event = changes.record_change(province.admin_dpmptsp, "test.update", app, ["name", "acronym"], before=before)
    assert event.changes == {"before": {"name": "SIPOT"}, "after": {"name": "SIPOT Baru"}}


def test_the_event_may_name_another_target_and_scope(province):
    app = _application(province)
    with transaction.atomic():
        event = changes.record_change(
            "sistem", "test.other", app, ["name"], target=province.dpmptsp_smr, institution_id=province.kaltim.pk
        )
    assert (event.object_type, event.object_id) == ("core.agency", str(province.dpmptsp_smr.pk))
    assert event.institution_id == province.kaltim.pk  # given: wins over the target's
    assert event.agency_id == province.dpmptsp_smr.pk  # not given: the target's
    assert event.changes == {"before": {"name": None}, "after": {"name": "SIPOT"}}


def test_recorded_saves_and_records_the_block_s_change(province):
    app = _application(province, acronym="SP")
    with changes.recorded(app, ["acronym"], actor=province.admin_dpmptsp, action="test.recorded"):
        app.acronym = "SPT"
    app.refresh_from_db()
    assert app.acronym == "SPT"
    event = AuditEvent.objects.get(action="test.recorded")
    assert event.changes == {"before": {"acronym": "SP"}, "after": {"acronym": "SPT"}}
