"""The form engine: reads a version's form JSON, validates a page of input, renders it back.

Plain server-side processing so every form works without JavaScript:

- HTML names: ``field``; address parts ``field__kabupaten_kota`` … ``field__jalan``;
  repeating groups ``group__<i>__child`` with ``group__count``.
- Answers (stored, JSON): text/email/phone/nik/date/choice → str, number → int/float,
  yes_no → bool, multi_choice → list, address → dict of codes, file → {file_id, name,
  size, type}, group → list of dicts. A field that is hidden by its condition or left
  empty has no key.
- Every error names the field and says what is expected, in Bahasa Indonesia (gettext).
  What was typed comes back as typed; a file input cannot be refilled by the browser,
  so its message asks to choose the file again.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    if not digits.isdigit() or len(digits) != 16:
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


def check_upload(spec: Mapping[str, Any], upload: Any) -> str:
    """Return the detected kind (pdf/jpeg/png) or raise: type by content, size by limit."""
    label = _label(spec)
    limit = spec.get("max_size_kb", settings.ESERVICES_UPLOAD_MAX_BYTES // 1024) * 1024
    if upload.size > limit:
        raise FieldError(
            _("%(label)s: the file is %(size)s KB, larger than the %(limit)s KB allowed. Choose a smaller file.")
            % {"label": label, "size": (upload.size + 1023) // 1024, "limit": limit // 1024}
        )
    if upload.size == 0:
        raise FieldError(_("%(label)s: the file is empty. Choose the file again.") % {"label": label})
    accepted = spec.get("accept") or list(FILE_SIGNATURES)
    kind = filetypes.sniff(upload, [k for k in accepted if k in FILE_SIGNATURES])
    if kind is not None:
        return kind
    names = ", ".join(k.upper() for k in accepted)
    raise FieldError(
        _("%(label)s: the file's content is not %(types)s. Choose a %(types)s file again.")
        % {"label": label, "types": names}
    )


file_digest = filetypes.sha256


# --------------------------------------------------------------------------------------
# Processing a page


@dataclass
class PageResult:
    answers: dict[str, Any]
    raw: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    group_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _getlist(data: Any, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(name)]
    value = data.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _get(data: Any, name: str) -> str:
    values = _getlist(data, name)
    return values[-1].strip() if values else ""


def group_count(spec: Mapping[str, Any], data: Any, answers: Mapping[str, Any]) -> int:
    raw = _get(data, f"{spec['name']}{SEP}count")
    existing = answers.get(spec["name"])
    count = int(raw) if raw.isdigit() else (len(existing) if isinstance(existing, list) else 0)
    count = max(count, spec.get("min_items", 1 if spec.get("required", True) else 0), 1)
    return min(count, spec.get("max_items", 20))


def _clean_field(
    spec: Mapping[str, Any],
    prefix: str,
    data: Any,
    files: Any,
    previous: Any,
    answers: Mapping[str, Any],
    store: FileStore | None,
    raw: dict[str, Any],
    errors: dict[str, str],
    *,
    validate: bool,
) -> Any:
    """Clean one (non-group) field; record raw input and errors; return value or None."""
    name = f"{prefix}{spec['name']}"
    kind = spec["type"]
    required = spec.get("required", True)
    if kind == "address":
        parts = {level: _get(data, f"{name}{SEP}{level}") for level in ADDRESS_LEVELS}
        parts["jalan"] = _get(data, f"{name}{SEP}jalan")
        for key, value in parts.items():
            raw[f"{name}{SEP}{key}"] = value
        deepest = spec.get("address_level", "desa_kelurahan")
        levels = ADDRESS_LEVELS[: ADDRESS_LEVELS.index(deepest) + 1]
        if not any(parts[level] for level in levels) and not parts["jalan"]:
            if required and validate:
                errors[name] = _required_message(spec)
            return None
        address: dict[str, str] = {level: parts[level] for level in levels}
        if parts["jalan"]:
            address["jalan"] = parts["jalan"][:300]
        message = _check_address(spec, address, levels)
        if message:
            if validate:
                errors[name] = message
            return None
        return address
    if kind == "file":
        upload = files.get(name) if files is not None else None
        keep = _get(data, f"{name}{SEP}keep") == "1" and isinstance(previous, dict)
        if upload is not None and getattr(upload, "size", None) is not None and upload.name:
            try:
                detected = check_upload(spec, upload)
            except FieldError as exc:
                errors[name] = exc.message
                return previous if keep else None
            if store is None:
                return previous
            return store.save(name, upload, detected)
        if keep:
            return previous
        if required and validate:
            errors[name] = _required_message(spec)
        return None
    if kind == "multi_choice":
        values = [v for v in _getlist(data, name) if v]
        raw[name] = values
        if not values:
            if required and validate:
                errors[name] = _required_message(spec)
            return None
        allowed = {v for v, _l in source_choices(spec, answers)}
        problem = ""
        if any(v not in allowed for v in values):
            problem = _("%(label)s: choose only from the options listed.") % {"label": _label(spec)}
        elif spec.get("min_choices") and len(values) < spec["min_choices"]:
            problem = _("%(label)s: choose at least %(n)s.") % {"label": _label(spec), "n": spec["min_choices"]}
        elif spec.get("max_choices") and len(values) > spec["max_choices"]:
            problem = _("%(label)s: choose at most %(n)s.") % {"label": _label(spec), "n": spec["max_choices"]}
        if problem:
            if validate:
                errors[name] = problem
            return None
        return values
    value = _get(data, name)
    raw[name] = value
    if value == "":
        if required and validate:
            errors[name] = _required_message(spec)
        return None
    try:
        return clean_scalar(spec, value, answers)
    except FieldError as exc:
        if validate:
            errors[name] = exc.message
        return None


def _check_address(spec: Mapping[str, Any], value: dict[str, str], levels: tuple[str, ...]) -> str | None:
    regions = region_index()
    label = _label(spec)
    names = {
        "kabupaten_kota": _("regency/city"),
        "kecamatan": _("district (kecamatan)"),
        "desa_kelurahan": _("village (desa/kelurahan)"),
    }
    parent = "64"
    for level in levels:
        code = value.get(level, "")
        if not code:
            return _("%(label)s: choose the %(part)s.") % {"label": label, "part": names[level]}
        if regions.get(code) != (level, parent):
            return _("%(label)s: the %(part)s chosen does not belong to the one above it; choose again.") % {
                "label": label,
                "part": names[level],
            }
        parent = code
    return None


def _field_spec(form: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    for page in form["pages"]:
        for spec in page["fields"]:
            if spec["name"] == name:
                return spec
    return None


def distinct_problem(form: Mapping[str, Any], spec: Mapping[str, Any], answers: Mapping[str, Any]) -> str | None:
    """``distinct_from``: a choice that must differ from the answers of the named (earlier)
    choice fields, e.g. a second-choice school that is not the first choice. The message
    names both fields."""
    value = answers.get(spec["name"])
    if value in (None, ""):
        return None
    for other in spec.get("distinct_from") or []:
        if other != spec["name"] and answers.get(other) == value:
            other_spec = _field_spec(form, other)
            return _("%(label)s must be different from “%(other)s”: both have the same choice. Choose another.") % {
                "label": _label(spec),
                "other": _label(other_spec) if other_spec else other,
            }
    return None


def _item_has_input(prefix: str, data: Any, files: Any) -> bool:
    keys = data.keys() if hasattr(data, "keys") else []
    if any(key.startswith(prefix) and any(v.strip() for v in _getlist(data, key)) for key in keys):
        return True
    return bool(files) and any(key.startswith(prefix) for key in files)


def process_page(
    form: Mapping[str, Any],
    page_index: int,
    data: Any,
    files: Any,
    answers: Mapping[str, Any],
    *,
    store: FileStore | None = None,
    validate: bool = True,
) -> PageResult:
    """Read one page of input. Returns the updated answers (whole form), the raw input
    (to re-render what was typed) and the errors (html name → message)."""
    page = form["pages"][page_index]
    merged: dict[str, Any] = dict(answers)
    raw: dict[str, Any] = {}
    errors: dict[str, str] = {}
    counts: dict[str, int] = {}
    for spec in page["fields"]:
        name = spec["name"]
        # A condition on a field of this page is judged on what was just entered.
        if not condition_holds(spec.get("visible_if"), merged):
            merged.pop(name, None)
            continue
        if spec["type"] == "group":
            count = group_count(spec, data, answers)
            counts[name] = count
            raw[f"{name}{SEP}count"] = str(count)
            found = answers.get(name)
            previous_items: list[Any] = found if isinstance(found, list) else []
            items = []
            for i in range(count):
                previous_item = previous_items[i] if i < len(previous_items) else {}
                item: dict[str, Any] = {}
                if not previous_item and not _item_has_input(f"{name}{SEP}{i}{SEP}", data, files):
                    # An entry added and left empty is ignored, not an error.
                    for child in spec["fields"]:
                        raw[f"{name}{SEP}{i}{SEP}{child['name']}"] = ""
                    continue
                for child in spec["fields"]:
                    if not condition_holds(child.get("visible_if"), {**merged, **item}):
                        continue
                    value = _clean_field(
                        child,
                        f"{name}{SEP}{i}{SEP}",
                        data,
                        files,
                        previous_item.get(child["name"]),
                        merged,
                        store,
                        raw,
                        errors,
                        validate=validate,
                    )
                    if value is not None:
                        item[child["name"]] = value
                if item:
                    items.append(item)
            if validate and len(items) < spec.get("min_items", 1 if spec.get("required", True) else 0):
                errors.setdefault(
                    name,
                    _("%(label)s: add at least %(n)s entries.")
                    % {"label": _label(spec), "n": spec.get("min_items", 1)},
                )
            if items:
                merged[name] = items
            else:
                merged.pop(name, None)
            continue
        value = _clean_field(spec, "", data, files, answers.get(name), merged, store, raw, errors, validate=validate)
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    # Cross-field rules, judged once the whole page is read (the other field may be on it).
    for spec in page["fields"]:
        if spec.get("distinct_from") and spec["name"] not in errors:
            problem = distinct_problem(form, spec, merged)
            if problem:
                if validate:
                    errors[spec["name"]] = problem
                merged.pop(spec["name"], None)
    return PageResult(answers=merged, raw=raw, errors=errors, group_counts=counts)


def validate_all(form: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, str]:
    """Re-check stored answers of every visible page (before submitting): required
    fields present, cross-field rules (``distinct_from``) hold. Values were validated
    when their page was saved."""
    problems: dict[str, str] = {}
    for index in visible_pages(form, answers):
        for spec in form["pages"][index]["fields"]:
            if not condition_holds(spec.get("visible_if"), answers):
                continue
            if spec.get("required", True) and answers.get(spec["name"]) in (None, "", [], {}):
                problems[spec["name"]] = _required_message(spec)
            elif spec.get("distinct_from"):
                # An earlier page may have been changed after this one was saved.
                problem = distinct_problem(form, spec, answers)
                if problem:
                    problems[spec["name"]] = problem
    return problems


# --------------------------------------------------------------------------------------
# Protected (encrypted) answers


def _protected_names(fields: list[Mapping[str, Any]]) -> tuple[set[str], dict[str, set[str]]]:
    top = {f["name"] for f in fields if f["type"] in PROTECTED_TYPES}
    groups = {
        f["name"]: {c["name"] for c in f["fields"] if c["type"] in PROTECTED_TYPES}
        for f in fields
        if f["type"] == "group"
    }
    return top, {k: v for k, v in groups.items() if v}


def split_protected(form: Mapping[str, Any], answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate NIK/phone answers (encrypted at rest) from the rest."""
    fields = [f for page in form["pages"] for f in page["fields"]]
    top, groups = _protected_names(fields)
    public: dict[str, Any] = {}
    protected: dict[str, Any] = {}
    for key, value in answers.items():
        if key in top:
            protected[key] = value
        elif key in groups and isinstance(value, list):
            public[key] = [{k: v for k, v in item.items() if k not in groups[key]} for item in value]
            protected[key] = [{k: v for k, v in item.items() if k in groups[key]} for item in value]
        else:
            public[key] = value
    return public, protected


