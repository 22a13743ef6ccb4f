"""Arsitektur SPBE: applications, national Aplikasi Umum, infrastructure, village connectivity.

Scoping follows the core permission engine: an application, data centre or network
link belongs to an instansi (and, for most, to one OPD inside it); a village belongs to
the instansi whose kode wilayah is a prefix of the village's code (the province covers
every village, a kabupaten/kota its own).
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from etam.core.models import Agency, AgencyOwned, Institution, Named, ScopedByPath, Timestamped
from etam.inventory.reference import RAA_CHOICES


class NationalApplication(Named):
    """A national Aplikasi Umum (SRIKANDI, SP4N-LAPOR!, ...): editable reference data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    owner = models.CharField(_("national owner"), max_length=200, blank=True)
    raa_code = models.CharField(_("application reference code"), max_length=5, choices=RAA_CHOICES, default="01.02")
    business_process_code = models.CharField(_("business process code"), max_length=11, blank=True)
    purpose = models.TextField(
        _("purpose"), help_text=_("What it does; used to find local applications that duplicate it")
    )
    keywords = models.CharField(_("keywords"), max_length=255, blank=True, help_text=_("Comma separated"))
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    designation_verified = models.BooleanField(
        _("designation verified"), default=False, help_text=_("A KepmenPANRB designation number has been confirmed")
    )
    url = models.URLField(_("URL"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("national Aplikasi Umum")
        verbose_name_plural = _("national Aplikasi Umum")


class Lifecycle(models.TextChoices):
    PLANNED = "rencana", _("Planned (rencana)")
    DEVELOPMENT = "pengembangan", _("In development (pengembangan)")
    PRODUCTION = "produksi", _("In production (produksi)")
    RETIRED = "dihentikan", _("Retired (dihentikan)")


class Hosting(models.TextChoices):
    PDN = "pdn", _("Pusat Data Nasional (PDN/PDNS)")
    OWN_DC = "pusat_data_sendiri", _("Own data centre / server room")
    CLOUD = "cloud", _("Commercial cloud")
    OTHER = "lainnya", _("Other")


class ApplicationKind(models.TextChoices):
    GENERAL = "umum", _("Aplikasi Umum (national, shared)")
    SPECIFIC = "khusus", _("Aplikasi Khusus (own)")


class ApplicationQuerySet(models.QuerySet["Application"]):
    def with_relations(self) -> ApplicationQuerySet:
        return self.select_related("agency", "institution", "national_application", "data_centre")


class Application(AgencyOwned, Named, Timestamped):
    """An application (aplikasi SPBE) owned by an OPD."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="applications")
    name = models.CharField(_("name"), max_length=150)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    purpose = models.TextField(_("purpose"))
    kind = models.CharField(_("kind"), max_length=10, choices=ApplicationKind.choices, default=ApplicationKind.SPECIFIC)
    national_application = models.ForeignKey(
        NationalApplication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instances",
        verbose_name=_("national Aplikasi Umum"),
    )
    raa_code = models.CharField(_("application reference code"), max_length=5, choices=RAA_CHOICES, blank=True)
    business_process_code = models.CharField(_("business process code"), max_length=11, blank=True, db_index=True)
    service_code = models.CharField(_("service code"), max_length=11, blank=True)
    datasets = models.JSONField(_("datasets produced or used"), default=list, blank=True)
    hosting = models.CharField(_("hosting"), max_length=20, choices=Hosting.choices, default=Hosting.OWN_DC)
    data_centre = models.ForeignKey(
        "DataCentre",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("data centre"),
    )
    url = models.URLField(_("URL"), max_length=300, blank=True)
    technology = models.CharField(_("technology"), max_length=200, blank=True)
    lifecycle = models.CharField(_("lifecycle"), max_length=15, choices=Lifecycle.choices, default=Lifecycle.PRODUCTION)
    user_groups = models.CharField(_("users"), max_length=255, blank=True, help_text=_("Who uses it"))
    user_count = models.PositiveIntegerField(_("number of users"), null=True, blank=True)
    integrations_provided = models.JSONField(_("integrations provided"), default=list, blank=True)
    integrations_consumed = models.JSONField(_("integrations consumed"), default=list, blank=True)
    uses_splp = models.BooleanField(_("connected to SPLP"), default=False)
    last_security_audit = models.DateField(_("last security audit"), null=True, blank=True)
    sso = models.BooleanField(_("single sign-on"), default=False)
    content_signature = models.CharField(max_length=16, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("application")
        indexes = [
            models.Index(fields=["institution", "agency"]),
            models.Index(fields=["lifecycle"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["hosting"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="khusus") | Q(national_application__isnull=False),
                name="application_umum_links_national",
            )
        ]

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.content_signature = self.compute_signature()
        super().save(*args, **kwargs)

    def compute_signature(self) -> str:
        """Digest of what duplicate detection reads; a dismissed pair comes back when it changes."""
        payload = [
            self.name,
            self.acronym,
            self.purpose,
            self.kind,
            self.national_application_id,
            self.business_process_code,
            self.service_code,
            sorted(self.datasets or []),
        ]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:16]


class DuplicateStatus(models.TextChoices):
    OPEN = "terbuka", pgettext_lazy("duplicate status", "Open")
    CONFIRMED = "dikonfirmasi", _("Confirmed duplicate")
    DISMISSED = "ditolak", _("Dismissed")
    MERGE_PLANNED = "rencana_gabung", _("Merge planned")


class DuplicateFlag(ScopedByPath, models.Model):
    """A candidate duplicate: two applications, or an application and a national Aplikasi Umum."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Application, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    national_application = models.ForeignKey(
        NationalApplication, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("why"), default=list)
    status = models.CharField(_("status"), max_length=15, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    signature_a = models.CharField(max_length=16)
    signature_b = models.CharField(max_length=16, blank=True)
    institution_a = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    institution_b = models.ForeignKey(Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    detected_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("duplicate candidate")
        constraints = [
            models.CheckConstraint(
                condition=Q(other__isnull=False, national_application__isnull=True)
                | Q(other__isnull=True, national_application__isnull=False),
                name="duplicateflag_one_counterpart",
            ),
            models.UniqueConstraint(
                fields=["application", "other"], condition=Q(other__isnull=False), name="duplicateflag_unique_pair"
            ),
            models.UniqueConstraint(
                fields=["application", "national_application"],
                condition=Q(national_application__isnull=False),
                name="duplicateflag_unique_national",
            ),
        ]
        indexes = [models.Index(fields=["status", "institution_a"]), models.Index(fields=["status", "institution_b"])]

    def __str__(self) -> str:
        counterpart = (self.other_id and f"#{self.other_id}") or f"national #{self.national_application_id}"
        return f"#{self.application_id} ~ {counterpart} ({self.score:.2f})"

    scope_institution_path = "institution_a_id"

    @property
    def is_national(self) -> bool:
        return self.national_application_id is not None


class DataCentre(ScopedByPath, Named, Timestamped):
    class Kind(models.TextChoices):
        DATA_CENTRE = "pusat_data", _("Data centre")
        SERVER_ROOM = "ruang_server", _("Server room")
        NATIONAL = "pdn", _("Pusat Data Nasional (PDN/PDNS)")
        CLOUD = "cloud", _("Cloud region")

    class Tier(models.TextChoices):
        NONE = "", _("Not certified")
        TIER_1 = "tier_1", _("Tier I")
        TIER_2 = "tier_2", _("Tier II")
        TIER_3 = "tier_3", _("Tier III")
        TIER_4 = "tier_4", _("Tier IV")

    class Status(models.TextChoices):
        PLANNED = "rencana", _("Planned")
        OPERATIONAL = "operasional", _("Operational")
        DECOMMISSIONED = "dihentikan", _("Decommissioned")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.SERVER_ROOM)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, blank=True)
    standard = models.CharField(
        _("standard"), max_length=100, blank=True, help_text=_("e.g. ANSI/TIA-942, Uptime Institute, SNI ISO/IEC 27001")
    )
    location = models.CharField(_("location"), max_length=255, blank=True)
    region_code = models.CharField(_("region code"), max_length=13, blank=True)
    rack_capacity = models.PositiveIntegerField(_("rack capacity"), null=True, blank=True)
    racks_used = models.PositiveIntegerField(_("racks in use"), null=True, blank=True)
    power_kw = models.DecimalField(_("power capacity (kW)"), max_digits=8, decimal_places=1, null=True, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.OPERATIONAL)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name = _("data centre")

    scope_institution_path = "institution_id"
    scope_agency_path = "agency_id"


class NetworkLink(ScopedByPath, Named, Timestamped):
    """A link of the jaringan intra pemerintah daerah."""

    class Medium(models.TextChoices):
        FIBRE = "fiber", _("Fibre optic")
        WIRELESS = "nirkabel", _("Wireless / radio")
        VSAT = "vsat", _("VSAT")
        SATELLITE = "satelit", _("Satellite (LEO)")
        LEASED = "sewa", _("Leased line / MPLS")

    class Status(models.TextChoices):
        PLANNED = "rencana", _("Planned")
        ACTIVE = "aktif", _("Active")
        DOWN = "gangguan", _("Down")
        DECOMMISSIONED = "dihentikan", _("Decommissioned")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    endpoint_a = models.CharField(_("endpoint A"), max_length=150)
    endpoint_b = models.CharField(_("endpoint B"), max_length=150)
    data_centre = models.ForeignKey(
        DataCentre,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="links",
        verbose_name=_("data centre it reaches"),
    )
    bandwidth_mbps = models.PositiveIntegerField(_("bandwidth (Mbps)"))
    provider = models.CharField(_("provider"), max_length=100)
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices, default=Medium.FIBRE)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    connects_to_jip = models.BooleanField(_("connects to JIP"), default=False)

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name = _("network link")

    scope_institution_path = "institution_id"


