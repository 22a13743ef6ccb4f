"""Recovery codes: single-use codes a staff member keeps on paper for when their phone is lost.

They live in django-otp's ``otp_static`` device (one per person, next to the TOTP device).
A set is made when the authenticator is confirmed and can be made again (replacing the old
set) from the security page; each code works once at ``/masuk/verifikasi/`` instead of the
6-digit code. A wrong code counts like a wrong TOTP code: the device doubles its wait
(``OTP_STATIC_THROTTLE_FACTOR``) and django-axes counts a failed sign-in.
See docs/adr/0006-staff-second-factor-and-login-rate-limiting.md.

The codes are stored as a keyed hash (HMAC-SHA256 with the server's ``SECRET_KEY``, see
``recovery_code_digest`` and ADR 0077), never in clear: a copy of the database alone gives no
code, and a stored value typed at the code step is not a code.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from etam.core import audit
from etam.core.actors import Actor
from etam.core.models import User
from etam.core.services._common import require_authenticated

RECOVERY_CODE_COUNT = 8
DEVICE_NAME = "recovery codes"


def normalise_recovery_code(raw: str) -> str:
    """What the person typed, as stored: lower case, without the spaces or dashes we print."""
    return "".join(ch for ch in (raw or "").lower() if ch.isalnum())


def looks_like_recovery_code(raw: str) -> bool:
    code = normalise_recovery_code(raw)
    return not (code.isdigit() and len(code) == 6) and len(code) == 8


DIGEST_SALT = "etam.core.recovery-code"
DIGEST_LENGTH = 16  # otp_static's token column holds 16 characters; 64 bits of HMAC-SHA256


def recovery_code_digest(code: str, secret: str | None = None) -> str:
    """What is stored for a code: HMAC-SHA256 keyed with ``SECRET_KEY`` (or ``secret``), 16 hex digits.

    A fast keyed hash suffices (ADR 0077): the codes are random 40-bit values, usable once and only
    after the password; without the server key a copy of the table cannot be searched offline, and
    the sign-in step is throttled. 16 hex characters never look like an 8-character code.
    """
    digest = salted_hmac(DIGEST_SALT, normalise_recovery_code(code), secret=secret, algorithm="sha256")
    return digest.hexdigest()[:DIGEST_LENGTH]


def _digests_to_try(code: str) -> list[str]:
    """The digest under the current key and under each retired one (``SECRET_KEY_FALLBACKS``)."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [recovery_code_digest(code, secret) for secret in secrets]


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def recovery_codes_remaining(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())  # django_otp is untyped


def recovery_device_of(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def recovery_codes_generate(*, actor: Actor, user: User) -> list[str]:
    """A new set of codes for the actor's own account, replacing any earlier set.

    The codes are returned once, to be shown once; the audit event records only how many.
    """
    require_authenticated(actor)
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can make recovery codes only for your own account."))
    if user.kind != User.Kind.STAFF:
        raise PermissionDenied(_("Second-factor sign-in is for staff accounts."))
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(
            {
                "code": [
                    ValidationError(
                        _("Recovery codes: turn on two-step sign-in with an authenticator app first."), code="no_device"
                    )
                ]
            }
        )
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user).order_by("id").first()
        replaced = 0
        if device is None:
            device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        else:
            replaced = device.token_set.count()
            device.token_set.all().delete()
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
        StaticToken.objects.bulk_create(
            [StaticToken(device=device, token=recovery_code_digest(code)) for code in sorted(codes)]
        )
        audit.record(
            actor=actor,
            action="core.recovery_codes_generate",
            target=user,
            changes={"device": device.persistent_id, "created": len(codes), "replaced": replaced},
        )
    return [format_recovery_code(code) for code in sorted(codes)]


def recovery_code_use(*, user: User, code: str) -> tuple[StaticDevice | None, bool]:
    """Spend one recovery code while signing in as ``user``.

    Returns ``(device, allowed)``: the device when the code was right (it is gone now),
    ``None`` otherwise; ``allowed`` is False while the device is throttled after wrong
    codes. Deleting the row (found by the code's digest) is the check, so two requests
    racing with the same code cannot both succeed.
    """
    device = recovery_device_of(user)
    if device is None:
        return None, True
    allowed, _detail = device.verify_is_allowed()
    if not allowed:
        return None, False
    token = normalise_recovery_code(code)
    # Only something shaped like a code is hashed: a stored digest typed here is not a code.
    digests = _digests_to_try(token) if len(token) == 8 else []
    with transaction.atomic():
        deleted = StaticToken.objects.filter(device=device, token__in=digests).delete()[0] if digests else 0
        if not deleted:
            device.throttle_increment()
            return None, True
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
        audit.record(
            actor=user,
            action="core.recovery_code_use",
            target=user,
            changes={"device": device.persistent_id, "remaining": device.token_set.count()},
        )
    return device, True
