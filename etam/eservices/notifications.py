"""Notifying applicants: an outbox written in the transaction of the change, delivered
after commit through pluggable channels, logged, retried with back-off.

Channels: email (Django's configured email backend) and a text-message gateway (SMS or
WhatsApp) with two adapters, ``console`` (development: writes to the log) and
``webhook`` (HTTP POST of a signed JSON body to the operator's gateway). Templates per
event and language live in ``templates/eservices/notify/<event>.<lang>.txt``; the first
line is the subject. See docs/adr/0056-notifications.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.request
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from etam.eservices.models import Application, NotificationDelivery

logger = logging.getLogger("etam.eservices.notify")

EVENTS = ("submitted", "state_changed", "revision_requested", "approved", "rejected", "document_issued", "escalated")
# Events addressed to staff rather than to the applicant.
STAFF_EVENTS = ("escalated_staff",)
# Staff messages about something other than a case, registered by the module that sends them
# (its template lives in that module: ``templates/eservices/notify/<event>.<lang>.txt``).
_STAFF_MESSAGE_EVENTS: set[str] = set()
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (60, 300, 900, 3600, 4 * 3600)


class DeliveryFailed(Exception):
    pass


class TextGateway(Protocol):
    def send(self, *, to: str, body: str, channel: str, reference: str) -> None: ...


class ConsoleGateway:
    """Development adapter: the message goes to the log, nowhere else."""

    sent: list[dict[str, str]] = []

    def send(self, *, to: str, body: str, channel: str, reference: str) -> None:
        masked = to[:5] + "•••" + to[-3:]
        logger.info("[%s → %s] %s (%s)", channel, masked, body, reference)
        ConsoleGateway.sent.append({"to": to, "body": body, "channel": channel, "reference": reference})


class WebhookGateway:
    """POSTs ``{"to", "body", "channel", "reference"}`` to the operator's SMS/WhatsApp
    gateway with an ``X-Etam-Signature: sha256=<hmac>`` header; any non-2xx is a failure."""

    def __init__(self, url: str, secret: str, timeout: float = 10.0) -> None:
        if not url.startswith(("https://", "http://")):
            raise DeliveryFailed("ESERVICES_SMS_WEBHOOK_URL is not an http(s) URL")
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, *, to: str, body: str, channel: str, reference: str) -> None:
        payload = json.dumps({"to": to, "body": body, "channel": channel, "reference": reference}).encode()
        signature = hmac.new(self.secret.encode(), payload, hashlib.sha256).hexdigest()
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.url,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json", "X-Etam-Signature": f"sha256={signature}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise DeliveryFailed(f"gateway answered {response.status}")
        except OSError as exc:
            raise DeliveryFailed(f"gateway unreachable: {exc}") from exc


def text_gateway() -> TextGateway:
    if settings.ESERVICES_SMS_GATEWAY == "webhook":
        return WebhookGateway(settings.ESERVICES_SMS_WEBHOOK_URL, settings.ESERVICES_SMS_WEBHOOK_SECRET)
    return ConsoleGateway()


def queue(
    application: Application, event: str, extra: dict[str, Any] | None = None, *, dispatch: bool = True
) -> list[NotificationDelivery]:
    """Write outbox rows for the applicant (call inside the transaction of the change) and
    send them after commit: at once through a task (``dispatch``), or by the periodic
    ``deliver_notifications`` job (every 30 s), which keeps the submit path to one commit."""
    rows = rows_for(application, event, extra)
    if rows:
        NotificationDelivery.objects.bulk_create(rows)
        if dispatch:
            application_id = application.pk
            transaction.on_commit(lambda: _enqueue(application_id))
    return rows


def rows_for(application: Application, event: str, extra: dict[str, Any] | None = None) -> list[NotificationDelivery]:
    """The applicant's unsaved outbox rows for an event (``queue`` writes them)."""
    if event not in EVENTS:
        raise ValueError(event)
    applicant = application.applicant
    language = "id"
    context = {
        "service": application.service.name,
        "name": applicant.full_name,
        **(extra or {}),
    }
    channels = (
        (NotificationDelivery.Channel.EMAIL, applicant.email),
        (NotificationDelivery.Channel.SMS, applicant.phone),
    )
    return [
        NotificationDelivery(
            application=application,
            event=event,
            channel=channel,
            recipient={"address": address},
            language=language,
            context=context,
        )
        for channel, address in channels
        if address
    ]


def queue_staff(
    application: Application, event: str, recipients: list[Any], extra: dict[str, Any] | None = None
) -> list[NotificationDelivery]:
    """Outbox rows for staff (e.g. the OPD admins of an escalated case), one per person and
    channel they can be reached on; sent after commit like the applicant's, and logged in
    the same delivery log."""
    if event not in STAFF_EVENTS:
        raise ValueError(event)
    context = {
        "service": application.service.name,
        "staff_url": reverse("eservices:staff_case", args=[application.tracking_number]),
        **(extra or {}),
    }
    return _queue_staff_rows(application, event, recipients, context)


