"""Complaints: filed without an account with a receipt, routed with a working-day SLA, answered,
visible to the citizen; the SP4N-LAPOR! seam queues them."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from etam.core.models import AuditEvent
from etam.eservices import workdays
from etam.quality import services
from etam.quality.models import Complaint
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
RECEIPT = re.compile(r"ADU-[0-9A-F]{12}")


def _file(client, info_service, **extra):
    data = {"kind": "pengaduan", "service": info_service.pk, "text": "Berkas saya belum diverifikasi", **extra}
    return client.post("/pengaduan/", data)


def test_anonymous_complaint_with_receipt_answered_and_visible(client, province, info_service):
    page = _file(client, info_service)
    assert page.status_code == 200
    receipt = RECEIPT.search(page.content.decode()).group(0)
    complaint = Complaint.objects.get()
    assert complaint.agency == province.dpmptsp and complaint.reporter is None and complaint.state == "diterima"
    assert complaint.due_date == workdays.add_working_days(timezone.localdate(complaint.received_at), 5)
    assert complaint.lapor_status == "antre"  # queued for the SP4N-LAPOR! connector
    assert receipt not in complaint.receipt_digest
    # the officer handles and answers it
    officer = client_for(province.officer_dpmptsp)
    assert f"/staf/kualitas/pengaduan/{complaint.pk}/" in officer.get("/staf/kualitas/pengaduan/").content.decode()
    url = f"/staf/kualitas/pengaduan/{complaint.pk}/"
    assert officer.post(url, {"action": "proses"}).status_code == 302
    missing = officer.post(url, {"action": "jawab", "answer": ""})
    assert missing.status_code == 422 and "Jawaban:" in missing.content.decode()
    assert officer.post(url, {"action": "jawab", "answer": "Sudah kami verifikasi hari ini."}).status_code == 302
    # the citizen sees the answer with the receipt code
    track = client.post("/pengaduan/lacak/", {"kode": receipt.lower()})
    assert track.status_code == 200 and "Sudah kami verifikasi" in track.content.decode()
    assert officer.post(url, {"action": "tutup"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "ditutup"
    assert AuditEvent.objects.filter(action="quality.complaint_act").count() == 3


def test_unknown_receipt(client, db):
    answer = client.post("/pengaduan/lacak/", {"kode": "ADU-000000000000"})
    assert answer.status_code == 404 and "Kode tanda terima" in answer.content.decode()


def test_bad_input_keeps_what_was_typed(client, info_service):
    answer = client.post("/pengaduan/", {"kind": "x", "text": "", "reporter_name": "Budi"})
    text = answer.content.decode()
    assert answer.status_code == 422 and "Jenis:" in text and "Pesan Anda:" in text and "Layanan:" in text
    assert 'value="Budi"' in text
    assert not Complaint.objects.exists()


def test_signed_in_citizen_is_the_reporter(province, info_service):
    complaint, _receipt = services.complaint_submit(
        actor=province.citizen, data={"kind": "saran", "text": "Tambah jam layanan"}, service=info_service, agency=None
    )
    assert complaint.reporter == province.citizen and complaint.lapor_status == ""  # only complaints go to LAPOR!


def test_wrong_step(province, info_service):
    complaint, _r = services.complaint_submit(
        actor=province.citizen, data={"kind": "pengaduan", "text": "x"}, service=info_service, agency=None
    )
    with pytest.raises(ValidationError) as caught:
        services.complaint_act(actor=province.officer_dpmptsp, complaint=complaint, action="tutup")
    assert "action" in caught.value.message_dict


@pytest.mark.parametrize("who", ["officer_dpmptsp_smr", "admin_diskominfo", "coordinator_kaltim", "citizen"])
def test_handling_refused_to_the_wrong_user(province, info_service, who):
    complaint, _r = services.complaint_submit(
        actor=province.citizen, data={"kind": "pengaduan", "text": "x"}, service=info_service, agency=None
    )
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.complaint_act(actor=getattr(province, who), complaint=complaint, action="jawab", answer="y")
    complaint.refresh_from_db()
    assert complaint.state == "diterima" and complaint.answer == "" and AuditEvent.objects.count() == before
    assert client_for(getattr(province, who)).get(f"/staf/kualitas/pengaduan/{complaint.pk}/").status_code in (403, 404)