def merge_protected(public: Mapping[str, Any], protected: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = dict(public)
    for key, value in protected.items():
        if isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = [{**a, **b} for a, b in zip(merged[key], value, strict=False)]
        else:
            merged[key] = value
    return merged


def first_of_type(form: Mapping[str, Any], answers: Mapping[str, Any], kind: str) -> str | None:
    for page in form["pages"]:
        for spec in page["fields"]:
            if spec["type"] == kind and isinstance(answers.get(spec["name"]), str):
                return answers[spec["name"]]
    return None


def holder_name(form: Mapping[str, Any], answers: Mapping[str, Any]) -> str | None:
    for page in form["pages"]:
        for spec in page["fields"]:
            if spec.get("holder_name") and isinstance(answers.get(spec["name"]), str):
                return answers[spec["name"]]
    return None


def file_ids(form: Mapping[str, Any], answers: Mapping[str, Any]) -> list[int]:
    ids: list[int] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "file_id" in value:
                ids.append(int(value["file_id"]))
            else:
                for v in value.values():
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(answers)
    return ids


# --------------------------------------------------------------------------------------
# Display


def mask_nik(value: str) -> str:
    return value[:6] + "••••••" + value[-4:] if len(value) == 16 else value


def display_value(spec: Mapping[str, Any], value: Any, answers: Mapping[str, Any], *, mask: bool = False) -> str:
    kind = spec["type"]
    if value is None:
        return "—"
    if kind == "yes_no":
        return _("Yes") if value else _("No")
    if kind in {"choice", "multi_choice"}:
        labels = dict(source_choices(spec, answers)) if kind == "multi_choice" or spec.get("choices") else {}
        if kind == "choice" and spec.get("choices_source"):
            labels = dict(source_choices({**spec, "filter_by": None}, answers))
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v) or str(v) for v in values)
    if kind == "date":
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if kind == "address" and isinstance(value, dict):
        from etam.core.models import Region

        codes = [value[level] for level in ADDRESS_LEVELS if value.get(level)]
        names = dict(Region.objects.current().filter(code__in=codes).values_list("code", "name"))
        parts = [value.get("jalan", "")] + [names.get(code, code) for code in reversed(codes)]
        return ", ".join(p for p in parts if p)
    if kind == "file" and isinstance(value, dict):
        return f"{value.get('name')} ({(int(value.get('size', 0)) + 1023) // 1024} KB)"
    if kind == "nik" and mask:
        return mask_nik(str(value))
    return str(value)


