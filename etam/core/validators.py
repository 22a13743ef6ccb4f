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
