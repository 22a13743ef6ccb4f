"""Choice sets that more than one module uses with the same values, labels and meaning."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceStatus(models.TextChoices):
    """The lifecycle of a service an OPD offers, public (``eservices.Service``) or to other
    systems (``interop.DataService``): drafted, then open to use, then retired."""

    DRAFT = "draf", _("Draft")
    ACTIVE = "aktif", _("Active")
    RETIRED = "nonaktif", _("Retired")
