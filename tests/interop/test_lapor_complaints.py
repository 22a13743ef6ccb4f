"""Complaints filed in Etam reach SP4N-LAPOR! and their stage comes back (issues 16 and 17)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from etam.core.models import AuditEvent
from etam.quality import lapor
from etam.quality.models import Complaint
from etam.quality.services import complaint_submit, complaints_forward_queued, complaints_lapor_refresh

pytestmark = pytest.mark.django_db


def file_complaint(province) -> Complaint:
    complaint, _receipt = complaint_submit(
        actor=AnonymousUser(),
        data={"kind": "pengaduan", "text": "Izin penelitian saya belum selesai setelah 10 hari kerja."},
        service=None,
        agency=province.dpmptsp,
    )
    return complaint


def test_a_complaint_is_queued_when_filed_then_forwarded_and_followed(province, national):
    complaint = file_complaint(province)
    assert complaint.lapor_status == lapor.QUEUED  # filed at once, whatever LAPOR! is doing
    assert complaints_forward_queued() == 1
    complaint.refresh_from_db()
    assert complaint.lapor_status == lapor.SENT and complaint.lapor_tracking_id.isdigit()
    sent = national.app.reports[complaint.lapor_tracking_id]["laporan"]
    assert sent["anonim"] == 1 and sent["instansi"] == province.dpmptsp.name
    assert AuditEvent.objects.filter(action="quality.complaint_forwarded_lapor").count() == 1
    assert complaints_forward_queued() == 0  # nothing forwarded twice

    national.app.advance(complaint.lapor_tracking_id, "Diteruskan")
    assert complaints_lapor_refresh() == 1
    complaint.refresh_from_db()
    assert complaint.lapor_stage == "diteruskan"


def test_lapor_down_leaves_the_complaint_queued_for_the_next_run(province, national):
    complaint = file_complaint(province)
    national.stop()
    assert complaints_forward_queued() == 0
    complaint.refresh_from_db()
    assert complaint.lapor_status == lapor.QUEUED and complaint.lapor_tracking_id == ""
