"""The helpers the governance services share (``governance.services._common``)."""

from __future__ import annotations

import pytest
from django.db import transaction

from etam.core.changes import record_change
from etam.core.fieldvalues import stored_values
from etam.core.models import AuditEvent
from etam.governance import permissions as perms
from etam.governance import selectors
from etam.governance.models import DataProtectionOfficer

pytestmark = pytest.mark.django_db


def test_record_change_writes_what_changed_with_the_target_and_its_scope(province):
    dpo = DataProtectionOfficer.objects.create(institution=province.kaltim, name="Lama", email="lama@example.id")
    with transaction.atomic():
        before = stored_values(dpo, ["name", "email"])
        dpo.name = "Baru"
        dpo.save()
        record_change(province.admin_kaltim, "governance.dpo_save", dpo, ["name", "email"], before=before)
    event = AuditEvent.objects.get(action="governance.dpo_save")
    assert event.object_type == "governance.dataprotectionofficer"
    assert event.object_id == str(dpo.pk)
    assert event.institution_id == province.kaltim.pk
    assert event.actor == province.admin_kaltim
    assert event.changes == {"before": {"name": "Lama"}, "after": {"name": "Baru"}}


def test_record_change_without_before_records_every_field_as_new(province):
    dpo = DataProtectionOfficer.objects.create(institution=province.kaltim, name="Ani", email="ani@example.id")
    with transaction.atomic():
        record_change(province.admin_kaltim, "governance.dpo_save", dpo, ["name"])
    assert AuditEvent.objects.get(action="governance.dpo_save").changes == {
        "before": {"name": None},
        "after": {"name": "Ani"},
    }


def test_record_choices_offer_the_actors_opds_and_the_assets_it_can_see(province, apps_kaltim):
    choices = selectors.record_choices(province.admin_dpmptsp, perms.MANAGE_RISK)
    assert set(choices) == {"agency", "application", "data_centre"}
    assert province.dpmptsp in choices["agency"] and province.disdikbud not in choices["agency"]
    assert apps_kaltim["perizinan"] in list(choices["application"])
    assert apps_kaltim["dc"] in list(choices["data_centre"])
    assert not selectors.record_choices(province.citizen, perms.MANAGE_RISK)["agency"].exists()
