"""Organisations: instansi (a regional government) → perangkat daerah (OPD) → unit."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from etam.core.models.named import Named
from etam.core.models.scope import ScopedByPath
from etam.core.models.stamps import Timestamped

CODE_HELP = _("Short upper-case code, e.g. DISKOMINFO. Used in tracking numbers.")


class Institution(ScopedByPath, Named, Timestamped):
    """Instansi: Pemerintah Provinsi Kalimantan Timur or one of the 10 Pemerintah Kabupaten/Kota."""

    class Kind(models.TextChoices):
        PROVINCE = "provinsi", _("Provincial government")
        REGENCY = "kabupaten", _("Regency government")
        CITY = "kota", _("City government")

    region_code = models.CharField(_("region code"), max_length=13, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)

    class Meta:
        ordering = ["region_code"]
        verbose_name = _("institution (instansi)")
        verbose_name_plural = _("institutions (instansi)")

    # Scope of this object for the permission engine.
    scope_institution_path = "pk"


class Agency(ScopedByPath, Timestamped):
    """Perangkat daerah (OPD): dinas, badan, biro, inspektorat, sekretariat, kecamatan..."""

    class Kind(models.TextChoices):
        DINAS = "dinas", _("Dinas (service agency)")
        BADAN = "badan", _("Badan (board)")
        BIRO = "biro", _("Biro (bureau of the regional secretariat)")
        SEKRETARIAT = "sekretariat", _("Secretariat")
        INSPEKTORAT = "inspektorat", _("Inspectorate")
        SATPOL = "satpol", _("Civil service police unit")
        KECAMATAN = "kecamatan", _("District office")
        RSUD = "rsud", _("Regional hospital")
        OTHER = "lainnya", _("Other")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="agencies")
    code = models.CharField(_("code"), max_length=20, help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DINAS)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["institution__region_code", "code"]
        verbose_name = _("agency (perangkat daerah)")
        verbose_name_plural = _("agencies (perangkat daerah)")
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="agency_code_unique_per_institution")
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    scope_institution_path = "institution_id"
    scope_agency_path = "pk"


class OrgUnit(ScopedByPath, Named, Timestamped):
    """A unit inside an OPD (bidang, seksi, UPTD); may nest."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["agency_id", "code"]
        verbose_name = _("unit")
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="orgunit_code_unique_per_agency")]

    scope_institution_path = "agency.institution_id"
    scope_agency_path = "agency_id"


class AgencyOwned(ScopedByPath):
    """Mixin for models that belong to one OPD and keep its instansi denormalised.

    The model declares ``agency`` and ``institution`` foreign keys; this mixin fills the
    instansi from the OPD on save when it is missing (so scoping queries need no join)
    and exposes the scope the permission engine reads.
    """

    agency: Agency
    agency_id: int
    institution_id: int

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.agency_id and not self.institution_id:
            self.institution_id = self.agency.institution_id
        super().save(*args, **kwargs)  # type: ignore[misc]

    scope_institution_path = "institution_id"
    scope_agency_path = "agency_id"


class AgencyOwnedModel(AgencyOwned, models.Model):
    """``AgencyOwned`` with its two keys declared once, for the records that need no
    reverse accessor on the OPD or the instansi (``related_name="+"``). A model whose keys
    differ (a reverse name, nullable, one-to-one) uses the mixin and declares its own."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
