import json
from http.server import BaseHTTPRequestHandler

import pytest
from django.core import mail

from etam.eservices import notifications
from etam.eservices.models import NotificationDelivery
from tests.helpers import http_server

pytestmark = pytest.mark.django_db


def test_email_after_commit_in_indonesian(province, submitted, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.deliver_due(application_id=submitted.application.pk) == 1
    message = mail.outbox[0]
    assert submitted.application.tracking_number in message.subject and "diterima" in message.subject
    assert message.to == ["warga1@example.id"]
    delivery = NotificationDelivery.objects.get()
    assert delivery.status == NotificationDelivery.Status.SENT and delivery.attempts == 1
    assert notifications.deliver_due(application_id=submitted.application.pk) == 0  # sent once


def test_english_template_and_console_sms(province, submitted):
    application = submitted.application
    province.citizen.phone = "+6281234567890"
    province.citizen.save()
    notifications.ConsoleGateway.sent.clear()
    rows = notifications.queue(application, "rejected", {"reason": "Berkas tidak lengkap"})
    sms = next(r for r in rows if r.channel == "sms")
    NotificationDelivery.objects.filter(pk=sms.pk).update(language="en")
    sms.refresh_from_db()
    subject, body = notifications.render(sms)
    assert "rejected" in subject and "Berkas tidak lengkap" in body
    assert notifications.deliver(sms)
    assert notifications.ConsoleGateway.sent[-1]["to"] == "+6281234567890"
    assert sms.recipient == {"address": "+6281234567890"}


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 500

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        _Gateway.received.append((json.loads(self.rfile.read(length)), self.headers["X-Etam-Signature"]))
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_gateway_failure_is_logged_and_retried(province, submitted, settings):
    with http_server(_Gateway) as server:
        settings.ESERVICES_SMS_GATEWAY = "webhook"
        settings.ESERVICES_SMS_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/kirim"
        settings.ESERVICES_SMS_WEBHOOK_SECRET = "rahasia"
        province.citizen.phone = "+6281234567890"
        province.citizen.save()
        NotificationDelivery.objects.all().delete()
        [sms] = [r for r in notifications.queue(submitted.application, "submitted") if r.channel == "sms"]
        _Gateway.status = 500
        assert notifications.deliver(sms) is False
        sms.refresh_from_db()
        assert sms.status == NotificationDelivery.Status.FAILED and sms.attempts == 1 and "500" in sms.last_error
        assert sms.next_attempt_at > sms.created_at
        _Gateway.status = 200
        assert notifications.deliver(sms) is True
        payload, signature = _Gateway.received[-1]
        assert payload["to"] == "+6281234567890" and signature.startswith("sha256=")


def test_gives_up_after_max_attempts(province, submitted, settings):
    settings.EMAIL_BACKEND = "tests.eservices.test_notifications.BrokenBackend"
    delivery = NotificationDelivery.objects.get()
    for _ in range(notifications.MAX_ATTEMPTS):
        notifications.deliver(delivery)
    delivery.refresh_from_db()
    assert delivery.status == NotificationDelivery.Status.GAVE_UP


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("smtp down")

    def open(self):
        pass

    def close(self):
        pass


def test_escalation_notifies_the_opd_admins_through_the_outbox(province, submitted, settings):
    import datetime as dt

    from etam.eservices import services
    from etam.eservices.models import Application

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    application = submitted.application
    NotificationDelivery.objects.all().delete()  # the applicant's "submitted" message
    admin = province.admin_dpmptsp
    admin.phone = "+6281200000001"
    admin.save()
    Application.objects.filter(pk=application.pk).update(due_date=dt.date(2026, 1, 5))
    notifications.ConsoleGateway.sent.clear()
    assert services.escalate_overdue(today=dt.date(2026, 1, 9)) == 1
    rows = list(NotificationDelivery.objects.filter(event="escalated_staff").order_by("channel"))
    # Only the admin of the case's OPD (not other OPDs' admins, not the applicant), by email and SMS.
    assert [(r.channel, r.recipient["address"]) for r in rows] == [("email", admin.email), ("sms", admin.phone)]
    assert NotificationDelivery.objects.exclude(event="escalated_staff").count() == 0
    assert notifications.deliver_due(application_id=application.pk) == 2
    message = mail.outbox[-1]
    assert message.to == [admin.email]
    assert "Eskalasi" in message.subject and application.tracking_number in message.subject
    assert "4 hari kerja" in message.body and f"/staf/layanan/permohonan/{application.tracking_number}/" in message.body
    assert notifications.ConsoleGateway.sent[-1]["to"] == admin.phone
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {NotificationDelivery.Status.SENT}
    # English template for an admin who reads English.
    delivery = rows[0]
    NotificationDelivery.objects.filter(pk=delivery.pk).update(language="en")
    delivery.refresh_from_db()
    subject, body = notifications.render(delivery)
    assert subject.startswith("Escalation") and "4 working day(s)" in body
    # Idempotent: a second run neither escalates nor notifies again.
    assert services.escalate_overdue(today=dt.date(2026, 1, 9)) == 0
    assert NotificationDelivery.objects.filter(event="escalated_staff").count() == 2