@dataclass
class SummaryRow:
    label: str
    value: str
    file_id: int | None = None
    items: list[list[SummaryRow]] | None = None


def summarise(form: Mapping[str, Any], answers: Mapping[str, Any], *, mask: bool = False) -> list[dict[str, Any]]:
    """Pages → rows of (label, display value) for the review page and the case page."""
    sections = []
    for index in visible_pages(form, answers):
        page = form["pages"][index]
        rows: list[SummaryRow] = []
        for spec in page["fields"]:
            if spec["name"] not in answers:
                continue
            value = answers[spec["name"]]
            if spec["type"] == "group":
                items = [
                    [
                        SummaryRow(
                            _label(c),
                            display_value(c, item.get(c["name"]), answers, mask=mask),
                            item[c["name"]].get("file_id") if c["type"] == "file" and c["name"] in item else None,
                        )
                        for c in spec["fields"]
                        if c["name"] in item
                    ]
                    for item in value
                ]
                rows.append(SummaryRow(_label(spec), "", items=items))
            else:
                rows.append(
                    SummaryRow(
                        _label(spec),
                        display_value(spec, value, answers, mask=mask),
                        value.get("file_id") if spec["type"] == "file" and isinstance(value, dict) else None,
                    )
                )
        sections.append({"index": index, "title": localise(page["title"]), "rows": rows})
    return sections


