"""Input checks shared by every module, with messages in Bahasa Indonesia (gettext)."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_phone(value: str, *, strict: bool = True) -> str | None:
    """Return an Indonesian phone number in E.164 (+62...), accepting 08.., 628.., +628...

    With ``strict`` a bad number raises ``ValidationError``; otherwise returns None.
    """
    raw = (value or "").strip()
    try:
        parsed = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or parsed.country_code != 62 or not phonenumbers.is_valid_number(parsed):
        if strict:
            raise ValidationError(
                _("Enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 812 3456 7890."),
                code="invalid_phone",
            )
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def validate_region_code(value: str, *, levels: tuple[str, ...] | None = None) -> None:
    """A kode wilayah must exist in the current reference table (and be of the expected level)."""
    from etam.core.models import Region

    region = Region.objects.current().filter(code=(value or "").strip()).only("level").first()
    if region is None:
        raise ValidationError(
            _("Region code %(code)s is not in the Kemendagri reference table."),
            code="unknown_region",
            params={"code": value},
        )
    if levels and region.level not in levels:
        raise ValidationError(
            _("Region code %(code)s is not of the expected level."), code="wrong_region_level", params={"code": value}
        )


def is_staff_account(user: object) -> bool:
    """A staff account (kind pegawai, or Django admin access): the stricter password rule applies."""
    from etam.core.models import User

    return bool(
        user is not None
        and (
            getattr(user, "kind", None) == User.Kind.STAFF
            or getattr(user, "is_staff", False)
            or getattr(user, "is_superuser", False)
        )
    )


class StaffPasswordValidator:
    """Staff passwords: at least 12 characters mixing letter case, digits and symbols (Peraturan BSSN
    4/2021 on SPBE security; ADR 0077). Citizens keep the general rules of ``AUTH_PASSWORD_VALIDATORS``.

    Used through Django's ``AUTH_PASSWORD_VALIDATORS``, so every path that calls ``validate_password``
    with the account (staff creation, password change, ``createsuperuser``) applies it.
    """

    CLASSES = (
        ("lower", str.islower),
        ("upper", str.isupper),
        ("digit", str.isdigit),
        ("symbol", lambda c: not c.isalnum()),
    )

    def __init__(self, min_length: int = 12, min_classes: int = 4) -> None:
        self.min_length = min_length
        self.min_classes = min_classes

    @staticmethod
    def _labels() -> dict[str, str]:
        return {
            "lower": _("a lower-case letter"),
            "upper": _("an upper-case letter"),
            "digit": _("a digit"),
            "symbol": _("a symbol such as - or !"),
        }

    def validate(self, password: str, user: object = None) -> None:
        if not is_staff_account(user):
            return
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    _("Password: a staff password needs at least %(min_length)d characters."),
                    code="staff_password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        present = {name for name, test in self.CLASSES if any(test(c) for c in password)}
        if len(present) < self.min_classes:
            labels = self._labels()
            missing = [labels[name] for name, _test in self.CLASSES if name not in present]
            errors.append(
                ValidationError(
                    _(
                        "Password: a staff password needs upper-case and lower-case letters, digits and symbols; "
                        "add %(missing)s."
                    ),
                    code="staff_password_classes",
                    params={"missing": ", ".join(missing)},
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "Staff accounts: at least %(min_length)d characters with upper-case and lower-case letters, "
            "digits and symbols."
        ) % {"min_length": self.min_length}


def normalise_identifier(raw: str) -> str:
    """The one spelling of an email or phone number, so that rate limiting counts
    "0812..." and "+62812..." as the same account."""
    value = (raw or "").strip()
    if "@" in value:
        return value.lower()
    return normalise_phone(value, strict=False) or value
