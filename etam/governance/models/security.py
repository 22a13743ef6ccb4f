"""Security and audit: the BSSN 4/2021 web-application checklist, the incident log with the
UU 27/2022 3×24-hour clock, and the internal ICT audit cycle."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etam.core.models import AgencyOwnedModel, Institution, ScopedByPath

# UU 27/2022 Pasal 46: notice of a personal-data breach within 3 × 24 hours, calendar hours.
BREACH_NOTICE = timedelta(hours=72)


class ControlArea(models.TextChoices):
    """The control areas of the BSSN 4/2021 web-application security standard."""

    AUTHENTICATION = "autentikasi", _("Authentication")
    SESSION = "sesi", _("Session management")
    ACCESS = "kontrol_akses", _("Access control")
    INPUT = "validasi_input", _("Input validation")
    CRYPTOGRAPHY = "kriptografi", _("Cryptography")
    ERRORS_LOGS = "eror_log", _("Error handling and logging")
    DATA = "proteksi_data", _("Data protection")
    COMMUNICATION = "komunikasi", _("Communication security")
    MALICIOUS = "kode_berbahaya", _("Malicious code")
    LOGIC = "logika_bisnis", _("Business logic")
    FILES = "file", _("Files")
    API = "api", _("API and web services")
    CONFIGURATION = "konfigurasi", _("Configuration")


class ControlStatus(models.TextChoices):
    NOT_MET = "belum", _("Not met")
    PARTIAL = "sebagian", _("Partly met")
    MET = "terpenuhi", _("Met")
    NOT_APPLICABLE = "tidak_berlaku", _("Not applicable")


class SecurityControl(AgencyOwnedModel):
    application = models.ForeignKey("inventory.Application", on_delete=models.PROTECT, related_name="+")
    area = models.CharField(_("control area"), max_length=20, choices=ControlArea.choices)
    status = models.CharField(_("status"), max_length=15, choices=ControlStatus.choices, default=ControlStatus.NOT_MET)
    evidence = models.TextField(_("evidence"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application_id", "area"]
        constraints = [
            models.UniqueConstraint(fields=["application", "area"], name="governance_control_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.area}"


class Severity(models.TextChoices):
    LOW = "rendah", _("Low")
    MEDIUM = "sedang", _("Medium")
    HIGH = "tinggi", _("High")
    CRITICAL = "kritis", _("Critical")


class Incident(AgencyOwnedModel):
    class Status(models.TextChoices):
        OPEN = "dibuka", _("Open")
        HANDLING = "ditangani", _("Being handled")
        CLOSED = "ditutup", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    application = models.ForeignKey(
        "inventory.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data_centre = models.ForeignKey(
        "inventory.DataCentre", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detected_at = models.DateTimeField(_("detected at"))
    personal_data = models.BooleanField(_("personal data involved"), default=False)
    notified_at = models.DateTimeField(_("data subjects and authority notified at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-detected_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def notice_due(self) -> datetime | None:
        return self.detected_at + BREACH_NOTICE if self.personal_data else None


class IncidentEvent(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    note = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.note[:60]


class AuditStage(models.TextChoices):
    PLAN = "perencanaan", _("Planning")
    FIELDWORK = "pelaksanaan", _("Fieldwork")
    REPORT = "pelaporan", _("Reporting")
    FOLLOW_UP = "tindak_lanjut", _("Follow-up")
    CLOSED = "selesai", _("Closed")


AUDIT_STAGE_ORDER = list(AuditStage.values)


class AuditEngagement(ScopedByPath, models.Model):
    """An internal ICT audit of an instansi (Peraturan BSSN 8/2024: plan → fieldwork → report → follow-up)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    scope = models.TextField(_("scope"))
    auditor = models.CharField(_("auditor"), max_length=200)
    stage = models.CharField(_("stage"), max_length=15, choices=AuditStage.choices, default=AuditStage.PLAN)
    report_summary = models.TextField(_("report summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_institution_path = "institution_id"

    class Meta:
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title


class AuditFinding(AgencyOwnedModel):
    class FollowUp(models.TextChoices):
        OPEN = "belum", _("Not followed up")
        ONGOING = "proses", _("In progress")
        DONE = "selesai", _("Done")

    engagement = models.ForeignKey(AuditEngagement, on_delete=models.CASCADE, related_name="findings")
    application = models.ForeignKey(
        "inventory.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risk = models.ForeignKey("governance.Risk", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("finding"), max_length=200)
    recommendation = models.TextField(_("recommendation"))
    follow_up = models.CharField(_("follow-up"), max_length=10, choices=FollowUp.choices, default=FollowUp.OPEN)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)

    class Meta:
        ordering = ["engagement_id", "id"]

    def __str__(self) -> str:
        return self.title
