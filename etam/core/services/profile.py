"""A citizen keeps their own name, email and phone number up to date (``/akun/profil/``).

Staff contact details are kept by their admins (``staff_user_update``). A citizen account
needs an email address or a phone number to sign in and to get a recovery code, so one of
the two must stay."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from etam.core.actors import Actor
from etam.core.models import User
from etam.core.services._common import FieldErrors, require_authenticated
from etam.core.services.people import _clean_email, _clean_phone, save_contact_changes
from etam.core.validators import normalise_phone

PROFILE_FIELDS = ("full_name", "email", "phone")


def citizen_profile_update(*, actor: Actor, user: User, full_name: str, email: str, phone: str) -> User:
    """Change one's own name, email and phone (one audit event naming what changed)."""
    require_authenticated(actor)
    if actor.pk != user.pk or user.kind != User.Kind.CITIZEN:
        raise PermissionDenied(_("You can change only your own citizen profile."))
    errors = FieldErrors()
    name = (full_name or "").strip()
    if not name:
        errors.add("full_name", _("Full name: enter your full name."), "required")
    new_email = (email or "").strip()
    clean_email = user.email
    if new_email.lower() != (user.email or "").lower():
        clean_email = _clean_email(errors, new_email, required=False) if new_email else None
    raw_phone = (phone or "").strip()
    clean_phone = user.phone
    if (normalise_phone(raw_phone, strict=False) if raw_phone else None) != user.phone:
        clean_phone = _clean_phone(errors, raw_phone) if raw_phone else None
    if not new_email and not raw_phone:
        errors.add("email", _("Email or mobile number: keep at least one, to sign in and to get codes."), "required")
    errors.raise_if_any()
    before = {f: getattr(user, f) for f in PROFILE_FIELDS}
    after = {"full_name": name, "email": clean_email, "phone": clean_phone}
    save_contact_changes(actor=actor, user=user, before=before, after=after, action="core.citizen_profile_update")
    return user
