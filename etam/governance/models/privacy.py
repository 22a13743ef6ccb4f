"""Personal-data processing register (UU 27/2022) and the DPO contact per instansi."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from etam.core.models import AgencyOwnedModel, Institution, Named, ScopedByPath


class LegalBasis(models.TextChoices):
    """UU 27/2022 Pasal 20 ayat (2)."""

    CONSENT = "persetujuan", _("Explicit consent")
    CONTRACT = "perjanjian", _("Performance of a contract")
    LEGAL_OBLIGATION = "kewajiban_hukum", _("Legal obligation of the controller")
    VITAL_INTEREST = "kepentingan_vital", _("Vital interest of the data subject")
    PUBLIC_TASK = "tugas_publik", _("Public interest or official authority")
    LEGITIMATE_INTEREST = "kepentingan_sah", _("Other legitimate interest")


class ProcessingActivity(AgencyOwnedModel, Named):
    application = models.ForeignKey("inventory.Application", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("processing activity"), max_length=200)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    data_categories = models.TextField(_("data categories"))
    specific_data = models.BooleanField(_("specific personal data (Pasal 4 ayat 2)"), default=False)
    recipients = models.TextField(_("recipients"), blank=True)
    retention = models.CharField(_("retention"), max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application_id", "name"]


class DataProtectionOfficer(ScopedByPath, Named):
    institution = models.OneToOneField(Institution, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_institution_path = "institution_id"
