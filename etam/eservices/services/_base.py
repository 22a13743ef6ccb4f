"""The refusal every eservices operation raises (the permission names are in ``etam.eservices.permissions``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from etam.core.actors import Actor
from etam.core.permissions import Scope, has_perm
from etam.eservices.models import (
    Application,
)
from etam.eservices.permissions import PERM_PROCESS


class ApplicationRefused(Exception):
    """A submission or action that cannot be accepted; ``errors`` maps field → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _check_staff(actor: Actor, application: Application) -> None:
    if not has_perm(actor, PERM_PROCESS, Scope(application.institution_id, application.agency_id)):
        raise PermissionDenied(_("You do not have permission for this action."))
