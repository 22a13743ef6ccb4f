"""Electronic public services: the catalogue, versioned definitions, cases and documents.

Vocabulary (docs/glossary.md): layanan → ``Service``; versi layanan → ``ServiceVersion``;
permohonan → ``Application``; nomor registrasi/pelacakan → ``tracking_number``;
riwayat → ``ApplicationEvent``; dokumen keluaran → ``IssuedDocument``.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etam.core.crypto import EncryptedJSONField
from etam.core.models import AgencyOwned, AgencyOwnedModel, Named, ScopedByPath, ServiceStatus, Timestamped


class Sector(models.TextChoices):
    """Sectors of public service named in UU 25/2009 Pasal 5 and Perpres 95/2018."""

    EDUCATION = "pendidikan", _("Education and teaching")
    WORK_BUSINESS = "pekerjaan_usaha", _("Work and business")
    HOUSING = "tempat_tinggal", _("Housing")
    COMMUNICATION = "komunikasi_informasi", _("Communication and information")
    ENVIRONMENT = "lingkungan_hidup", _("Environment")
    HEALTH = "kesehatan", _("Health")
    SOCIAL_SECURITY = "jaminan_sosial", _("Social security")
    ENERGY = "energi", _("Energy")
    BANKING = "perbankan", _("Banking")
    TRANSPORT = "perhubungan", _("Transport")
    NATURAL_RESOURCES = "sumber_daya_alam", _("Natural resources")
    TOURISM = "pariwisata", _("Tourism")
    OTHER_STRATEGIC = "strategis_lainnya", _("Other strategic sectors")


class Service(AgencyOwned, Named, Timestamped):
    """A public service an OPD offers (layanan), shown in the catalogue once published."""

    Status = ServiceStatus

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="services")
    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="services")
    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    code = models.CharField(_("code"), max_length=12, help_text=_("Short code used in document numbers, e.g. IZP"))
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("summary"), max_length=1000)
    eligibility = models.TextField(_("who may apply"), blank=True)
    requirements = models.TextField(_("requirements"), blank=True, help_text=_("One requirement per line"))
    legal_basis = models.TextField(_("legal basis"), blank=True, help_text=_("One regulation per line"))
    fee = models.PositiveBigIntegerField(_("fee (Rp)"), default=0)
    sla_days = models.PositiveSmallIntegerField(_("service time (working days)"), default=5)
    output_document = models.CharField(_("output document"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices)
    contact = models.CharField(_("contact"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_version = models.ForeignKey(
        "ServiceVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        indexes = [models.Index(fields=["status", "sector"]), models.Index(fields=["agency", "status"])]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="eservice_code_unique_per_agency")]

    @property
    def requirement_list(self) -> list[str]:
        return [line.strip() for line in self.requirements.splitlines() if line.strip()]

    @property
    def legal_basis_list(self) -> list[str]:
        return [line.strip() for line in self.legal_basis.splitlines() if line.strip()]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ACTIVE and self.published_version_id is not None


class PublishedVersionError(ValidationError):
    pass


class ServiceVersion(ScopedByPath, models.Model):
    """One version of a service's definition: form, workflow and document template.

    A draft may be edited; once published it is frozen (``save`` refuses changes to the
    definition), so a case always stays on the version it was submitted under.
    """

    class Status(models.TextChoices):
        DRAFT = "draf", _("Draft")
        PUBLISHED = "terbit", _("Published")
        SUPERSEDED = "diganti", _("Superseded")

    FROZEN_FIELDS = ("form", "workflow", "document_template", "number", "service_id")

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    form = models.JSONField(_("form definition"))
    workflow = models.JSONField(_("workflow definition"))
    document_template = models.JSONField(_("document template"))
    notes = models.TextField(_("change notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["service_id", "-number"]
        verbose_name = _("service version")
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="serviceversion_number_unique"),
            models.UniqueConstraint(
                fields=["service"], condition=Q(status="terbit"), name="serviceversion_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            stored = ServiceVersion.objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS, "status").first()
            if stored and stored["status"] != self.Status.DRAFT:
                changed = [f for f in self.FROZEN_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise PublishedVersionError(
                        _("A published version cannot be changed (%(fields)s); create a new version."),
                        params={"fields": ", ".join(changed)},
                        code="version_frozen",
                    )
        super().save(*args, **kwargs)

    scope_institution_path = "service.institution_id"
    scope_agency_path = "service.agency_id"


class TrackingCounter(models.Model):
    """The last tracking-number sequence handed out per (instansi, OPD, year).

    Incremented with ``F() + 1`` inside the submitting transaction: the row lock
    serialises concurrent submitters of one OPD, a rollback returns the number unused,
    and a committed number is never handed out again.
    """

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("tracking number counter")
        constraints = [
            models.UniqueConstraint(fields=["institution", "agency", "year"], name="trackingcounter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.value}"


class ApplicationQuerySet(models.QuerySet["Application"]):
    def open(self) -> ApplicationQuerySet:
        return self.filter(closed_at__isnull=True)


class Application(AgencyOwnedModel):
    """A citizen's case (permohonan) on one service version."""

    # Set by services.application_act: the document waits in "to sign" (not a column).
    signing_deferred: bool = False

    tracking_number = models.CharField(_("tracking number"), max_length=40, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="applications")
    version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    holder_name = models.CharField(_("holder name"), max_length=200)
    state = models.CharField(_("state"), max_length=40, db_index=True)
    answers = models.JSONField(_("answers"), default=dict)
    protected_answers = EncryptedJSONField(_("protected answers"), null=True, blank=True, context="answers")
    nik_digest = models.CharField(max_length=64, blank=True, db_index=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True)
    receipt_secret_digest = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    state_entered_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField(_("due date (state)"), null=True, blank=True)
    service_due_date = models.DateField(_("due date (service)"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    working_days_taken = models.PositiveIntegerField(null=True, blank=True)
    met_sla = models.BooleanField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_applications"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    revision_request = models.TextField(_("revision requested"), blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("application")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="application_idempotency_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "closed_at", "due_date"]),
            models.Index(fields=["applicant", "-submitted_at"]),
            models.Index(fields=["service", "closed_at"]),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def all_answers(self) -> dict[str, Any]:
        from etam.eservices.formengine import merge_protected

        return merge_protected(self.answers, self.protected_answers or {})