def register_staff_message(event: str) -> None:
    """Another module (from its ``AppConfig.ready``) names an event it sends with ``queue_staff_message``."""
    _STAFF_MESSAGE_EVENTS.add(event)


def queue_staff_message(event: str, recipients: list[Any], context: dict[str, Any]) -> list[NotificationDelivery]:
    """Outbox rows for staff about something that is not a case (call inside the transaction of
    the change): the same delivery log, channels, retries and after-commit sending as
    ``queue_staff``. ``context`` feeds the event's template; ``name`` is set per person."""
    if event not in _STAFF_MESSAGE_EVENTS:
        raise ValueError(event)
    return _queue_staff_rows(None, event, recipients, context)


def _queue_staff_rows(
    application: Application | None, event: str, recipients: list[Any], context: dict[str, Any]
) -> list[NotificationDelivery]:
    rows = []
    for person in recipients:
        personal = {**context, "name": person.full_name or str(person)}
        for channel, address in (
            (NotificationDelivery.Channel.EMAIL, person.email),
            (NotificationDelivery.Channel.SMS, person.phone),
        ):
            if address:
                rows.append(
                    NotificationDelivery(
                        application=application,
                        event=event,
                        channel=channel,
                        recipient={"address": address, "user": person.pk},
                        language="id",
                        context=personal,
                    )
                )
    if rows:
        NotificationDelivery.objects.bulk_create(rows)
        application_id = application.pk if application is not None else None
        transaction.on_commit(lambda: _enqueue(application_id))
    return rows


def _enqueue(application_id: int | None) -> None:
    from etam.eservices.tasks import deliver_notifications

    deliver_notifications.enqueue(application_id=application_id)


def render(delivery: NotificationDelivery) -> tuple[str, str]:
    language = delivery.language if delivery.language in {"id", "en"} else "id"
    with translation.override(language):
        text = render_to_string(
            f"eservices/notify/{delivery.event}.{language}.txt",
            {
                **delivery.context,
                # Read at sending time: the number is assigned last in the submit transaction.
                "tracking_number": delivery.application.tracking_number if delivery.application else "",
                "base_url": settings.ESERVICES_PUBLIC_BASE_URL,
            },
        )
    subject, _, body = text.strip().partition("\n")
    body = "\n".join([body.strip(), *delivery.context.get("notes", [])])  # lines from eservices.hooks
    return subject.strip(), body.strip()


def deliver(delivery: NotificationDelivery) -> bool:
    """Send one delivery; record the outcome. True when sent."""
    subject, body = render(delivery)
    address = (delivery.recipient or {}).get("address", "")
    try:
        if delivery.channel == NotificationDelivery.Channel.EMAIL:
            send_mail(subject, body, None, [address], fail_silently=False)
        else:
            text_gateway().send(
                to=address, body=f"{subject}. {body}"[:480], channel=delivery.channel, reference=str(delivery.pk)
            )
    except Exception as exc:  # any channel failure is recorded and retried
        delivery.attempts += 1
        delivery.last_error = f"{exc.__class__.__name__}: {exc}"[:1000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = NotificationDelivery.Status.GAVE_UP
        else:
            delivery.status = NotificationDelivery.Status.FAILED
            wait = BACKOFF_SECONDS[min(delivery.attempts - 1, len(BACKOFF_SECONDS) - 1)]
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=wait)
        delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        logger.warning("notification %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
        return False
    delivery.attempts += 1
    delivery.status = NotificationDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.last_error = ""
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return True


def deliver_due(*, application_id: int | None = None, limit: int = 200) -> int:
    """Send pending deliveries (of one application, or every due one). Claims each row
    with a conditional UPDATE so two workers never send the same message twice."""
    now = timezone.now()
    qs = NotificationDelivery.objects.filter(
        status__in=[NotificationDelivery.Status.PENDING, NotificationDelivery.Status.FAILED], next_attempt_at__lte=now
    )
    if application_id is not None:
        qs = qs.filter(application_id=application_id)
    sent = 0
    for delivery_id in list(qs.order_by("next_attempt_at").values_list("id", flat=True)[:limit]):
        claimed = NotificationDelivery.objects.filter(
            pk=delivery_id, next_attempt_at__lte=now, status__in=[NotificationDelivery.Status.PENDING, "gagal"]
        ).update(next_attempt_at=now + timedelta(minutes=10))
        if not claimed:
            continue
        delivery = NotificationDelivery.objects.select_related("application").get(pk=delivery_id)
        sent += int(deliver(delivery))
    return sent
