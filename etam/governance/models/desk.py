"""Service desk: OPD requests to Diskominfo, and the new-application proposal with its gate."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from etam.core.models import AgencyOwnedModel, Named, ScopedByPath


class RequestKind(models.TextChoices):
    NEW_APPLICATION = "aplikasi_baru", _("New application")
    CHANGE = "perubahan", _("Change to an application")
    HOSTING = "hosting", _("Hosting")
    DOMAIN = "domain", _("Domain or subdomain")
    INCIDENT = "insiden", _("Incident")
    DATA_ACCESS = "akses_data", _("Data access")


# SLA in working days per kind (docs/adr/0140); the proposal's is the longest (analysis and gate).
SLA_DAYS = {
    RequestKind.NEW_APPLICATION: 20,
    RequestKind.CHANGE: 10,
    RequestKind.HOSTING: 5,
    RequestKind.DOMAIN: 3,
    RequestKind.INCIDENT: 1,
    RequestKind.DATA_ACCESS: 5,
}


class RequestStatus(models.TextChoices):
    FILED = "diajukan", _("Filed")
    IN_PROGRESS = "diproses", _("In progress")
    DONE = "selesai", _("Done")
    REJECTED = "ditolak", _("Rejected")


class ServiceRequest(AgencyOwnedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.FILED)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sla_days = models.PositiveSmallIntegerField(_("SLA (working days)"))
    filed_on = models.DateField(_("filed on"))
    due_on = models.DateField(_("due on"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["institution", "agency", "status"])]

    def __str__(self) -> str:
        return self.title


class RequestComment(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class RequestFile(Named):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="governance/%Y/%m/")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Decision(models.TextChoices):
    APPROVE = "setujui", _("Approve")
    REJECT = "tolak", _("Reject")
    REUSE = "pakai_ulang", _("Reuse an existing application")


class ApplicationProposal(ScopedByPath, Named):
    """The Dokumen Analisis Kebutuhan of a new application (Permen Komdigi 6/2025 Pasal 7)
    and the gate's results: duplicate check, reference-architecture mapping, decision."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="proposal")
    name = models.CharField(_("application name"), max_length=150)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.TextField(_("legal basis"))
    problem = models.TextField(_("problem"))
    audit_findings = models.TextField(_("audit findings"), blank=True)
    scope = models.TextField(_("scope"))
    cost_benefit = models.TextField(_("cost-benefit"))
    initial_risk = models.TextField(_("initial risk analysis"))
    datasets = models.JSONField(_("datasets"), default=list, blank=True)
    raa_code = models.CharField(_("application reference code"), max_length=5, blank=True)
    business_process_code = models.CharField(_("business process code"), max_length=11, blank=True)
    duplicate_matches = models.JSONField(default=list, blank=True)
    duplicate_checked_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reuse_application = models.ForeignKey(
        "inventory.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_application = models.ForeignKey(
        "inventory.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_institution_path = "request.institution_id"
    scope_agency_path = "request.agency_id"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | ~Q(decision_reason=""), name="governance_decision_has_reason"
            )
        ]

    @property
    def flagged(self) -> bool:
        return bool(self.duplicate_matches)
