"""Business operations on people: staff accounts, citizen accounts, role grants, sign-in factors.

Who may grant what (docs/adr/0005-roles-and-scoped-grants.md):

- the super admin may grant any role, anywhere, including super admin;
- whoever holds ``core.manage_grants`` over an instansi (admin instansi) may grant any
  role except super admin, within that instansi and its OPDs;
- whoever holds ``core.manage_grants`` over an OPD only (admin OPD) may grant only the
  OPD-scoped roles (petugas layanan, admin OPD, produsen data) within that OPD;
- nobody but the super admin grants a role to themselves;
- revoking follows the same rule as granting.

The rule falls out of the permission engine: an OPD-scoped grant never covers an
instansi-wide scope, so an admin OPD cannot reach the instansi roles.
"""

from __future__ import annotations

import time
from binascii import unhexlify
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from etam.core import audit
from etam.core.actors import Actor, Person
from etam.core.changes import record_change
from etam.core.models import Agency, Institution, Role, RoleGrant, User
from etam.core.models.people import AGENCY_SCOPED_ROLES, INSTITUTION_SCOPED_ROLES
from etam.core.permissions import Scope, active_grants, forget_cached_grants, has_perm, role_permissions
from etam.core.services._common import FieldErrors, is_super_admin, require_authenticated, unique_or
from etam.core.validators import is_staff_account, normalise_phone

USER_FIELDS = ("full_name", "email", "phone", "kind", "is_active")


# --- who may grant what --------------------------------------------------------------


def _already_registered() -> ValidationError:
    """The answer when the unique email/phone constraint caught a concurrent registration."""
    message = _("Email: this address or phone number is already registered.")
    return ValidationError({"email": [ValidationError(message, code="duplicate")]})


def grant_scope(role: str, institution: Institution | None, agency: Agency | None) -> Scope | None:
    """The scope a grant of ``role`` would cover (None for super admin)."""
    if role == Role.SUPER_ADMIN:
        return None
    if role in AGENCY_SCOPED_ROLES:
        return Scope(institution_id=agency.institution_id if agency else None, agency_id=agency.pk if agency else None)
    return Scope(institution_id=institution.pk if institution else None)


def may_grant(actor: Actor, role: str, *, institution: Institution | None = None, agency: Agency | None = None) -> bool:
    """Whether ``actor`` may grant (or revoke) ``role`` over that scope."""
    if role == Role.SUPER_ADMIN:
        return is_super_admin(actor)
    scope = grant_scope(role, institution, agency)
    return scope is not None and has_perm(actor, "core.manage_grants", scope)


def grantable_roles(actor: Actor) -> list[str]:
    """The roles ``actor`` could grant somewhere, for building choice lists.

    The service still checks the chosen scope; this only trims the menu.
    """
    if is_super_admin(actor):
        return list(Role.values)
    managing = [g for g in active_grants(actor) if "core.manage_grants" in role_permissions(g.role)]
    instansi_wide = any(g.agency_id is None for g in managing)
    return [
        role
        for role in Role.values
        if (role in AGENCY_SCOPED_ROLES and managing) or (role in INSTITUTION_SCOPED_ROLES and instansi_wide)
    ]


def _validate_grant_shape(
    errors: FieldErrors, role: str, institution: Institution | None, agency: Agency | None
) -> tuple[Institution | None, Agency | None]:
    if role not in Role.values:
        errors.add("role", _("Role: choose one of the listed roles."), "invalid_choice")
        return institution, agency
    if role == Role.SUPER_ADMIN:
        return None, None
    if role in AGENCY_SCOPED_ROLES:
        if agency is None:
            errors.add("agency", _("OPD: this role is held within one OPD; choose the OPD."), "required")
            return institution, agency
        if institution is not None and institution.pk != agency.institution_id:
            errors.add("agency", _("OPD: the OPD does not belong to the chosen instansi."), "mismatch")
        if not agency.is_active:
            errors.add(
                "agency",
                _("OPD: %(agency)s is inactive; roles cannot be granted in it."),
                "inactive",
                {"agency": str(agency)},
            )
        return agency.institution, agency
    # Instansi-wide roles.
    if agency is not None:
        errors.add("agency", _("OPD: this role covers a whole instansi; leave the OPD empty."), "not_allowed")
    if institution is None:
        errors.add("institution", _("Instansi: this role covers a whole instansi; choose the instansi."), "required")
    return institution, None


