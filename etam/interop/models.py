"""Interoperability node (issue 16): the catalogue of data-exchange services, consumer systems
with their keys, agreements, and the hash-chained exchange log (docs/adr/0152-interop-node.md)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etam.core.crypto import EncryptedJSONField
from etam.core.models import Agency, AgencyOwned, Institution, Named, ServiceStatus, Timestamped


class ProviderHost(models.Model):
    """An address the gateway may forward to. Only an admin registers one; the gateway never takes
    an address from a request. A host resolving to a loopback or private address is refused
    unless ``allow_private_address`` was set for that exact host."""

    base_url = models.URLField(
        _("base URL"), unique=True, help_text=_("Scheme, host and port, e.g. https://api.opd.go.id")
    )
    allow_private_address = models.BooleanField(_("allow a private or loopback address"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["base_url"]

    def __str__(self) -> str:
        return self.base_url


class DataService(AgencyOwned, Named, Timestamped):
    """A layanan interoperabilitas data an OPD offers to other systems."""

    class Access(models.TextChoices):
        OPEN = "terbuka", _("Open to any registered consumer")
        RESTRICTED = "terbatas", _("Restricted: by agreement")

    Status = ServiceStatus

    class Method(models.TextChoices):
        GET = "GET", "GET"
        POST = "POST", "POST"

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="data_services", verbose_name=_("provider OPD")
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="data_services")
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    host = models.ForeignKey(
        ProviderHost, on_delete=models.PROTECT, related_name="services", verbose_name=_("provider host")
    )
    path = models.CharField(
        _("path at the provider"), max_length=300, help_text=_("Starts with /, e.g. /api/v1/regions")
    )
    method = models.CharField(_("method"), max_length=6, choices=Method.choices, default=Method.GET)
    input_schema = models.JSONField(_("input schema (OpenAPI)"), default=dict, blank=True)
    output_schema = models.JSONField(_("output schema (OpenAPI)"), default=dict, blank=True)
    access = models.CharField(_("access class"), max_length=10, choices=Access.choices, default=Access.RESTRICTED)
    quota_per_day = models.PositiveIntegerField(_("default quota per day"), default=1000)
    sla_response_ms = models.PositiveIntegerField(_("target response time (ms)"), default=2000)
    sla_availability = models.DecimalField(_("target availability (%)"), max_digits=5, decimal_places=2, default=99)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    contact_name = models.CharField(_("owner contact name"), max_length=120)
    contact_email = models.EmailField(_("owner contact email"))
    splp_api_id = models.CharField(_("SPLP API id"), max_length=64, blank=True)
    splp_published_at = models.DateTimeField(_("published on SPLP"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(path__startswith="/"), name="interop_service_path_absolute"),
        ]


class Consumer(AgencyOwned, Named):
    """A system that calls services through the node. It belongs to the OPD that registered it
    (for an outside agency: the OPD that sponsors it, usually Diskominfo)."""

    class Kind(models.TextChoices):
        AGENCY_APP = "aplikasi_opd", _("An OPD application")
        REGENCY = "kabkota", _("A kabupaten/kota")
        OUTSIDE = "instansi_luar", _("An outside agency")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="interop_consumers", verbose_name=_("OPD")
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="interop_consumers")
    name = models.CharField(_("system name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.AGENCY_APP)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=120)
    contact_email = models.EmailField(_("contact email"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]


class ConsumerKey(models.Model):
    """A credential of a consumer: ``etamx_<prefix>_<secret>``; only the SHA-256 of the secret is
    kept (the secret is 32 random bytes, so a fast hash is enough)."""

    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"etamx_{self.prefix}_…"


class Agreement(models.Model):
    """A consumer's right to call one service, for a purpose and within a daily quota."""

    class Status(models.TextChoices):
        REQUESTED = "diajukan", _("Requested")
        APPROVED = "disetujui", _("Approved")
        REJECTED = "ditolak", _("Rejected")
        REVOKED = "dicabut", _("Revoked")

    consumer = models.ForeignKey(Consumer, on_delete=models.PROTECT, related_name="agreements")
    service = models.ForeignKey(DataService, on_delete=models.PROTECT, related_name="agreements")
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    quota_per_day = models.PositiveIntegerField(_("quota per day"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One live agreement per consumer and service; a rejected or revoked one may be asked again.
            models.UniqueConstraint(
                fields=["consumer", "service"],
                condition=models.Q(status__in=["diajukan", "disetujui"]),
                name="interop_one_live_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} → {self.service}"


class Exchange(models.Model):
    """One call through the gateway, answered or refused. No personal data: the request and the
    answer are kept as SHA-256 digests only. ``entry_hash`` chains each entry to the one before
    (``previous_hash``); ``signature`` is the node's Ed25519 signature of ``entry_hash``."""

    exchange_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consumer = models.ForeignKey(Consumer, null=True, on_delete=models.PROTECT, related_name="exchanges")
    service = models.ForeignKey(DataService, null=True, on_delete=models.PROTECT, related_name="exchanges")
    agreement = models.ForeignKey(Agreement, null=True, on_delete=models.PROTECT, related_name="exchanges")
    key_prefix = models.CharField(max_length=12, blank=True)
    requested_at = models.DateTimeField()
    method = models.CharField(max_length=8)
    outcome = models.CharField(max_length=32)
    status_code = models.PositiveSmallIntegerField()
    latency_ms = models.PositiveIntegerField(default=0)
    request_digest = models.CharField(max_length=64)
    response_digest = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["requested_at"]), models.Index(fields=["outcome"])]

    def __str__(self) -> str:
        return str(self.exchange_id)


class ChainHead(models.Model):
    """The last entry of the exchange log (one row): writers lock it to append in order, and the
    verifier compares it with the last entry, so deleting the newest entries is found too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    entries = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.entries} entries, last {self.last_hash[:12]}"


class NikVerification(models.Model):
    """Dukcapil's answer about the NIK of one e-service case (ADR 0153): a status beside the case's
    workflow state, never a reason to refuse it. The NIK, name and birth date wait encrypted in
    ``subject`` until an answer comes, then are dropped."""

    class Status(models.TextChoices):
        PENDING = "tertunda", _("NIK verification pending")
        VERIFIED = "terverifikasi", _("NIK verified")
        MISMATCH = "tidak_cocok", _("NIK data do not match")
        UNAVAILABLE = "tidak_tersedia", _("Dukcapil unavailable; will retry")

    application_id = models.BigIntegerField(unique=True)
    agency_id = models.BigIntegerField()
    institution_id = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=60, blank=True)
    subject = EncryptedJSONField(null=True, blank=True, context="interop-nik-subject")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.application_id}: {self.status}"
