"""Composer settings for a field's cross-field rules and account prefill (issue 15, ADR 0125):
plain form fields an officer fills in, turned into ``"rules": [...]`` and ``"prefill"`` of the
field definition. The definition check (``formengine.rules.definition_problems``) says
when a named field does not exist or has the wrong type.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etam.eservices.definitions import NAME_PATTERN
from etam.eservices.formengine.rules import ORDER_KINDS

ORDER_CHOICES = [
    ("", gettext_lazy("— no comparison —")),
    ("on_or_after", gettext_lazy("on or after")),
    ("after", gettext_lazy("after")),
    ("on_or_before", gettext_lazy("on or before")),
    ("before", gettext_lazy("before")),
]
PREFILL_CHOICES = [
    ("", gettext_lazy("— not filled in —")),
    ("name", gettext_lazy("the account's name")),
    ("nik", gettext_lazy("the NIK from the citizen's latest application")),
    ("phone", gettext_lazy("the account's phone number")),
]
RULE_FORM_FIELDS = [
    "date_order", "date_other", "within_days", "age_min", "age_max", "age_on",
    "nik_birth_date", "nik_sex", "nik_female", "prefill",
]  # fmt: skip


def _invalid(label: Any, what: Any) -> dict[str, Any]:
    return {"invalid": format_lazy("{field}: {what}", field=label, what=what)}


def _name(label: Any, help_text: Any = "") -> forms.RegexField:
    return forms.RegexField(
        regex=NAME_PATTERN,
        label=label,
        required=False,
        max_length=40,
        help_text=help_text,
        error_messages=_invalid(label, gettext_lazy("write the name (key) of a field, e.g. tanggal_mulai.")),
    )


def _number(label: Any, high: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=high,
        error_messages={
            **_invalid(label, gettext_lazy("enter a whole number.")),
            "min_value": format_lazy(gettext_lazy("{field} must be at least {n}."), field=label, n=0),
            "max_value": format_lazy(gettext_lazy("{field} must be at most {n}."), field=label, n=high),
        },
    )


class RulesMixin(forms.Form):
    date_order = forms.ChoiceField(
        label=gettext_lazy("Date rule: this date must be"), required=False, choices=ORDER_CHOICES
    )
    date_other = _name(gettext_lazy("… the date in the field"), gettext_lazy("The name of another date field."))
    within_days = _number(gettext_lazy("Date rule: at most this many days before or after today"), 36600)
    age_min = _number(gettext_lazy("Birth date rule: lowest age (years)"), 150)
    age_max = _number(gettext_lazy("Birth date rule: highest age (years)"), 150)
    age_on = forms.RegexField(
        regex=r"^(\d{4}-)?\d{2}-\d{2}$",
        label=gettext_lazy("Age counted on"),
        required=False,
        max_length=10,
        help_text=gettext_lazy(
            "MM-DD of the current year (07-01 is 1 July) or YYYY-MM-DD; empty: the day of applying."
        ),
        error_messages=_invalid(gettext_lazy("Age counted on"), gettext_lazy("write MM-DD or YYYY-MM-DD.")),
    )
    nik_birth_date = _name(
        gettext_lazy("NIK rule: digits 7–12 must match the birth date in the field"),
        gettext_lazy("The name of the birth-date field."),
    )
    nik_sex = _name(gettext_lazy("NIK rule: and the sex in the choice field"))
    nik_female = forms.CharField(label=gettext_lazy("… whose value for a woman is"), required=False, max_length=80)
    prefill = forms.ChoiceField(
        label=gettext_lazy("Fill in from the citizen's account"), required=False, choices=PREFILL_CHOICES
    )

    @staticmethod
    def rules_initial(spec: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {"prefill": spec.get("prefill", "")}
        for rule in spec.get("rules") or []:
            kind = rule.get("kind")
            if kind in ORDER_KINDS and "date_order" not in initial:
                initial.update(date_order=kind, date_other=rule.get("field", ""))
            elif kind in {"not_past", "not_future"}:
                initial[kind] = True
            elif kind == "within_days":
                initial["within_days"] = rule.get("days")
            elif kind == "age":
                initial.update(age_min=rule.get("min"), age_max=rule.get("max"), age_on=rule.get("on", ""))
            elif kind == "nik_matches":
                initial.update(
                    nik_birth_date=rule.get("birth_date", ""),
                    nik_sex=rule.get("sex", ""),
                    nik_female=rule.get("female", ""),
                )
        return initial

    def clean_rules(self, data: dict[str, Any]) -> None:
        if data.get("date_order") and not data.get("date_other"):
            self.add_error("date_other", _("The other date field: write its name to compare with."))
        if data.get("date_other") and not data.get("date_order"):
            self.add_error(
                "date_order",
                _("Date rule: choose how this date compares with %(name)s.") % {"name": data["date_other"]},
            )
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("Highest age: must not be lower than the lowest age."))
        if data.get("nik_sex") and not (data.get("nik_female") or "").strip():
            self.add_error(
                "nik_female",
                _("Value for a woman: write the value of %(name)s that means female.") % {"name": data["nik_sex"]},
            )

    def rules_to_spec(self, spec: dict[str, Any], existing: dict[str, Any] | None) -> None:
        """Write ``rules`` and ``prefill`` into ``spec`` for its type. Further comparisons the
        composer does not show (a second date rule from an imported definition) are kept;
        not-past/not-future are the field's flags."""
        data, kind = self.cleaned_data, spec["type"]
        rules: list[dict[str, Any]] = []
        if kind == "date":
            if data.get("date_order") and data.get("date_other"):
                rules.append({"kind": data["date_order"], "field": data["date_other"]})
            kept = [r for r in (existing or {}).get("rules") or [] if r.get("kind") in ORDER_KINDS]
            rules += kept[1:]
            if data.get("within_days") is not None:
                rules.append({"kind": "within_days", "days": data["within_days"]})
            if data.get("age_min") is not None or data.get("age_max") is not None:
                age: dict[str, Any] = {"kind": "age"}
                for key, value in (
                    ("min", data.get("age_min")),
                    ("max", data.get("age_max")),
                    ("on", data.get("age_on")),
                ):
                    if value not in (None, ""):
                        age[key] = value
                rules.append(age)
        if kind == "nik" and (data.get("nik_birth_date") or data.get("nik_sex")):
            rule: dict[str, Any] = {"kind": "nik_matches"}
            if data.get("nik_birth_date"):
                rule["birth_date"] = data["nik_birth_date"]
            if data.get("nik_sex"):
                rule.update(sex=data["nik_sex"], female=data["nik_female"].strip())
            rules.append(rule)
        if rules:
            spec["rules"] = rules
        else:
            spec.pop("rules", None)
        prefill = data.get("prefill") or ""
        if prefill and kind == {"name": "text", "nik": "nik", "phone": "phone"}[prefill]:
            spec["prefill"] = prefill
        else:
            spec.pop("prefill", None)