class Coverage(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    NONE = "tidak_ada", _("No signal")
    G2 = "2g", _("2G")
    G3 = "3g", _("3G")
    G4 = "4g", _("4G")
    G5 = "5g", _("5G")


class VillageConnectivity(models.Model):
    """The connectivity of one desa or kelurahan (one row per current kode wilayah)."""

    region_code = models.CharField(_("region code"), max_length=13, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_kelurahan = models.BooleanField(_("kelurahan"), default=False)
    district_code = models.CharField(_("kecamatan code"), max_length=8, db_index=True)
    regency_code = models.CharField(_("kab/kota code"), max_length=5, db_index=True)
    coverage = models.CharField(_("cellular coverage"), max_length=10, choices=Coverage.choices, blank=True)
    in_programme = models.BooleanField(_("in the Internet Desa programme"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_code"]
        verbose_name = _("village connectivity")
        verbose_name_plural = _("village connectivity")

    def __str__(self) -> str:
        return f"{self.region_code} {self.name}"

    def snapshot(self, access_points: list[AccessPoint] | None = None) -> dict:
        points = access_points if access_points is not None else list(self.access_points.all())
        return {
            "coverage": self.coverage,
            "in_programme": self.in_programme,
            "notes": self.notes,
            "access_points": [p.snapshot() for p in points],
        }


class AccessPoint(models.Model):
    class Programme(models.TextChoices):
        INTERNET_DESA = "internet_desa", _("Internet Desa Gratis (provincial)")
        BAKTI = "bakti", _("BAKTI Komdigi")
        REGENCY = "kabkota", _("Regency/city programme")
        OTHER = "lainnya", _("Other")

    class Technology(models.TextChoices):
        FIBRE = "fiber", _("Fibre optic")
        WIRELESS = "nirkabel", _("Wireless")
        VSAT = "vsat", _("VSAT")
        SATELLITE = "satelit", _("Satellite (LEO)")

    class Power(models.TextChoices):
        GRID = "pln", _("Grid (PLN)")
        SOLAR = "surya", _("Solar")

    class Status(models.TextChoices):
        PLANNED = "rencana", _("Planned")
        ACTIVE = "aktif", _("Active")
        DOWN = "gangguan", _("Down")
        REMOVED = "dicabut", _("Removed")

    village = models.ForeignKey(VillageConnectivity, on_delete=models.CASCADE, related_name="access_points")
    site = models.CharField(_("site"), max_length=120, default="Kantor desa")
    programme = models.CharField(_("programme"), max_length=15, choices=Programme.choices)
    provider = models.CharField(_("provider"), max_length=100)
    technology = models.CharField(_("technology"), max_length=10, choices=Technology.choices)
    bandwidth_mbps = models.PositiveIntegerField(_("bandwidth (Mbps)"))
    power = models.CharField(_("power"), max_length=6, choices=Power.choices, default=Power.GRID)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["village_id", "id"]
        verbose_name = _("public internet access point")

    def __str__(self) -> str:
        return f"{self.site} ({self.get_technology_display()})"

    def snapshot(self) -> dict:
        return {
            "site": self.site,
            "programme": self.programme,
            "provider": self.provider,
            "technology": self.technology,
            "bandwidth_mbps": self.bandwidth_mbps,
            "power": self.power,
            "installed_on": self.installed_on.isoformat() if self.installed_on else None,
            "status": self.status,
        }


class ConnectivityChange(models.Model):
    """History of one village's connectivity: what it was before and after each change."""

    village = models.ForeignKey(VillageConnectivity, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=20, default="form")  # form, import, api, demo
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("connectivity change")

    def __str__(self) -> str:
        return f"{self.village_id} @ {self.changed_at:%Y-%m-%d %H:%M}"


class ProgrammeTarget(models.Model):
    """The Internet Desa target for one kab/kota, with the last figure reported publicly."""

    regency_code = models.CharField(_("kab/kota code"), max_length=5, unique=True)
    target_villages = models.PositiveIntegerField(_("target (desa)"))
    reported_connected = models.PositiveIntegerField(_("reported connected"), null=True, blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["regency_code"]
        verbose_name = _("Internet Desa programme target")

    def __str__(self) -> str:
        return f"{self.regency_code}: {self.target_villages}"


class ImportBatch(models.Model):
    """An uploaded file, parsed and validated, waiting for the user's decision."""

    class Kind(models.TextChoices):
        APPLICATIONS = "aplikasi", _("Applications")
        CONNECTIVITY = "konektivitas", _("Village connectivity")

    class Status(models.TextChoices):
        VALIDATED = "divalidasi", _("Validated, waiting")
        IMPORTED = "diimpor", _("Imported")
        CANCELLED = "dibatalkan", _("Cancelled")

    kind = models.CharField(max_length=15, choices=Kind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    rows = models.JSONField(default=list)  # [{"line": n, "data": {...}, "errors": [{"column":..,"message":..}]}]
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALIDATED)
    imported_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"

    @property
    def valid_rows(self) -> list[dict]:
        return [r for r in self.rows if not r["errors"]]

    @property
    def invalid_rows(self) -> list[dict]:
        return [r for r in self.rows if r["errors"]]