class ApplicationEvent(models.Model):
    """One line of a case's timeline. Internal notes are never shown to the applicant."""

    class Kind(models.TextChoices):
        SUBMITTED = "diajukan", _("Submitted")
        ACTION = "tindakan", _("Action")
        RESUBMITTED = "diperbaiki", _("Corrected and resubmitted")
        NOTE = "catatan", _("Internal note")
        ASSIGNED = "ditugaskan", _("Assigned")
        ESCALATED = "eskalasi", _("Escalated")
        DOCUMENT_ISSUED = "dokumen_terbit", _("Document issued")
        DOCUMENT_REVOKED = "dokumen_dicabut", _("Document revoked")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    action = models.CharField(max_length=40, blank=True)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application event")

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {self.action}"


def _upload_path(instance: Any, filename: str) -> str:
    # Never derived from the user's file name or any guessable id.
    return f"eservices/berkas/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class UploadedFile(models.Model):
    """A file a citizen attached to a form (checked by content before it is stored).

    Stored under an unguessable name outside any public URL and served only through a
    permission-checked view.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, null=True, blank=True, related_name="files")
    field_path = models.CharField(max_length=120)
    file = models.FileField(upload_to=_upload_path, max_length=255)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("uploaded file")

    def __str__(self) -> str:
        return self.original_name


class Draft(models.Model):
    """A citizen's half-filled form, kept server-side (encrypted: it may hold a NIK)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ServiceVersion, on_delete=models.CASCADE, related_name="+")
    data = EncryptedJSONField(default=dict, context="draft")
    page = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("form draft")
        constraints = [models.UniqueConstraint(fields=["user", "service"], name="draft_one_per_user_service")]

    def __str__(self) -> str:
        return f"draft {self.user_id}/{self.service_id}"


class Holiday(models.Model):
    """National holidays and cuti bersama (SKB 3 Menteri): skipped when counting SLA days."""

    class Kind(models.TextChoices):
        NATIONAL = "libur_nasional", _("National holiday")
        COLLECTIVE_LEAVE = "cuti_bersama", _("Collective leave (cuti bersama)")
        REGIONAL = "libur_daerah", _("Regional holiday")

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    verified = models.BooleanField(
        _("verified against the SKB"), default=False, help_text=_("Checked against the published decree")
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class SigningKey(models.Model):
    """Per-instansi signing material: the PAdES signer (cert chain + key) and the Ed25519
    key for QR payloads. Private keys are encrypted with the field key."""

    class Purpose(models.TextChoices):
        PADES = "pades", _("PDF signature (PAdES)")
        QR = "qr", _("QR payload (Ed25519)")

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    key_id = models.CharField(max_length=32, unique=True)
    private_key = EncryptedJSONField(context="signing-key")
    public_pem = models.TextField()
    certificate_pem = models.TextField(blank=True)
    ca_certificate_pem = models.TextField(blank=True)
    development = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "purpose"], condition=Q(retired_at__isnull=True), name="signingkey_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.purpose} {self.key_id}"


class IssuedDocument(ScopedByPath, models.Model):
    """The signed output document of an approved application."""

    class Status(models.TextChoices):
        PENDING = "diproses", _("Being generated")
        TO_SIGN = "tunggu_tte", _("Waiting for the signature")
        ISSUED = "terbit", _("Issued")
        FAILED = "gagal", _("Generation failed")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="document")
    number = models.CharField(_("document number"), max_length=80, unique=True)
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    holder_name = models.CharField(max_length=200)
    issued_on = models.DateField(_("issue date"))
    file = models.FileField(upload_to=_upload_path, max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    qr_payload = models.TextField(blank=True)
    key_id = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The official who approved and signs (docs/adr/0084); a snapshot of the signature block.
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="documents_to_sign"
    )
    signer_name = models.CharField(max_length=150, blank=True)
    signer_nip = models.CharField(max_length=18, blank=True)
    signer_position = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    certificate_serial = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("issued document")

    def __str__(self) -> str:
        return self.number

    scope_institution_path = "application.institution_id"
    scope_agency_path = "application.agency_id"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class NotificationDelivery(models.Model):
    """Outbox and delivery log: written in the transaction of the state change it reports,
    sent after commit by a task, retried with back-off."""

    class Status(models.TextChoices):
        PENDING = "menunggu", _("Pending")
        SENT = "terkirim", _("Sent")
        FAILED = "gagal", _("Failed (will retry)")
        GAVE_UP = "menyerah", _("Failed permanently")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", _("WhatsApp")

    # Empty for a staff message about something that is not a case (``queue_staff_message``,
    # e.g. a new complaint of the service-quality module).
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    event = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = EncryptedJSONField(context="recipient")
    language = models.CharField(max_length=5, default="id")
    context = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification delivery")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} via {self.channel} ({self.status})"
