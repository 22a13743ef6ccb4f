"""Permissions and the refusal every eservices operation raises."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from etam.core.actors import Actor
from etam.core.models import Role
from etam.core.permissions import Scope, has_perm
from etam.eservices.models import (
    Application,
)

PERM_MANAGE = "eservices.manage_service"
PERM_PROCESS = "eservices.process_application"
PERM_VIEW = "eservices.view_application"
PERM_STATS = "eservices.view_statistics"
PERM_REVOKE = "eservices.revoke_document"
PERM_ESCALATION = "eservices.receive_escalation"
PERM_SIGN = "eservices.sign_document"

ROLE_PERMISSIONS = {
    Role.SERVICE_OFFICER: {PERM_PROCESS, PERM_VIEW},
    Role.AGENCY_ADMIN: {PERM_MANAGE, PERM_PROCESS, PERM_VIEW, PERM_STATS, PERM_REVOKE, PERM_ESCALATION},
    Role.INSTITUTION_ADMIN: {PERM_VIEW, PERM_STATS},
    Role.SPBE_COORDINATOR: {PERM_STATS},
    Role.SIGNATORY: {PERM_SIGN, PERM_VIEW},
}


class ApplicationRefused(Exception):
    """A submission or action that cannot be accepted; ``errors`` maps field → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _check_staff(actor: Actor, application: Application) -> None:
    if not has_perm(actor, PERM_PROCESS, Scope(application.institution_id, application.agency_id)):
        raise PermissionDenied(_("You do not have permission for this action."))
