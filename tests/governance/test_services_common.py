"""The helpers the governance services share (``governance.services._common``)."""

from __future__ import annotations

import pytest
from django.db import transaction

from etam.core.models import AuditEvent
from etam.governance.models import DataProtectionOfficer
from etam.governance.services._common import record_change, snapshot

pytestmark = pytest.mark.django_db


def test_record_change_writes_what_changed_with_the_target_and_its_scope(province):
    dpo = DataProtectionOfficer.objects.create(institution=province.kaltim, name="Lama", email="lama@example.id")
    with transaction.atomic():
        before = snapshot(dpo, ["name", "email"])
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