def _grant_summary(grant: RoleGrant) -> dict[str, Any]:
    return {
        "user": grant.user_id,
        "role": grant.role,
        "institution": grant.institution_id,
        "agency": grant.agency_id,
    }


def _create_grant(
    *, actor: Person | None, user: User, role: str, institution: Institution | None, agency: Agency | None
) -> RoleGrant:
    grant = RoleGrant(
        user=user, role=role, institution=institution, agency=agency, granted_by=actor, granted_at=timezone.now()
    )
    grant.save()
    forget_cached_grants(user)
    return grant


def record_new_grant(
    *, actor: Person | None, user: User, role: str, institution: Institution | None, agency: Agency | None
) -> RoleGrant:
    """Write a grant and its audit event (``core.role_grant_create``). Who may grant is the
    caller's to check: ``role_grant_create`` for people, the demo loader (``actor=None``) for itself."""
    grant = _create_grant(actor=actor, user=user, role=role, institution=institution, agency=agency)
    _audit_grant(actor, "core.role_grant_create", grant, after=_grant_summary(grant))
    return grant


def role_grant_create(
    *, actor: Person, user: User, role: str, institution: Institution | None = None, agency: Agency | None = None
) -> RoleGrant:
    require_authenticated(actor)
    errors = FieldErrors()
    institution, agency = _validate_grant_shape(errors, role, institution, agency)
    errors.raise_if_any()
    if not may_grant(actor, role, institution=institution, agency=agency):
        raise PermissionDenied(_("You may not grant this role in this scope."))
    if user.pk == actor.pk and not is_super_admin(actor):
        raise PermissionDenied(_("You cannot grant a role to yourself."))
    if user.kind != User.Kind.STAFF or not user.is_active:
        errors.add("user", _("User: roles are granted only to active staff accounts."), "not_staff")
    elif RoleGrant.objects.active().filter(user=user, role=role, institution=institution, agency=agency).exists():
        errors.extend("role", _already_holds(user))
    errors.raise_if_any()
    with unique_or(lambda: ValidationError({"role": [_already_holds(user)]})):
        grant = record_new_grant(actor=actor, user=user, role=role, institution=institution, agency=agency)
    return grant


def _already_holds(user: User) -> ValidationError:
    return ValidationError(
        _("Role: %(user)s already holds this role in this scope."), code="duplicate", params={"user": str(user)}
    )


def _audit_grant(actor: Actor | None, action: str, grant: RoleGrant, **changes: Any) -> None:
    """The audit event of a change to a grant, scoped to the grant's instansi and OPD."""
    audit.record(
        actor=actor,
        action=action,
        target=grant,
        institution_id=grant.institution_id,
        agency_id=grant.agency_id,
        **changes,
    )


def role_grant_revoke(*, actor: Person, grant: RoleGrant) -> RoleGrant:
    require_authenticated(actor)
    if not may_grant(actor, grant.role, institution=grant.institution, agency=grant.agency):
        raise PermissionDenied(_("You may not revoke this role."))
    if grant.revoked_at is not None:
        raise ValidationError({"role": [ValidationError(_("Role: this grant is already revoked."), code="revoked")]})
    if (
        grant.role == Role.SUPER_ADMIN
        and not RoleGrant.objects.active()
        .filter(role=Role.SUPER_ADMIN, user__is_active=True)
        .exclude(pk=grant.pk)
        .exists()
    ):
        raise ValidationError(
            {"role": [ValidationError(_("Role: this is the last super admin; grant another one first."), code="last")]}
        )
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.revoked_by = actor
        grant.save(update_fields=["revoked_at", "revoked_by"])
        forget_cached_grants(grant.user)
        _audit_grant(
            actor, "core.role_grant_revoke", grant, before={"revoked_at": None}, after={"revoked_at": grant.revoked_at}
        )
    return grant


