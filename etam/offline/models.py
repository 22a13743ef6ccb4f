"""Blank-spot ready: what the server keeps about offline work.

Vocabulary (docs/glossary.md): kotak keluar → outbox (on the device, not here);
mode petugas → assisted entry (``AssistedSubmission``); kunci perangkat → ``DeviceKey``;
bundel → ``Bundle``; unggahan bertahap → ``ChunkedUpload``.

The outbox itself lives in the browser (IndexedDB). The server only needs: the
per-officer device keys that sign bundles, a record of imported bundles, the facts of an
assisted entry (who helped, the citizen's consent) linked to the eservices case, and the
state of resumable uploads.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etam.core.crypto import EncryptedJSONField


def _new_key_id() -> str:
    return secrets.token_hex(8)


class DeviceKey(models.Model):
    """An Ed25519 public key an officer's browser generated (the private key never
    leaves the device: a non-extractable WebCrypto key in IndexedDB). Bundles exported
    on that device are signed with it (docs/adr/0061)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offline_device_keys")
    key_id = models.CharField(max_length=32, unique=True, default=_new_key_id)
    label = models.CharField(_("device name"), max_length=100)
    public_key = models.CharField(max_length=64, help_text="Ed25519 raw public key, base64url")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("device key")
        constraints = [models.UniqueConstraint(fields=["public_key"], name="offline_devicekey_public_unique")]

    def __str__(self) -> str:
        return f"{self.label} ({self.key_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Bundle(models.Model):
    """A store-and-forward bundle that was imported (once per content digest)."""

    sha256 = models.CharField(max_length=64, unique=True)
    bundle_id = models.CharField(max_length=64, db_index=True)
    device_key = models.ForeignKey(DeviceKey, on_delete=models.PROTECT, related_name="bundles")
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(null=True, blank=True)
    size = models.PositiveBigIntegerField()
    item_count = models.PositiveIntegerField()
    first_imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_imported_at = models.DateTimeField(default=timezone.now)
    import_count = models.PositiveIntegerField(default=0)
    last_report = models.JSONField(default=list)

    class Meta:
        ordering = ["-first_imported_at"]
        verbose_name = _("bundle")

    def __str__(self) -> str:
        return self.bundle_id


class AssistedSubmission(models.Model):
    """The facts of an application entered by an officer on a citizen's behalf."""

    class Channel(models.TextChoices):
        DEVICE = "perangkat", _("Sent from the officer's device")
        BUNDLE = "bundel", _("Imported from a bundle")
        ONLINE = "daring", _("Entered online")

    application = models.OneToOneField(
        "eservices.Application", on_delete=models.PROTECT, related_name="assisted_submission"
    )
    assisted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    citizen_name = models.CharField(_("citizen's name"), max_length=200)
    citizen_contact = EncryptedJSONField(context="assisted-citizen")  # {"nik": ..., "phone": ...}
    nik_digest = models.CharField(max_length=64, blank=True, db_index=True)
    consent = models.BooleanField(_("consent given"))
    consent_text = models.TextField(_("consent statement shown"))
    consent_at = models.DateTimeField(_("consent recorded at (device clock)"))
    place = models.CharField(_("place of service"), max_length=200, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("assisted submission")
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="offline_assisted_requires_consent"),
        ]

    def __str__(self) -> str:
        return f"{self.citizen_name} / {self.application_id}"


class ChunkedUpload(models.Model):
    """A large file sent in pieces; resumable from ``received`` after any interruption.

    The pieces are stored as separate objects in the default storage (works on local disk
    and on S3-compatible storage alike) and assembled once all have arrived; the
    assembled file is handed to the eservices file store, which checks it by content.
    """

    class Status(models.TextChoices):
        RECEIVING = "menerima", _("Receiving")
        COMPLETE = "lengkap", _("Complete")
        REFUSED = "ditolak", _("Refused")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    upload_key = models.CharField(max_length=120)
    service = models.ForeignKey("eservices.Service", on_delete=models.CASCADE, related_name="+")
    field_path = models.CharField(max_length=120)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    received = models.PositiveBigIntegerField(default=0)
    chunk_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVING)
    error = models.TextField(blank=True)
    stored_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chunked upload")
        constraints = [models.UniqueConstraint(fields=["owner", "upload_key"], name="offline_upload_key_unique")]

    def __str__(self) -> str:
        return f"{self.upload_key} {self.received}/{self.size}"

    def part_name(self, index: int) -> str:
        # Never under a public URL: the media root is not served; pieces are read back
        # only by the assembling service.
        return f"offline/bagian/{self.pk}/{index:06d}"
