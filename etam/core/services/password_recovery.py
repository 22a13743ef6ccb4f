"""A citizen who forgot their password gets back in with a code sent to their own email
address or phone (docs/adr/0131-citizen-password-recovery.md).

- The answer is the same whether or not the email or phone belongs to an account: the
  caller shows one message either way, and an unknown or staff identifier costs the same
  hashing work (staff recovery stays with their admins, ADR 0006).
- A code is 6 random digits, lives ``CODE_LIFETIME``, is stored only as a keyed hash
  (HMAC with the secret key, bound to the account) and is spent by its first correct use;
  ``MAX_WRONG_ATTEMPTS`` wrong codes kill it; a new request replaces the open one.
- Throttling (requests and code tries per person and per network) is the views' job
  through ``etam.core.ratelimit``; the per-code counter here holds even if it is off.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from etam.core import audit
from etam.core.account_sms import text_sender
from etam.core.models import PasswordRecoveryCode, User
from etam.core.services._common import FieldErrors
from etam.core.services.people import _clean_password
from etam.core.validators import normalise_identifier

logger = logging.getLogger("etam.core.password_recovery")

CODE_LIFETIME = timedelta(minutes=15)
MAX_WRONG_ATTEMPTS = 5
_SALT = "etam.core.password_recovery"


@dataclass(frozen=True)
class Delivery:
    """What was sent (for tests and the log): never shown to the person asking."""

    channel: str
    to: str


def _digest(user_pk: int, code: str) -> str:
    return salted_hmac(_SALT, f"{user_pk}:{code}", algorithm="sha256").hexdigest()


def _citizen(identifier: str) -> User | None:
    """The active citizen account with this email or phone, or None (staff: None too)."""
    value = normalise_identifier(identifier)
    if not value:
        return None
    if "@" in value:
        user = User.objects.filter(email__iexact=value).first()
    else:
        user = User.objects.filter(phone=value).first()
    if user is None or not user.is_active or user.kind != User.Kind.CITIZEN or user.is_staff or user.is_superuser:
        return None
    return user


def _message(code: str) -> tuple[str, str]:
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    subject = _("Etam: code to reset your password")
    body = _(
        "Your Etam password reset code is %(code)s. It is valid for %(minutes)s minutes and can be used once. "
        "Never share this code; Etam staff will never ask for it. If you did not ask for it, ignore this message."
    ) % {"code": code, "minutes": minutes}
    return subject, body


def password_recovery_request(*, identifier: str) -> Delivery | None:
    """Send a reset code to ``identifier`` (email or phone) if it is a citizen's account.

    Returns what was sent, or None; callers must answer the same in both cases."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    user = _citizen(identifier)
    if user is None:
        _digest(0, code)  # the same work as for an account
        return None
    by_email = "@" in normalise_identifier(identifier)
    channel = PasswordRecoveryCode.Channel.EMAIL if by_email else PasswordRecoveryCode.Channel.SMS
    to = (user.email if by_email else user.phone) or ""
    with transaction.atomic():
        PasswordRecoveryCode.objects.filter(user=user, used_at__isnull=True).delete()
        row = PasswordRecoveryCode.objects.create(
            user=user, channel=channel, code_digest=_digest(user.pk, code), expires_at=timezone.now() + CODE_LIFETIME
        )
        audit.record(actor=None, action="core.password_recovery_request", target=user, after={"channel": channel})
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        subject, body = _message(code)
    try:
        if channel == PasswordRecoveryCode.Channel.EMAIL:
            send_mail(subject, body, None, [to])
        else:
            text_sender().send(to=to, body=body, channel="sms", reference=f"recovery-{row.pk}")
    except Exception:  # a mail server or gateway down: the person asks again later; same answer
        logger.exception("password recovery code %s could not be sent by %s", row.pk, channel)
    return Delivery(channel=channel, to=to)


def _open_code(user: User) -> PasswordRecoveryCode | None:
    return (
        PasswordRecoveryCode.objects.filter(
            user=user, used_at__isnull=True, expires_at__gt=timezone.now(), wrong_attempts__lt=MAX_WRONG_ATTEMPTS
        )
        .order_by("-created_at")
        .first()
    )


def password_recovery_complete(*, identifier: str, code: str, new_password: str) -> User:
    """Set a new password with a code from ``password_recovery_request``.

    A wrong, used, expired or unknown code gets one message (the code field's); the
    password is checked by the same rules as at registration."""
    errors = FieldErrors()
    user = _citizen(identifier)
    digits = "".join((code or "").split())
    _clean_password(errors, new_password, user or User(kind=User.Kind.CITIZEN))
    if "password" in errors.errors:
        errors.errors["new_password"] = errors.errors.pop("password")
    row = _open_code(user) if user is not None else None
    matches = row is not None and constant_time_compare(row.code_digest, _digest(row.user_id, digits))
    if row is not None and not matches:
        PasswordRecoveryCode.objects.filter(pk=row.pk).update(wrong_attempts=F("wrong_attempts") + 1)
    if not matches:
        if not digits:
            errors.add("code", _("Code: enter the 6-digit code we sent you."), "required")
        else:
            errors.add(
                "code",
                _("Code: the code is wrong, already used or expired. Check it, or ask for a new code."),
                "invalid",
            )
    errors.raise_if_any()
    assert user is not None and row is not None
    with transaction.atomic():
        spent = PasswordRecoveryCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now())
        if spent != 1:  # the same code used at the same moment by another request
            raise ValidationError(
                {"code": [ValidationError(_("Code: this code has already been used. Ask for a new code."), "used")]}
            )
        PasswordRecoveryCode.objects.filter(user=user, used_at__isnull=True).delete()
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(
            actor=user,
            action="core.password_recovery_complete",
            target=user,
            changes={"changed": ["password"], "channel": row.channel},
        )
    return user
