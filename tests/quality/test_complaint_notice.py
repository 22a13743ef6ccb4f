"""A new complaint reaches the OPD's own handlers through the e-services notification outbox
(ADR 0165); other OPDs' staff get nothing; the answer's due date shows in the OPD's list."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import formats, translation

from etam.eservices import notifications
from etam.eservices.models import NotificationDelivery
from etam.quality.models import Complaint
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
EVENT = "complaint_received"


def _file(client, **data):
    body = {"kind": "pengaduan", "text": "Berkas saya belum diverifikasi, nomor HP saya 0812", **data}
    return client.post("/pengaduan/", body)


def test_the_opds_handlers_are_notified_and_no_one_else(client, province, info_service, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    province.officer_dpmptsp.phone = "+6281200000002"
    province.officer_dpmptsp.save()
    assert _file(client, service=info_service.pk).status_code == 200
    complaint = Complaint.objects.get()
    rows = NotificationDelivery.objects.filter(event=EVENT)
    reached = {row.recipient["user"] for row in rows}
    assert reached == {province.officer_dpmptsp.pk, province.admin_dpmptsp.pk}
    others = [province.admin_diskominfo, province.admin_kaltim, province.citizen, province.coordinator_kaltim]
    assert not reached & {user.pk for user in others}
    assert {row.channel for row in rows if row.recipient["user"] == province.officer_dpmptsp.pk} == {"email", "sms"}
    assert all(row.application_id is None for row in rows)

    assert notifications.deliver_due() == rows.count()
    message = next(m for m in mail.outbox if m.to == [province.admin_dpmptsp.email])
    assert message.subject.startswith("Pengaduan baru untuk") and str(complaint.pk) in message.subject
    assert complaint.due_date.isoformat() in message.body and "5 hari kerja" in message.body
    assert f"/staf/kualitas/pengaduan/{complaint.pk}/" in message.body
    assert "0812" not in message.body and "Berkas saya" not in message.body  # the text stays in Etam
    assert set(NotificationDelivery.objects.filter(event=EVENT).values_list("status", flat=True)) == {"terkirim"}


def test_a_message_about_an_opd_goes_to_that_opds_staff(client, province):
    assert _file(client, kind="saran", agency=province.diskominfo.pk).status_code == 200
    reached = {row.recipient["user"] for row in NotificationDelivery.objects.filter(event=EVENT)}
    assert province.admin_diskominfo.pk in reached
    assert province.admin_dpmptsp.pk not in reached and province.officer_dpmptsp.pk not in reached
    subject, _body = notifications.render(NotificationDelivery.objects.filter(event=EVENT).first())
    assert subject.startswith("Saran baru")


def test_refused_complaint_notifies_no_one(client, info_service):
    assert _file(client, service=info_service.pk, text="").status_code == 422
    assert not NotificationDelivery.objects.filter(event=EVENT).exists()


def test_the_due_date_shows_in_the_opds_list_only(client, province, info_service):
    _file(client, service=info_service.pk)
    complaint = Complaint.objects.get()
    with translation.override("id"):
        shown = formats.date_format(complaint.due_date)
    own = client_for(province.officer_dpmptsp).get("/staf/kualitas/pengaduan/").content.decode()
    assert "Batas jawaban" in own and shown in own
    other = client_for(province.admin_diskominfo).get("/staf/kualitas/pengaduan/").content.decode()
    assert f"/staf/kualitas/pengaduan/{complaint.pk}/" not in other


def test_unregistered_staff_message_event_is_refused(province):
    with pytest.raises(ValueError):
        notifications.queue_staff_message("tidak_terdaftar", [province.admin_dpmptsp], {})
