"""Cross-field rules of a form (issue 15, ADR 0125), declared on a field as ``"rules": [...]``:

- ``{"kind": "on_or_after" | "after" | "before" | "on_or_before", "field": other}``: a date
  compared with another date field;
- ``{"kind": "not_past"}`` / ``{"kind": "not_future"}`` (also the older field flags
  ``not_past``/``not_future``, which ``clean_scalar`` checks on the server);
- ``{"kind": "within_days", "days": N}``: at most N days before or after today;
- ``{"kind": "age", "min": A, "max": B, "on": "MM-DD" | "YYYY-MM-DD"}``: the age a birth date
  gives on a reference day (default today; ``MM-DD`` is that day of the current year);
- ``{"kind": "nik_matches", "birth_date": field, "sex": field, "female": value}`` on a NIK
  field: digits 7–12 (DDMMYY, day + 40 for women) agree with the birth date and sex entered.

The same rules run in the browser (``eservices/static/eservices/rules.js``, given
:func:`client_payload`) and in the offline form; ``tests/eservices/form_rules_vectors.json``
holds answers and expected messages that all of them must reproduce. A rule whose values
are missing or unreadable is skipped: the field's own check reports those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from etam.eservices.workflow import localise

ORDER_KINDS = ("before", "on_or_before", "after", "on_or_after")
RULE_KINDS = (*ORDER_KINDS, "not_past", "not_future", "within_days", "age", "nik_matches")


def messages() -> dict[str, str]:
    """The message templates in the active language (``%(name)s`` placeholders), shared
    with the browser so both say exactly the same thing."""
    return dict(_messages(get_language()))


@lru_cache(maxsize=8)
def _messages(language: str | None) -> dict[str, str]:
    """``messages`` built once per language and process (the catalogues are compiled files)."""
    return {
        "before": _("%(label)s (%(value)s) must be before %(other)s (%(other_value)s)."),
        "on_or_before": _("%(label)s (%(value)s) must be on or before %(other)s (%(other_value)s)."),
        "after": _("%(label)s (%(value)s) must be after %(other)s (%(other_value)s)."),
        "on_or_after": _("%(label)s (%(value)s) must be on or after %(other)s (%(other_value)s)."),
        "not_past": _("%(label)s: the date cannot be in the past."),
        "not_future": _("%(label)s: the date cannot be in the future."),
        "within_days": _("%(label)s must be within %(days)s days of today (between %(start)s and %(end)s)."),
        "age_min": _("%(label)s: the age on %(on)s must be at least %(min)s years (this date gives %(age)s)."),
        "age_max": _("%(label)s: the age on %(on)s must be at most %(max)s years (this date gives %(age)s)."),
        "nik_birth": _(
            "%(label)s: digits 7–12 (%(part)s) give the birth date %(nik_date)s, but %(other)s is "
            "%(other_value)s. Check both."
        ),
        "nik_female": _(
            "%(label)s: the day in digits 7–8 (%(part)s) marks a woman (40 added to the day), but "
            "%(other)s is “%(other_value)s”. Check both."
        ),
        "nik_male": _(
            "%(label)s: the day in digits 7–8 (%(part)s) marks a man (women add 40 to the day), but "
            "%(other)s is “%(other_value)s”. Check both."
        ),
        "summary": _("There is a problem"),
        "required": _("%(label)s: this field is required."),
        "required_choice": _("%(label)s: choose an answer."),
        "required_file": _("%(label)s: choose a file to upload."),
        "nik_digits": _("%(label)s may contain digits only (you entered %(letters)s)."),
        "nik_length": _("%(label)s must be exactly 16 digits (you entered %(count)s characters)."),
        "nik_date": _("%(label)s: digits 7–12 (%(part)s) are not a real birth date (DDMMYY; women add 40 to the day)."),
        "nik_future": _("%(label)s: the birth date in digits 7–12 (%(part)s) is in the future."),
        "nik_serial": _("%(label)s: the last four digits cannot be 0000."),
        "date": _("%(label)s: enter a real date as DD/MM/YYYY, e.g. 17/08/2025."),
        "phone": _("%(label)s: enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 812 3456 7890."),
    }


def parse_date(raw: Any) -> date | None:
    """``YYYY-MM-DD`` (what is stored and what a date input gives) or ``DD/MM/YYYY``."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", text)
    parts: tuple[int, int, int] | None = None
    if match:
        parts = (int(match[1]), int(match[2]), int(match[3]))
    else:
        match = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", text)
        if match:
            parts = (int(match[3]), int(match[2]), int(match[1]))
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def show(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def reference_day(on: str | None, today: date) -> date:
    if on and re.match(r"^\d{2}-\d{2}$", on):
        try:
            return date(today.year, int(on[:2]), int(on[3:]))
        except ValueError:
            return today
    return parse_date(on) or today


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def field_rules(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The field's rules, the older ``not_past``/``not_future`` flags included."""
    rules = [{"kind": flag, "legacy": True} for flag in ("not_past", "not_future") if spec.get(flag)]
    return rules + [dict(r) for r in spec.get("rules") or []]


def _specs(form: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for page in form["pages"]:
        yield from page["fields"]


def _label_of(form: Mapping[str, Any], name: str) -> str:
    for spec in _specs(form):
        if spec["name"] == name:
            return localise(spec["label"])
    return name


def _choice_label(form: Mapping[str, Any], name: str, value: Any) -> str:
    for spec in _specs(form):
        if spec["name"] == name:
            for choice in spec.get("choices") or []:
                if choice["value"] == value:
                    return localise(choice["label"])
    return str(value)


def normalised(form: Mapping[str, Any], names: set[str] | None = None) -> list[dict[str, Any]]:
    """Every rule of the (top-level) fields, or of ``names`` only, with the labels resolved
    in the active language: the shape both checkers read."""
    out = []
    for spec in _specs(form):
        if spec["type"] == "group" or (names is not None and spec["name"] not in names):
            continue
        for rule in field_rules(spec):
            item = {**rule, "name": spec["name"], "label": localise(spec["label"])}
            for key in ("field", "birth_date", "sex"):
                if rule.get(key):
                    item[f"{key}_label"] = _label_of(form, rule[key])
            if rule.get("sex"):
                item["sex_choices"] = {
                    c["value"]: localise(c["label"])
                    for s in _specs(form)
                    if s["name"] == rule["sex"]
                    for c in s.get("choices") or []
                }
            out.append(item)
    return out


def _format(template: str, values: Mapping[str, Any]) -> str:
    return template % dict(values)


def check_rule(
    rule: Mapping[str, Any], answers: Mapping[str, Any], today: date, texts: Mapping[str, str]
) -> str | None:
    """One normalised rule against the answers: the message, or None when it holds or
    cannot be judged (a value missing or unreadable)."""
    kind = rule.get("kind")
    value = answers.get(rule["name"])
    label = rule["label"]
    if kind == "nik_matches":
        return _check_nik(rule, value, answers, texts)
    day = parse_date(value)
    if day is None:
        return None
    if kind in ORDER_KINDS:
        other = parse_date(answers.get(rule.get("field", "")))
        if other is None:
            return None
        holds = {
            "before": day < other,
            "on_or_before": day <= other,
            "after": day > other,
            "on_or_after": day >= other,
        }[kind]
        if holds:
            return None
        return _format(
            texts[kind],
            {"label": label, "value": show(day), "other": rule["field_label"], "other_value": show(other)},
        )
    if kind == "not_past":
        return None if day >= today else _format(texts["not_past"], {"label": label})
    if kind == "not_future":
        return None if day <= today else _format(texts["not_future"], {"label": label})
    if kind == "within_days":
        days = int(rule["days"])
        start, end = today - timedelta(days=days), today + timedelta(days=days)
        if start <= day <= end:
            return None
        return _format(texts["within_days"], {"label": label, "days": days, "start": show(start), "end": show(end)})
    if kind == "age":
        on = reference_day(rule.get("on"), today)
        age = age_on(day, on)
        if rule.get("min") is not None and age < int(rule["min"]):
            return _format(texts["age_min"], {"label": label, "on": show(on), "min": rule["min"], "age": age})
        if rule.get("max") is not None and age > int(rule["max"]):
            return _format(texts["age_max"], {"label": label, "on": show(on), "max": rule["max"], "age": age})
    return None


def _check_nik(rule: Mapping[str, Any], value: Any, answers: Mapping[str, Any], texts: Mapping[str, str]) -> str | None:
    digits = re.sub(r"[\s.-]", "", value) if isinstance(value, str) else ""
    if not digits.isdigit() or len(digits) != 16:
        return None
    part = digits[6:12]
    day, month, year2 = int(part[0:2]), int(part[2:4]), int(part[4:6])
    female = day > 40
    if female:
        day -= 40
    if rule.get("birth_date"):
        born = parse_date(answers.get(rule["birth_date"]))
        if born is not None and (born.day, born.month, born.year % 100) != (day, month, year2):
            return _format(
                texts["nik_birth"],
                {
                    "label": rule["label"],
                    "part": part,
                    "nik_date": f"{day:02d}/{month:02d}/{year2:02d}",
                    "other": rule["birth_date_label"],
                    "other_value": show(born),
                },
            )
    sex = answers.get(rule["sex"]) if rule.get("sex") else None
    if isinstance(sex, str) and sex and rule.get("female") and female != (sex == rule["female"]):
        return _format(
            texts["nik_female" if female else "nik_male"],
            {
                "label": rule["label"],
                "part": part[:2],
                "other": rule["sex_label"],
                "other_value": (rule.get("sex_choices") or {}).get(sex, sex),
            },
        )
    return None


def check_rules(
    form: Mapping[str, Any],
    answers: Mapping[str, Any],
    *,
    names: set[str] | None = None,
    today: date | None = None,
    legacy: bool = True,
) -> dict[str, str]:
    """Field name → first broken rule's message, over the fields in ``names`` (default all).
    ``legacy=False`` leaves out the older flags (the server's ``clean_scalar`` checks them)."""
    rules = normalised(form, names)
    if not rules:  # most fields have none: spare building the message texts
        return {}
    today = today or timezone.localdate()
    texts = _messages(get_language())
    problems: dict[str, str] = {}
    for rule in rules:
        if rule["name"] in problems or (rule.get("legacy") and not legacy):
            continue
        message = check_rule(rule, answers, today, texts)
        if message:
            problems[rule["name"]] = message
    return problems


def referenced(form: Mapping[str, Any]) -> list[str]:
    """Names a rule points at (its other fields), to hand their stored answers to the page."""
    return sorted(
        {
            r[key]
            for spec in _specs(form)
            for r in spec.get("rules") or []
            for key in ("field", "birth_date", "sex")
            if r.get(key)
        }
    )


def client_payload(
    form: Mapping[str, Any],
    names: set[str],
    answers: Mapping[str, Any],
    *,
    today: date | None = None,
    fields: Sequence[Mapping[str, Any]] | None = None,
    device_today: bool = False,
) -> dict[str, Any]:
    """What the page's script needs (rendered as a JSON data block): today (None: the
    device's date, for a page kept offline), the rules of the fields on the page, stored
    answers of other fields they refer to, the field checks (``fields``: name, label, type,
    required, the conditions showing it) and the message templates."""
    today = today or timezone.localdate()
    known = {n: answers[n] for n in referenced(form) if n not in names and isinstance(answers.get(n), str)}
    rules = normalised(form, names)
    return {
        "today": None if device_today else today.isoformat(),
        "rules": rules,
        "known": known,
        "fields": [
            {
                "name": f["name"],
                "label": localise(f["label"]),
                "type": f["type"],
                "required": f.get("required", True),
                "visible_if": [f["visible_if"]] if isinstance(f.get("visible_if"), dict) else f.get("visible_if") or [],
            }
            for f in fields or []
        ],
        "messages": _needed(messages(), rules, fields or []),
    }


def _needed(texts: dict[str, str], rules: list[dict[str, Any]], fields: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Only the templates this page can use (the payload rides on every form page)."""
    keys = {"summary"}
    by_kind = {"age": ("age_min", "age_max"), "nik_matches": ("nik_birth", "nik_female", "nik_male")}
    for rule in rules:
        keys.update(by_kind.get(rule["kind"], (rule["kind"],)))
    by_type = {
        "nik": ("nik_digits", "nik_length", "nik_date", "nik_future", "nik_serial"),
        "phone": ("phone",),
        "date": ("date",),
    }
    for spec in fields:
        keys.update(by_type.get(spec["type"], ()))
        if spec.get("required", True):
            keys.add(
                "required_file"
                if spec["type"] == "file"
                else "required_choice"
                if spec["type"] in {"choice", "yes_no", "multi_choice"}
                else "required"
            )
    return {key: text for key, text in texts.items() if key in keys}


def _checkable(spec: Mapping[str, Any]) -> bool:
    return spec["type"] not in {"group", "address"}


def page_payload(form: Mapping[str, Any], index: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of one page of the web form: its fields (those a condition on an earlier
    page hides are left out, as the page leaves them out)."""
    page = form["pages"][index]
    on_page = {spec["name"] for spec in page["fields"]}
    fields = []
    for spec in page["fields"]:
        condition = spec.get("visible_if")
        if condition and condition["field"] not in on_page:
            from etam.eservices.formengine.fields import condition_holds

            if not condition_holds(condition, answers):
                continue
            condition = None
        if _checkable(spec):
            fields.append({**spec, "visible_if": [condition] if condition else []})
    return client_payload(form, {f["name"] for f in fields}, answers, fields=fields)


def whole_form_payload(form: Mapping[str, Any], extra: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The payload of the one-page (offline) form: every field, under its page's condition
    too; ``extra`` fields come first (the assisted citizen's name, NIK and phone). Today is
    the device's: the page may be used days after it was kept."""
    fields: list[Mapping[str, Any]] = [dict(f, visible_if=[]) for f in extra or []]
    for page in form["pages"]:
        for spec in page["fields"]:
            if _checkable(spec):
                conditions = [c for c in (page.get("visible_if"), spec.get("visible_if")) if c]
                fields.append({**spec, "visible_if": conditions})
    return client_payload(form, {f["name"] for f in fields}, {}, fields=fields, device_today=True)


def definition_problems(form: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(path, message) for rules a schema cannot judge: the field kinds they fit, the fields
    they name exist (top level, of the right type), min ≤ max."""
    kinds = {spec["name"]: spec["type"] for spec in _specs(form)}
    wanted = {
        **dict.fromkeys(ORDER_KINDS, "date"),
        "not_past": "date",
        "not_future": "date",
        "within_days": "date",
        "age": "date",
        "nik_matches": "nik",
    }
    problems: list[tuple[str, str]] = []
    for p, page in enumerate(form["pages"]):
        for f, spec in enumerate(page["fields"]):
            for child in spec.get("fields") or []:
                if child.get("rules"):
                    problems.append((f"pages[{p}].fields[{f}]", _("Rules are not supported inside a repeating group.")))
            prefill = spec.get("prefill")
            if prefill and spec["type"] != {"name": "text", "nik": "nik", "phone": "phone"}[prefill]:
                problems.append(
                    (
                        f"pages[{p}].fields[{f}].prefill",
                        _("prefill %(kind)s does not fit a %(type)s field.") % {"kind": prefill, "type": spec["type"]},
                    )
                )
            for r, rule in enumerate(spec.get("rules") or []):
                path = f"pages[{p}].fields[{f}].rules[{r}]"
                kind = rule["kind"]
                if spec["type"] != wanted[kind]:
                    problems.append(
                        (path, _("A %(kind)s rule belongs on a %(type)s field.") % {"kind": kind, "type": wanted[kind]})
                    )
                for key, need in (("field", "date"), ("birth_date", "date"), ("sex", "choice")):
                    other = rule.get(key)
                    if other and (other == spec["name"] or kinds.get(other) != need):
                        problems.append(
                            (
                                f"{path}.{key}",
                                _("%(key)s must name another %(type)s field of this form, not %(name)s.")
                                % {"key": key, "type": need, "name": other},
                            )
                        )
                low, high = rule.get("min"), rule.get("max")
                if kind == "age" and low is not None and high is not None and low > high:
                    problems.append((path, _("min is larger than max.")))
    return problems
