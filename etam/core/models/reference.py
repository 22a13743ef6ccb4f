"""Reference data: the Kemendagri kode wilayah tree, versioned, and what hangs off it.

Region codes change (IKN is being carved out of 64.02 and 64.09), so a region row is
never edited in place: a load that renames or retires a code closes the old row
(``retired_by``) and opens a new one. ``Region.current`` is what the rest of Etam uses.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "provinsi", _("Province")
    REGENCY_CITY = "kabupaten_kota", _("Regency/City")
    DISTRICT = "kecamatan", _("District (kecamatan)")
    VILLAGE = "desa_kelurahan", _("Village (desa/kelurahan)")


class ReferenceLoad(models.Model):
    """One run of the reference-data loader: which source, which edition, what it changed."""

    dataset = models.CharField(_("dataset"), max_length=64)
    edition = models.CharField(_("edition"), max_length=200, help_text=_("e.g. Kepmendagri 300.2.2-2430/2025"))
    source_file = models.CharField(_("source file"), max_length=255)
    source_sha256 = models.CharField(_("source SHA-256"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    retired_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        verbose_name = _("reference data load")

    def __str__(self) -> str:
        return f"{self.dataset} {self.edition} @ {self.loaded_at:%Y-%m-%d}"


class RegionQuerySet(models.QuerySet["Region"]):
    def current(self) -> RegionQuerySet:
        return self.filter(retired_by__isnull=True)


class Region(models.Model):
    code = models.CharField(_("region code"), max_length=13, help_text=_("Dotted Kemendagri code, e.g. 64.72.01.1001"))
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=20, choices=RegionLevel.choices)
    kind = models.CharField(
        _("kind"), max_length=20, help_text=_("Provinsi, Kabupaten, Kota, Kecamatan, Desa, Kelurahan, Desa Adat")
    )
    parent_code = models.CharField(_("parent code"), max_length=13, blank=True)
    introduced_by = models.ForeignKey(ReferenceLoad, on_delete=models.PROTECT, related_name="introduced_regions")
    retired_by = models.ForeignKey(
        ReferenceLoad, on_delete=models.PROTECT, null=True, blank=True, related_name="retired_regions"
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(retired_by__isnull=True), name="region_current_code_unique"
            ),
        ]
        indexes = [models.Index(fields=["parent_code", "level"]), models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_current(self) -> bool:
        return self.retired_by_id is None


class RegionKeyed(models.Model):
    """A row of a reference dataset about one region, keyed by its code and set in place
    by each load that changes it (``reference_loader._upsert_by_code``): the code, the
    load, the order and how it reads, declared once."""

    code = models.CharField(_("region code"), max_length=13, unique=True)
    load = models.ForeignKey(ReferenceLoad, on_delete=models.PROTECT)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class RegionBoundary(RegionKeyed):
    """Simplified polygon (GeoJSON, WGS84) for drawing server-side SVG maps; not cadastral."""

    level = models.CharField(_("level"), max_length=20, choices=RegionLevel.choices)
    geometry = models.JSONField(_("geometry (GeoJSON)"))
    centroid_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    centroid_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta(RegionKeyed.Meta):
        verbose_name = _("region boundary")


class RegionStatistic(RegionKeyed):
    """Population (Dukcapil semester II 2024) and area (BIG 2024) per kab/kota and province."""

    area_km2 = models.DecimalField(_("area (km²)"), max_digits=12, decimal_places=3)
    population_male = models.PositiveIntegerField(_("male population"))
    population_female = models.PositiveIntegerField(_("female population"))
    population_total = models.PositiveIntegerField(_("total population"))

    class Meta(RegionKeyed.Meta):
        verbose_name = _("region statistic")


class BpsCrosswalk(models.Model):
    """BPS ↔ Kemendagri code bridge (BPS 2020). The two code systems differ inside Kaltim."""

    level = models.CharField(_("level"), max_length=20, choices=RegionLevel.choices)
    bps_code = models.CharField(_("BPS code"), max_length=10, unique=True)
    bps_name = models.CharField(_("BPS name"), max_length=120)
    kemendagri_code = models.CharField(_("Kemendagri code"), max_length=13, db_index=True)
    kemendagri_name_2020 = models.CharField(max_length=120)
    load = models.ForeignKey(ReferenceLoad, on_delete=models.PROTECT)

    class Meta:
        ordering = ["bps_code"]
        verbose_name = _("BPS–Kemendagri crosswalk row")

    def __str__(self) -> str:
        return f"{self.bps_code} → {self.kemendagri_code}"