# --- accounts ----------------------------------------------------------------------


def _clean_email(errors: FieldErrors, value: str | None, *, required: bool) -> str | None:
    email = (value or "").strip()
    if not email:
        if required:
            errors.add("email", _("Email: enter an email address, e.g. nama@kaltimprov.go.id."), "required")
        return None
    try:
        validate_email(email)
    except ValidationError:
        errors.add(
            "email",
            _("Email: %(value)s is not a valid email address, e.g. nama@contoh.id."),
            "invalid",
            {"value": email},
        )
        return None
    email = User.objects.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        errors.add(
            "email", _("Email: %(value)s is already registered to another account."), "duplicate", {"value": email}
        )
    return email


def _clean_phone(errors: FieldErrors, value: str | None) -> str | None:
    raw = (value or "").strip()
    if not raw:
        return None
    phone = normalise_phone(raw, strict=False)
    if phone is None:
        errors.add(
            "phone",
            _("Phone number: %(value)s is not an Indonesian phone number; write it like 0812 3456 7890."),
            "invalid_phone",
            {"value": raw},
        )
        return None
    if User.objects.filter(phone=phone).exists():
        errors.add(
            "phone", _("Phone number: %(value)s is already registered to another account."), "duplicate", {"value": raw}
        )
    return phone


def save_contact_changes(
    *,
    actor: Actor,
    user: User,
    before: dict[str, Any],
    after: dict[str, Any],
    action: str,
    institution_id: int | None = None,
    agency_id: int | None = None,
) -> None:
    """Save the contact fields (name, email, phone) that differ between ``before`` and ``after``
    with one audit event naming only those. When the unique email/phone constraint stops the save
    (another account took the value after the checks passed), ``user`` gets its old values back
    and the answer is the usual "already registered" error on ``email``."""
    changed = [f for f in after if before[f] != after[f]]
    if not changed:
        return
    try:
        with transaction.atomic():
            for field in changed:
                setattr(user, field, after[field])
            user.save(update_fields=changed)
            record_change(
                actor,
                action,
                user,
                changed,
                before={f: before[f] for f in changed},
                institution_id=institution_id,
                agency_id=agency_id,
            )
    except IntegrityError:
        for field, value in before.items():
            setattr(user, field, value)
        raise _already_registered() from None


def _clean_password(errors: FieldErrors, password: str, candidate: User) -> None:
    if not password:
        if is_staff_account(candidate):
            message = _(
                "Password: enter a password of at least 12 characters with upper-case and lower-case letters, "
                "digits and symbols."
            )
        else:
            message = _("Password: enter a password of at least 10 characters.")
        errors.add("password", message, "required")
        return
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors.extend("password", exc)


def _user_summary(user: User) -> dict[str, Any]:
    return {"full_name": user.full_name, "email": user.email, "phone": user.phone, "kind": user.kind}


