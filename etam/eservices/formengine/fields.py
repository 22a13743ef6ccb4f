"""Form engine, one field at a time: constants, reference lists (schools, wilayah),
conditions, scalar/NIK/upload checks. Re-exported by ``etam.eservices.formengine``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import filetypes
from etam.core.validators import normalise_phone
from etam.eservices.workflow import localise

PROTECTED_TYPES = frozenset({"nik", "phone"})
ADDRESS_LEVELS = ("kabupaten_kota", "kecamatan", "desa_kelurahan")
# The kinds a file field accepts (by content, etam.core.filetypes): (signature, content type).
FILE_SIGNATURES: dict[str, tuple[bytes, str]] = {
    kind: (filetypes.SIGNATURES[kind], filetypes.CONTENT_TYPES[kind]) for kind in ("pdf", "jpeg", "png")
}
YES, NO = "ya", "tidak"
SEP = "__"


class FieldError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# --------------------------------------------------------------------------------------
# Reference lists


# choices_source → (school statuses listed, whether the label repeats the status).
# "sekolah_sma_smk": every SMA/SMK, negeri and swasta; "sekolah_sma_smk_negeri": only the
# state schools (what a state admission such as PPDB/SPMB SMA/SMK Negeri may offer).
SCHOOL_SOURCES: dict[str, tuple[frozenset[str], bool]] = {
    "sekolah_sma_smk": (frozenset({"Negeri", "Swasta"}), True),
    "sekolah_sma_smk_negeri": (frozenset({"Negeri"}), False),
}


@lru_cache(maxsize=len(SCHOOL_SOURCES))
def _schools(source: str = "sekolah_sma_smk") -> list[dict[str, str]]:
    statuses, show_status = SCHOOL_SOURCES[source]
    path = settings.SHARED_DATA_DIR / "kaltim_sekolah_2019.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [
            {
                "value": row["npsn"],
                "label": (
                    f"{row['nama_sekolah']} ({row['status']}, {row['kecamatan_sumber']})"
                    if show_status
                    else f"{row['nama_sekolah']} ({row['kecamatan_sumber']})"
                ),
                "kabkota": row["kode_kabkota_kemendagri"],
            }
            for row in csv.DictReader(handle)
            if row["bentuk"] in {"SMA", "SMK"} and row["status"] in statuses
        ]
    return sorted(rows, key=lambda r: r["label"])


def source_choices(spec: Mapping[str, Any], answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    source = spec.get("choices_source")
    if source in SCHOOL_SOURCES:
        kabkota = None
        if spec.get("filter_by"):
            address = answers.get(spec["filter_by"])
            kabkota = address.get("kabupaten_kota") if isinstance(address, dict) else None
        return [(s["value"], s["label"]) for s in _schools(source) if not kabkota or s["kabkota"] == kabkota]
    return [(c["value"], localise(c["label"])) for c in spec.get("choices", [])]


_REGIONS: dict[str, Any] = {"loaded": 0.0, "index": {}}
REGION_CACHE_SECONDS = 300


def region_index() -> dict[str, tuple[str, str]]:
    """Current kode wilayah → (level, parent code), read once per process and refreshed
    every few minutes: checking a NIK or an address costs no query on the submit path.
    Codes change by decree (a few times a year), so minutes of staleness are harmless."""
    import time

    from etam.core.models import Region

    now = time.monotonic()
    if not _REGIONS["index"] or now - _REGIONS["loaded"] > REGION_CACHE_SECONDS:
        _REGIONS["index"] = {
            code: (level, parent)
            for code, level, parent in Region.objects.current().values_list("code", "level", "parent_code")
        }
        _REGIONS["loaded"] = now
    return _REGIONS["index"]


def forget_regions() -> None:
    _REGIONS["index"] = {}


def region_options(level: str, parent: str | None) -> list[tuple[str, str]]:
    from etam.core.models import Region

    qs = Region.objects.current().filter(level=level)
    if level == "kabupaten_kota":
        qs = qs.filter(parent_code="64")
    elif parent:
        qs = qs.filter(parent_code=parent)
    else:
        return []
    return [(r.code, r.name) for r in qs.only("code", "name").order_by("code")]


# --------------------------------------------------------------------------------------
# Conditions


def condition_holds(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    if not condition:
        return True
    value = answers.get(condition["field"])
    wanted = [condition["equals"]] if "equals" in condition else list(condition["in"])
    values = value if isinstance(value, list) else [value]
    return any(_same(v, w) for v in values for w in wanted)


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool) or isinstance(value, bool):
        return value is wanted or (isinstance(value, str) and value == (YES if wanted else NO))
    return str(value) == str(wanted)


def visible_pages(form: Mapping[str, Any], answers: Mapping[str, Any]) -> list[int]:
    return [i for i, page in enumerate(form["pages"]) if condition_holds(page.get("visible_if"), answers)]


# --------------------------------------------------------------------------------------
# Cleaning one value


@dataclass
class FileStore:
    """How the page processor stores an accepted upload (returns the file answer)."""

    save: Callable[[str, Any, str], dict[str, Any]]


def _label(spec: Mapping[str, Any]) -> str:
    return localise(spec["label"])


def _required_message(spec: Mapping[str, Any]) -> str:
    kind = spec["type"]
    if kind in {"choice", "yes_no", "multi_choice"}:
        return _("%(label)s: choose an answer.") % {"label": _label(spec)}
    if kind == "file":
        return _("%(label)s: choose a file to upload.") % {"label": _label(spec)}
    if kind == "address":
        return _("%(label)s: choose the regency/city, district and village.") % {"label": _label(spec)}
    return _("%(label)s: this field is required.") % {"label": _label(spec)}


def check_nik(raw: str, *, label: str | None = None) -> str:
    """A NIK: 16 digits; digits 1–6 a current kecamatan code; 7–12 the birth date as
    DDMMYY with 40 added to the day for women; 13–16 a serial other than 0000."""
    label = label or "NIK"
    digits = re.sub(r"[\s.-]", "", raw or "")
    letters = "".join(dict.fromkeys(c for c in digits if c not in "0123456789"))
    if letters:
        raise FieldError(
            _("%(label)s may contain digits only (you entered %(letters)s).")
            % {"label": label, "letters": ", ".join(f"“{c}”" for c in letters[:5])}
        )
    if len(digits) != 16:
        raise FieldError(
            _("%(label)s must be exactly 16 digits (you entered %(count)s characters).")
            % {"label": label, "count": len(digits)}
        )
    region = f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"
    if region_index().get(region, ("", ""))[0] != "kecamatan":
        raise FieldError(
            _(
                "%(label)s: the first six digits (%(code)s) are not a district (kecamatan) code in the "
                "Kemendagri reference table."
            )
            % {"label": label, "code": digits[:6]}
        )
    day, month, year2 = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if day > 40:
        day -= 40
    today = timezone.localdate()
    year = 2000 + year2 if 2000 + year2 <= today.year else 1900 + year2
    try:
        born = date(year, month, day)
    except ValueError:
        raise FieldError(
            _("%(label)s: digits 7–12 (%(part)s) are not a real birth date (DDMMYY; women add 40 to the day).")
            % {"label": label, "part": digits[6:12]}
        ) from None
    if born > today:
        raise FieldError(
            _("%(label)s: the birth date in digits 7–12 (%(part)s) is in the future.")
            % {"label": label, "part": digits[6:12]}
        )
    if digits[12:] == "0000":
        raise FieldError(_("%(label)s: the last four digits cannot be 0000.") % {"label": label})
    return digits


def _parse_date(raw: str) -> date | None:
    raw = raw.strip()
    for pattern, order in (
        (r"^(\d{4})-(\d{1,2})-(\d{1,2})$", "ymd"),
        (r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", "dmy"),
    ):
        match = re.match(pattern, raw)
        if match:
            a, b, c = (int(x) for x in match.groups())
            try:
                return date(a, b, c) if order == "ymd" else date(c, b, a)
            except ValueError:
                return None
    return None


def clean_scalar(spec: Mapping[str, Any], raw: str, answers: Mapping[str, Any]) -> Any:
    """Clean a non-empty raw value of a simple field; raise FieldError with a message."""
    kind = spec["type"]
    label = _label(spec)
    if kind in {"text", "long_text"}:
        limit = spec.get("max_length", 200 if kind == "text" else 5000)
        if len(raw) > limit:
            raise FieldError(
                _("%(label)s: at most %(limit)s characters (you entered %(count)s).")
                % {"label": label, "limit": limit, "count": len(raw)}
            )
        return raw
    if kind == "number":
        try:
            number = Decimal(raw.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise FieldError(_("%(label)s: enter a number, e.g. 12.") % {"label": label}) from None
        if not number.is_finite():
            raise FieldError(_("%(label)s: enter a number, e.g. 12.") % {"label": label})
        if spec.get("integer") and number != number.to_integral_value():
            raise FieldError(_("%(label)s: enter a whole number.") % {"label": label})
        if spec.get("min") is not None and number < Decimal(str(spec["min"])):
            raise FieldError(_("%(label)s: at least %(min)s.") % {"label": label, "min": spec["min"]})
        if spec.get("max") is not None and number > Decimal(str(spec["max"])):
            raise FieldError(_("%(label)s: at most %(max)s.") % {"label": label, "max": spec["max"]})
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "date":
        parsed = _parse_date(raw)
        if parsed is None:
            raise FieldError(_("%(label)s: enter a real date as DD/MM/YYYY, e.g. 17/08/2025.") % {"label": label})
        today = timezone.localdate()
        if spec.get("not_future") and parsed > today:
            raise FieldError(_("%(label)s: the date cannot be in the future.") % {"label": label})
        if spec.get("not_past") and parsed < today:
            raise FieldError(_("%(label)s: the date cannot be in the past.") % {"label": label})
        return parsed.isoformat()
    if kind == "choice":
        if raw not in {v for v, _l in source_choices(spec, answers)}:
            raise FieldError(_("%(label)s: choose one of the options listed.") % {"label": label})
        return raw
    if kind == "yes_no":
        if raw not in {YES, NO}:
            raise FieldError(_("%(label)s: choose yes or no.") % {"label": label})
        return raw == YES
    if kind == "email":
        if len(raw) > 254:
            raise FieldError(_("%(label)s: at most 254 characters.") % {"label": label})
        try:
            validate_email(raw)
        except ValidationError:
            raise FieldError(
                _("%(label)s: enter an email address such as nama@contoh.id.") % {"label": label}
            ) from None
        return raw.lower()
    if kind == "phone":
        try:
            return normalise_phone(raw)
        except ValidationError:
            raise FieldError(
                _("%(label)s: enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 812 3456 7890.")
                % {"label": label}
            ) from None
    if kind == "nik":
        return check_nik(raw, label=label)
    raise FieldError(_("%(label)s: unsupported field type.") % {"label": label})


def human_size(kb: int) -> str:
    """A size as people say it: 512 KB, 2 MB, 1,5 MB (in the active language's number format)."""
    from django.utils.formats import number_format

    if kb < 1024:
        return f"{kb} KB"
    tenths = round(kb * 10 / 1024)
    if tenths % 10 == 0:
        return f"{tenths // 10} MB"
    return f"{number_format(tenths / 10, 1)} MB"


TYPE_NAMES = {"pdf": "PDF", "jpeg": "JPG", "png": "PNG"}


def upload_hint(spec: Mapping[str, Any]) -> str:
    """What a file field takes, in human words: “PDF/JPG, maks. 5 MB”."""
    kinds = spec.get("accept") or list(FILE_SIGNATURES)
    limit = spec.get("max_size_kb", settings.ESERVICES_UPLOAD_MAX_BYTES // 1024)
    return _("%(types)s, max. %(size)s") % {
        "types": "/".join(TYPE_NAMES.get(k, k.upper()) for k in kinds),
        "size": human_size(limit),
    }


def upload_accept(spec: Mapping[str, Any]) -> str:
    """The file input's ``accept``: extensions and content types of the kinds allowed."""
    kinds = spec.get("accept") or list(FILE_SIGNATURES)
    parts = {"pdf": [".pdf", "application/pdf"], "jpeg": [".jpg", ".jpeg", "image/jpeg"], "png": [".png", "image/png"]}
    return ",".join(p for k in kinds for p in parts.get(k, []))


def check_upload(spec: Mapping[str, Any], upload: Any) -> str:
    """Return the detected kind (pdf/jpeg/png) or raise: type by content, size by limit."""
    label = _label(spec)
    limit = spec.get("max_size_kb", settings.ESERVICES_UPLOAD_MAX_BYTES // 1024) * 1024
    if upload.size > limit:
        raise FieldError(
            _("%(label)s: the file is %(size)s, larger than the %(limit)s allowed. Choose a smaller file.")
            % {"label": label, "size": human_size((upload.size + 1023) // 1024), "limit": human_size(limit // 1024)}
        )
    if upload.size == 0:
        raise FieldError(_("%(label)s: the file is empty. Choose the file again.") % {"label": label})
    accepted = spec.get("accept") or list(FILE_SIGNATURES)
    kind = filetypes.sniff(upload, [k for k in accepted if k in FILE_SIGNATURES])
    if kind is not None:
        return kind
    names = "/".join(TYPE_NAMES.get(k, k.upper()) for k in accepted)
    raise FieldError(
        _("%(label)s: the file's content is not %(types)s. Choose a %(types)s file again.")
        % {"label": label, "types": names}
    )


file_digest = filetypes.sha256
