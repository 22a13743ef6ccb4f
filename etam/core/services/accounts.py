"""Business operations on existing staff accounts: edit contact details, deactivate, reactivate.

Who may manage an account follows who may grant (docs/adr/0005-roles-and-scoped-grants.md):
the actor must be allowed to grant (and so to revoke) *every* active role the person
holds. So an admin OPD manages only staff whose grants all lie within their OPD, an admin
instansi staff within their instansi, and only the super admin manages a super admin or a
staff account without any grant. Nobody deactivates themselves, and the last active super
admin stays active. A deactivated account cannot sign in, its sessions end and its API
tokens stop working (the authentication backends and the token auth check ``is_active``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from etam.core.actors import Actor
from etam.core.changes import record_change
from etam.core.models import Role, RoleGrant, User
from etam.core.permissions import forget_cached_grants
from etam.core.services._common import FieldErrors, is_super_admin, require_authenticated
from etam.core.services.people import _clean_email, _clean_phone, may_grant, save_contact_changes
from etam.core.validators import normalise_phone

EDITABLE_FIELDS = ("full_name", "email", "phone")


def may_manage_account(actor: Actor, user: User) -> bool:
    """Whether ``actor`` may edit, deactivate or reactivate the staff account ``user``."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if user.kind != User.Kind.STAFF:
        return False
    if is_super_admin(actor):
        return True
    grants = list(RoleGrant.objects.active().filter(user=user).select_related("institution", "agency"))
    if not grants:
        return False
    return all(may_grant(actor, g.role, institution=g.institution, agency=g.agency) for g in grants)


def _require_manage(actor: Actor, user: User) -> None:
    require_authenticated(actor)
    if not may_manage_account(actor, user):
        raise PermissionDenied(_("You may not manage this staff account."))


def _scope_of(user: User) -> tuple[int | None, int | None]:
    """The instansi/OPD an account event is filed under (for the scoped audit viewer)."""
    grant = RoleGrant.objects.active().filter(user=user).order_by("id").first()
    if grant is None:
        return None, None
    return grant.institution_id, grant.agency_id


def staff_user_update(*, actor: Actor, user: User, full_name: str, email: str, phone: str | None = None) -> User:
    """Change a staff member's name, email and phone number (one audit event with before/after)."""
    _require_manage(actor, user)
    errors = FieldErrors()
    name = (full_name or "").strip()
    if not name:
        errors.add("full_name", _("Full name: enter the person's full name."), "required")
    new_email = (email or "").strip()
    clean_email: str | None = user.email
    if not new_email:
        errors.add("email", _("Email: enter an email address, e.g. nama@kaltimprov.go.id."), "required")
    elif User.objects.normalize_email(new_email).lower() != (user.email or "").lower():
        clean_email = _clean_email(errors, new_email, required=True)
    raw_phone = (phone or "").strip()
    clean_phone: str | None = user.phone
    if not raw_phone:
        clean_phone = None
    else:
        normalised = normalise_phone(raw_phone, strict=False)
        if normalised is None or normalised != user.phone:
            clean_phone = _clean_phone(errors, raw_phone)
    errors.raise_if_any()
    before = {f: getattr(user, f) for f in EDITABLE_FIELDS}
    after = {"full_name": name, "email": clean_email, "phone": clean_phone}
    if before == after:
        return user
    institution_id, agency_id = _scope_of(user)
    save_contact_changes(
        actor=actor,
        user=user,
        before=before,
        after=after,
        action="core.staff_user_update",
        institution_id=institution_id,
        agency_id=agency_id,
    )
    return user


def _is_last_super_admin(user: User) -> bool:
    holds = RoleGrant.objects.active().filter(user=user, role=Role.SUPER_ADMIN).exists()
    if not holds:
        return False
    return (
        not RoleGrant.objects.active().filter(role=Role.SUPER_ADMIN, user__is_active=True).exclude(user=user).exists()
    )


def _set_active(*, actor: Actor, user: User, active: bool, action: str) -> User:
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        forget_cached_grants(user)
        institution_id, agency_id = _scope_of(user)
        record_change(
            actor,
            action,
            user,
            ["is_active"],
            before={"is_active": not active},
            institution_id=institution_id,
            agency_id=agency_id,
        )
    return user


def staff_user_deactivate(*, actor: Actor, user: User) -> User:
    """Close a staff account: no sign-in, no session, no API token. Grants stay as they are,
    so reactivating restores the same access."""
    _require_manage(actor, user)
    if user.pk == actor.pk:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    if not user.is_active:
        raise ValidationError(
            {"is_active": [ValidationError(_("Account: this account is already inactive."), code="inactive")]}
        )
    if _is_last_super_admin(user):
        raise ValidationError(
            {
                "is_active": [
                    ValidationError(
                        _("Account: this is the last active super admin; grant the role to someone else first."),
                        code="last",
                    )
                ]
            }
        )
    return _set_active(actor=actor, user=user, active=False, action="core.staff_user_deactivate")


def staff_user_reactivate(*, actor: Actor, user: User) -> User:
    """Open a deactivated staff account again."""
    _require_manage(actor, user)
    if user.is_active:
        raise ValidationError(
            {"is_active": [ValidationError(_("Account: this account is already active."), code="active")]}
        )
    return _set_active(actor=actor, user=user, active=True, action="core.staff_user_reactivate")