def staff_user_create(
    *,
    actor: Person,
    full_name: str,
    email: str,
    password: str,
    phone: str | None = None,
    role: str | None = None,
    institution: Institution | None = None,
    agency: Agency | None = None,
) -> User:
    """Open a staff account with its first role grant (one operation, one audit event).

    Staff need an email (their TOTP label and where notices go). Everybody but the
    super admin must give a role: an account without a grant would be invisible to the
    admin who created it.
    """
    require_authenticated(actor)
    errors = FieldErrors()
    if role is None:
        if not is_super_admin(actor):
            raise PermissionDenied(_("You may not create staff accounts without a role."))
    else:
        institution, agency = _validate_grant_shape(errors, role, institution, agency)
        # A malformed scope cannot be checked against the actor's grants; the actor must
        # at least be able to grant this role somewhere before hearing about the other
        # fields (the email check below reveals whether an address is registered).
        if errors:
            if role not in grantable_roles(actor):
                raise PermissionDenied(_("You may not grant this role in this scope."))
        elif not may_grant(actor, role, institution=institution, agency=agency):
            raise PermissionDenied(_("You may not grant this role in this scope."))
    # Every problem is reported at once, so the form comes back with one message per field.
    name = (full_name or "").strip()
    if not name:
        errors.add("full_name", _("Full name: enter the person's full name."), "required")
    clean_email = _clean_email(errors, email, required=True)
    clean_phone = _clean_phone(errors, phone)
    candidate = User(full_name=name, email=clean_email, phone=clean_phone, kind=User.Kind.STAFF)
    _clean_password(errors, password, candidate)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            candidate.set_password(password)
            candidate.save()
            grant = None
            if role is not None:
                grant = _create_grant(actor=actor, user=candidate, role=role, institution=institution, agency=agency)
            audit.record(
                actor=actor,
                action="core.staff_user_create",
                target=candidate,
                institution_id=grant.institution_id if grant else None,
                agency_id=grant.agency_id if grant else None,
                after={**_user_summary(candidate), "grant": _grant_summary(grant) if grant else None},
            )
    except IntegrityError:
        raise _already_registered() from None
    return candidate


def _citizen_candidate(
    errors: FieldErrors, *, full_name: str, password: str, email: str | None, phone: str | None
) -> User:
    name = (full_name or "").strip()
    if not name:
        errors.add("full_name", _("Full name: enter your full name."), "required")
    clean_email = _clean_email(errors, email, required=False)
    clean_phone = _clean_phone(errors, phone)
    if not (email or "").strip() and not (phone or "").strip():
        errors.add("email", _("Email or phone number: fill in at least one of them to sign in with."), "required")
    candidate = User(full_name=name, email=clean_email, phone=clean_phone, kind=User.Kind.CITIZEN)
    _clean_password(errors, password, candidate)
    return candidate


def _drop_taken(errors: FieldErrors) -> bool:
    """Remove the "already registered" errors; True if there was one."""
    taken = False
    for field in list(errors.errors):
        kept = [e for e in errors.errors[field] if e.code != "duplicate"]
        taken = taken or len(kept) != len(errors.errors[field])
        if kept:
            errors.errors[field] = kept
        else:
            del errors.errors[field]
    return taken


def citizen_registration_errors(
    *, full_name: str, password: str, email: str | None = None, phone: str | None = None
) -> ValidationError | None:
    """What ``citizen_sign_up`` would refuse, without registering: lets a form that already
    failed on its own (e.g. the repeated password) show every other problem at once. Says
    nothing about emails or phone numbers that are already registered (docs/adr/0075)."""
    errors = FieldErrors()
    _citizen_candidate(errors, full_name=full_name, password=password, email=email, phone=phone)
    _drop_taken(errors)
    return ValidationError(errors.errors) if errors else None


def citizen_sign_up(
    *, full_name: str, password: str, email: str | None = None, phone: str | None = None
) -> User | None:
    """The public registration form: like ``citizen_register``, but it never tells whether the
    email or phone number already has an account (docs/adr/0075). Problems with what was
    typed raise ``ValidationError``; a taken email or phone gives ``None``: nothing is
    created, the existing account is untouched, and the password is hashed all the same so
    the answer takes as long as a new account's."""
    errors = FieldErrors()
    candidate = _citizen_candidate(errors, full_name=full_name, password=password, email=email, phone=phone)
    taken = _drop_taken(errors)
    errors.raise_if_any()
    if taken:
        make_password(password)
        return None
    try:
        return _citizen_create(candidate, password)
    except IntegrityError:  # registered between the check and the insert
        return None