# --------------------------------------------------------------------------------------
# Rendering a page back


@dataclass
class BoundField:
    name: str
    id: str
    type: str
    label: str
    help: str
    required: bool
    value: str = ""
    values: list[str] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    condition_hint: str = ""
    file: dict[str, Any] | None = None
    address: list[dict[str, Any]] = field(default_factory=list)
    street: str = ""
    items: list[list[BoundField]] = field(default_factory=list)
    count: int = 0
    can_add: bool = False
    max_length: int | None = None
    input_type: str = "text"


def _display_raw(spec: Mapping[str, Any], value: Any) -> str:
    if value is None:
        return ""
    if spec["type"] == "yes_no":
        return YES if value else NO
    if spec["type"] == "date" and isinstance(value, str):
        return value
    return str(value)


def _condition_hint(spec: Mapping[str, Any], page_names: set[str], form: Mapping[str, Any]) -> str:
    condition = spec.get("visible_if")
    if not condition or condition["field"] not in page_names:
        return ""
    target = next(
        (f for p in form["pages"] for f in p["fields"] if f["name"] == condition["field"]),
        {"label": condition["field"], "type": "text"},
    )
    wanted = [condition["equals"]] if "equals" in condition else condition["in"]
    if target["type"] == "yes_no":
        shown = ", ".join(_("Yes") if w is True else _("No") for w in wanted)
    else:
        labels = dict(source_choices(target, {}))
        shown = ", ".join(labels.get(str(w), str(w)) for w in wanted)
    return _("Fill in only if “%(field)s” is %(value)s.") % {"field": localise(target["label"]), "value": shown}


