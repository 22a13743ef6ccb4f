"""The governance demo: proposals, risks, incidents and a checklist in several states; idempotent."""

from __future__ import annotations

import pytest

from etam.core import demo as core_demo
from etam.governance import demo
from etam.governance.models import ApplicationProposal, Incident, Risk, SecurityControl, ServiceRequest
from etam.inventory import demo as inventory_demo

pytestmark = pytest.mark.django_db


def test_demo_has_every_part_in_several_states(settings):
    settings.DEMO_MODE = True
    core_demo.load(lambda line: None)
    inventory_demo.load_inventory(lambda line: None)
    lines: list[str] = []
    demo.load(lines.append)
    decisions = set(ApplicationProposal.objects.values_list("decision", flat=True))
    assert decisions == {"", "setujui", "pakai_ulang"}
    pending = ApplicationProposal.objects.get(decision="")
    assert any(m["name"] == "SICANTIK Kaltim" for m in pending.duplicate_matches)
    assert set(ServiceRequest.objects.values_list("status", flat=True)) >= {"diajukan", "diproses", "selesai"}
    assert set(Risk.objects.values_list("status", flat=True)) == {"terbuka", "ditangani"}
    assert SecurityControl.objects.count() == 13
    assert set(SecurityControl.objects.values_list("status", flat=True)) == {"terpenuhi", "sebagian", "belum"}
    assert Incident.objects.filter(personal_data=True, notified_at__isnull=False).exists()
    counts = ServiceRequest.objects.count(), Risk.objects.count()
    demo.load(lines.append)
    assert (ServiceRequest.objects.count(), Risk.objects.count()) == counts
    assert lines[-1] == "governance: demo content already present"