def citizen_register(*, full_name: str, password: str, email: str | None = None, phone: str | None = None) -> User:
    """A citizen opens their own account with an email address or a phone number."""
    errors = FieldErrors()
    candidate = _citizen_candidate(errors, full_name=full_name, password=password, email=email, phone=phone)
    errors.raise_if_any()
    try:
        _citizen_create(candidate, password)
    except IntegrityError:
        raise _already_registered() from None
    return candidate


def _citizen_create(candidate: User, password: str) -> User:
    with transaction.atomic():
        candidate.set_password(password)
        candidate.save()
        audit.record(actor=candidate, action="core.citizen_register", target=candidate, after=_user_summary(candidate))
    return candidate


def user_password_change(*, actor: Actor, user: User, old_password: str, new_password: str) -> User:
    """Someone changes their own password (the old one proves it is them)."""
    require_authenticated(actor)
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can change only your own password."))
    errors = FieldErrors()
    if not user.check_password(old_password or ""):
        errors.add("old_password", _("Current password: the password you entered is not correct."), "wrong")
    if new_password == old_password and new_password:
        errors.add("new_password", _("New password: choose a password different from the current one."), "same")
    else:
        _clean_password(errors, new_password, user)
        if "password" in errors.errors:
            errors.errors["new_password"] = errors.errors.pop("password")
    errors.raise_if_any()
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(actor=actor, action="core.user_password_change", target=user, changes={"changed": ["password"]})
    return user


# --- TOTP second factor --------------------------------------------------------------


def totp_code_matches(key_hex: str, code: str) -> int | None:
    """The time step at which ``code`` is valid for ``key_hex`` (±1 step), or None."""
    digits = (code or "").strip().replace(" ", "")
    if not digits.isdigit() or len(digits) != 6:
        return None
    try:
        totp = TOTP(unhexlify(key_hex.encode()))
    except (ValueError, TypeError):
        return None
    totp.time = time.time()
    if totp.verify(int(digits), tolerance=1):
        return int(totp.t())  # django_otp is untyped
    return None


def totp_device_confirm(*, actor: Actor, user: User, key: str, code: str) -> TOTPDevice:
    """Finish enrolment: the code from the authenticator app proves the secret was scanned."""
    require_authenticated(actor)
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can enrol an authenticator only for your own account."))
    if user.kind != User.Kind.STAFF:
        raise PermissionDenied(_("Second-factor sign-in is for staff accounts."))
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(
            {
                "code": [
                    ValidationError(_("Code: an authenticator is already enrolled for this account."), code="exists")
                ]
            }
        )
    step = totp_code_matches(key, code)
    if step is None:
        raise ValidationError(
            {
                "code": [
                    ValidationError(
                        _("Code: enter the 6-digit code currently shown in your authenticator app."), code="wrong_code"
                    )
                ]
            }
        )
    with transaction.atomic():
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), key=key, confirmed=True, last_t=step)
        audit.record(
            actor=actor, action="core.totp_device_confirm", target=user, changes={"device": device.persistent_id}
        )
    return device


def totp_device_remove(*, actor: Actor, user: User) -> int:
    """Remove a staff member's authenticator: themselves, or the super admin for a lost phone."""
    require_authenticated(actor)
    if actor.pk != user.pk and not is_super_admin(actor):
        raise PermissionDenied(_("You may not remove this person's authenticator."))
    devices = list(TOTPDevice.objects.filter(user=user))
    if not devices:
        raise ValidationError({"code": [ValidationError(_("Code: no authenticator is enrolled."), code="none")]})
    # Recovery codes only stand in for the authenticator: they go with it.
    recovery = list(StaticDevice.objects.filter(user=user))
    with transaction.atomic():
        TOTPDevice.objects.filter(pk__in=[d.pk for d in devices]).delete()
        StaticDevice.objects.filter(pk__in=[d.pk for d in recovery]).delete()
        audit.record(
            actor=actor,
            action="core.totp_device_remove",
            target=user,
            changes={"removed": [d.persistent_id for d in devices + recovery]},
        )
    return len(devices)