def _bind(
    spec: Mapping[str, Any],
    prefix: str,
    value: Any,
    raw: Mapping[str, Any] | None,
    errors: Mapping[str, str],
    answers: Mapping[str, Any],
    hint: str,
) -> BoundField:
    name = f"{prefix}{spec['name']}"
    kind = spec["type"]
    bound = BoundField(
        name=name,
        id=f"f-{name}",
        type=kind,
        label=_label(spec),
        help=localise(spec.get("help")),
        required=spec.get("required", True),
        error=errors.get(name, ""),
        condition_hint=hint,
        max_length=spec.get("max_length"),
        input_type={"email": "email", "phone": "tel", "number": "text", "nik": "text"}.get(kind, "text"),
    )
    if kind == "address":
        parts = (
            {k[len(name) + len(SEP) :]: v for k, v in raw.items() if k.startswith(f"{name}{SEP}")}
            if raw is not None
            else (value or {})
        )
        deepest = spec.get("address_level", "desa_kelurahan")
        parent: str | None = None
        level_names = {
            "kabupaten_kota": _("Regency/city"),
            "kecamatan": _("District (kecamatan)"),
            "desa_kelurahan": _("Village (desa/kelurahan)"),
        }
        for level in ADDRESS_LEVELS[: ADDRESS_LEVELS.index(deepest) + 1]:
            options = region_options(level, parent) if (level == "kabupaten_kota" or parent) else []
            selected = parts.get(level, "") or ""
            if selected and selected not in {c for c, _n in options}:
                selected = ""
            bound.address.append(
                {
                    "level": level,
                    "name": f"{name}{SEP}{level}",
                    "id": f"f-{name}{SEP}{level}",
                    "label": level_names[level],
                    "options": options,
                    "selected": selected,
                    "needs_choice": not options,
                }
            )
            parent = selected or None
        bound.street = parts.get("jalan", "") or ""
        return bound
    if kind == "file":
        bound.file = value if isinstance(value, dict) else None
        return bound
    if kind in {"choice", "multi_choice"}:
        bound.choices = source_choices(spec, answers)
    if kind == "multi_choice":
        bound.values = list(raw.get(name, [])) if raw is not None else list(value or [])
        return bound
    bound.value = str(raw.get(name, "")) if raw is not None else _display_raw(spec, value)
    return bound


def bind_page(
    form: Mapping[str, Any],
    page_index: int,
    answers: Mapping[str, Any],
    raw: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    group_counts: Mapping[str, int] | None = None,
) -> list[BoundField]:
    """The fields of one page ready for the template: what was typed (``raw``) wins over
    the stored answers; errors sit on their field."""
    errors = errors or {}
    page = form["pages"][page_index]
    page_names = {f["name"] for f in page["fields"]}
    bound: list[BoundField] = []
    for spec in page["fields"]:
        condition = spec.get("visible_if")
        if condition and condition["field"] not in page_names and not condition_holds(condition, answers):
            continue
        hint = _condition_hint(spec, page_names, form)
        if spec["type"] == "group":
            found = answers.get(spec["name"])
            stored: list[Any] = found if isinstance(found, list) else []
            count = (group_counts or {}).get(spec["name"]) or group_count(spec, raw or {}, answers)
            group = BoundField(
                name=spec["name"],
                id=f"f-{spec['name']}",
                type="group",
                label=_label(spec),
                help=localise(spec.get("help")),
                required=spec.get("required", True),
                error=errors.get(spec["name"], ""),
                condition_hint=hint,
                count=count,
                can_add=count < spec.get("max_items", 20),
            )
            for i in range(count):
                item_value = stored[i] if i < len(stored) else {}
                group.items.append(
                    [
                        _bind(
                            child,
                            f"{spec['name']}{SEP}{i}{SEP}",
                            item_value.get(child["name"]),
                            raw,
                            errors,
                            answers,
                            "",
                        )
                        for child in spec["fields"]
                    ]
                )
            bound.append(group)
            continue
        bound.append(_bind(spec, "", answers.get(spec["name"]), raw, errors, answers, hint))
    return bound
