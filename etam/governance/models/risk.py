"""Risk register (PermenPANRB 5/2020): context per instansi, risks, treatments, monitoring,
and the matrix as versioned reference data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from etam.core.models import AgencyOwnedModel, Institution, ScopedByPath, Timestamped


class RiskScale(models.Model):
    """One version of the matrix and level bands (reference data, never edited in place)."""

    code = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    source = models.TextField()
    is_current = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="governance_scale_version_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_current=True), name="governance_one_current_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class RiskCell(models.Model):
    scale = models.ForeignKey(RiskScale, on_delete=models.CASCADE, related_name="cells")
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    magnitude = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scale", "likelihood", "impact"], name="governance_cell_unique")]

    def __str__(self) -> str:
        return f"{self.likelihood}×{self.impact}={self.magnitude}"


class RiskBand(models.Model):
    scale = models.ForeignKey(RiskScale, on_delete=models.CASCADE, related_name="bands")
    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=40)
    low = models.PositiveSmallIntegerField()
    high = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.level} {self.name}"


class RiskContext(ScopedByPath, models.Model):
    """Selera risiko and criteria of an instansi for a year."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    appetite = models.PositiveSmallIntegerField(
        _("risk appetite (highest accepted magnitude)"), help_text=_("A magnitude from 1 to 25")
    )
    appetite_statement = models.TextField(_("appetite statement"))
    likelihood_criteria = models.TextField(_("likelihood criteria"), blank=True)
    impact_criteria = models.TextField(_("impact criteria"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_institution_path = "institution_id"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="governance_context_year_unique"),
            models.CheckConstraint(condition=Q(appetite__gte=1, appetite__lte=25), name="governance_appetite_range"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.year}"


class RiskCategory(models.TextChoices):
    ARCHITECTURE = "arsitektur", _("Architecture")
    BUSINESS_PROCESS = "proses_bisnis", _("Business process")
    PLAN_BUDGET = "rencana_anggaran", _("Plan and budget")
    INNOVATION = "inovasi", _("Innovation")
    COMPLIANCE = "kepatuhan", _("Compliance")
    PROCUREMENT = "pbj", _("Procurement")
    PROJECT = "proyek", _("Project")
    DATA = "data", _("Data")
    INFRASTRUCTURE = "infrastruktur", _("Infrastructure")
    SECURITY = "keamanan", _("Security")
    SERVICE = "layanan", _("Service")
    PEOPLE = "sdm", _("Human resources")
    DISASTER = "bencana_alam", _("Natural disaster")
    APPLICATION = "aplikasi", _("Application")


class ImpactArea(models.TextChoices):
    FINANCIAL = "finansial", _("Financial")
    REPUTATION = "reputasi", _("Reputation")
    PERFORMANCE = "kinerja", _("Performance")
    SERVICE = "layanan_organisasi", _("Organisational service")
    OPERATIONS = "operasional_aset_tik", _("Operations and ICT assets")
    LEGAL = "hukum", _("Legal")
    PEOPLE = "sdm", _("Human resources")


class AssetKind(models.TextChoices):
    APPLICATION = "aplikasi", _("Application")
    INFRASTRUCTURE = "infrastruktur", _("Infrastructure")
    DATASET = "dataset", _("Dataset")
    PROCESS = "proses", _("Process")


class RiskStatus(models.TextChoices):
    OPEN = "terbuka", _("Open")
    TREATED = "ditangani", _("Being treated")
    CLOSED = "ditutup", _("Closed")


def _scale_checks(prefix: str, nullable: bool) -> list[models.CheckConstraint]:
    out = []
    for name in ("likelihood", "impact"):
        field = f"{prefix}{name}"
        condition = Q(**{f"{field}__gte": 1, f"{field}__lte": 5})
        if nullable:
            condition |= Q(**{f"{field}__isnull": True})
        out.append(models.CheckConstraint(condition=condition, name=f"governance_risk_{field}_range"))
    return out


class Risk(AgencyOwnedModel, Timestamped):
    title = models.CharField(_("risk"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    impact_area = models.CharField(_("impact area"), max_length=25, choices=ImpactArea.choices)
    positive = models.BooleanField(_("positive risk (opportunity)"), default=False)
    asset_kind = models.CharField(_("linked to"), max_length=15, choices=AssetKind.choices)
    application = models.ForeignKey(
        "inventory.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data_centre = models.ForeignKey(
        "inventory.DataCentre", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    asset_reference = models.CharField(
        _("dataset or process"), max_length=200, blank=True, help_text=_("Dataset name or business process")
    )
    causes = models.TextField(_("causes"))
    consequences = models.TextField(_("consequences"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scale = models.ForeignKey(RiskScale, on_delete=models.PROTECT, related_name="+")
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    magnitude = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField()
    residual_likelihood = models.PositiveSmallIntegerField(_("residual likelihood"), null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    residual_magnitude = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_level = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-magnitude", "title", "id"]
        constraints = [*_scale_checks("", False), *_scale_checks("residual_", True)]

    def __str__(self) -> str:
        return self.title


class Treatment(ScopedByPath, models.Model):
    class Status(models.TextChoices):
        PLANNED = "rencana", _("Planned")
        ONGOING = "berjalan", _("Ongoing")
        DONE = "selesai", _("Done")

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="treatments")
    action = models.TextField(_("treatment"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_institution_path = "risk.institution_id"
    scope_agency_path = "risk.agency_id"

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.action[:60]


class Monitoring(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="monitoring")
    period = models.DateField(_("period"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    magnitude = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField()
    note = models.TextField(_("note"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.magnitude}"
