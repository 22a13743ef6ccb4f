"""The audit trail: one event per state change, sealed in batches into an HMAC chain.

Each event carries ``content_hash`` = SHA-256 of its canonical content. A sealing job
(``etam.core.tasks.seal_audit_events``) periodically takes the unsealed events, in id
order, and writes an ``AuditSeal`` whose ``digest`` is an HMAC over the previous seal's
digest and the member events' ids and hashes. Writers never wait on a shared lock:
inserting an event is an ordinary insert; only the sealer serialises, and only
against itself. See docs/adr/0004-tamper-evident-audit-trail.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class AuditSeal(models.Model):
    sealed_at = models.DateTimeField(auto_now_add=True)
    previous = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="next")
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    event_count = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit seal")
        constraints = [
            # Only one chain: at most one seal may start it.
            models.UniqueConstraint(Coalesce("previous", Value(0)), name="auditseal_single_chain"),
        ]

    def __str__(self) -> str:
        return f"seal #{self.pk} ({self.event_count} events)"


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("who"), max_length=200, help_text=_("Kept even if the account is later removed"))
    action = models.CharField(_("what"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    # Scope, so an admin sees only the events of what they may see.
    institution_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    agency_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(_("before/after"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("from where"), null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    # X-Request-ID as the client sent it (cleaned, capped); request_id above is always the server's.
    client_request_id = models.CharField(max_length=64, blank=True, default="")
    content_hash = models.CharField(max_length=64)
    seal = models.ForeignKey(AuditSeal, on_delete=models.PROTECT, null=True, blank=True, related_name="events")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["seal", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
