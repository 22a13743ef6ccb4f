"""Composer forms for pages and fields; every message names the field and what is
expected (Bahasa Indonesia first).
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etam.eservices.builder.refs import (
    ADDRESS_LEVELS,
    FIELD_TYPES,
    FILE_KINDS,
    _set,
    _unique_name,
    choices_text,
    condition_from,
    condition_initial,
    make_text,
    parse_choices,
    text_pair,
)
from etam.eservices.builder.rule_forms import RULE_FORM_FIELDS, RulesMixin
from etam.eservices.definitions import NAME_PATTERN

# --------------------------------------------------------------------------------------
# Forms (every message names the field and what is expected)


def _messages(label: Any, **extra: Any) -> dict[str, Any]:
    messages = {
        "required": format_lazy(gettext_lazy("{field} is required."), field=label),
        "invalid": format_lazy(gettext_lazy("{field}: enter a whole number."), field=label),
        "invalid_choice": format_lazy(gettext_lazy("{field}: choose one of the options."), field=label),
        "max_length": format_lazy(gettext_lazy("{field}: too long."), field=label),
    }
    messages.update(extra)
    return messages


def _char(label: Any, *, required: bool = False, max_length: int = 500, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, error_messages=_messages(label), **kwargs
    )


def _lines(label: Any, *, rows: int, help_text: Any) -> forms.CharField:
    """A text area of one entry per line (choices, data lines)."""
    return _char(label, max_length=20000, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text)


def _int(label: Any, *, min_value: int, max_value: int, **kwargs: Any) -> forms.IntegerField:
    messages = _messages(
        label,
        min_value=format_lazy(gettext_lazy("{field} must be at least {n}."), field=label, n=min_value),
        max_value=format_lazy(gettext_lazy("{field} must be at most {n}."), field=label, n=max_value),
    )
    return forms.IntegerField(
        label=label, required=False, min_value=min_value, max_value=max_value, error_messages=messages, **kwargs
    )


def _name_field(label: Any, *, required: bool = True) -> forms.RegexField:
    return forms.RegexField(
        regex=NAME_PATTERN,
        label=label,
        required=required,
        max_length=40,
        error_messages=_messages(
            label,
            invalid=format_lazy(
                gettext_lazy(
                    "{field}: use 1–40 lowercase letters, digits or underscores, starting with a letter "
                    "(for example nama_lengkap)."
                ),
                field=label,
            ),
        ),
    )


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ConditionMixin(_Form):
    visible_field = forms.ChoiceField(label=gettext_lazy("Show only if the field"), required=False, choices=[])
    visible_values = _char(
        gettext_lazy("has one of the values"),
        max_length=500,
        help_text=gettext_lazy("Comma-separated; for a yes/no field write ya or tidak."),
    )

    def set_condition_choices(self, names: list[str]) -> None:
        field = self.fields["visible_field"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— always shown —")), *[(n, n) for n in names]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("visible_field") and not (data.get("visible_values") or "").strip():
            self.add_error(
                "visible_values",
                _("Values: name at least one value of %(name)s that shows this.") % {"name": data["visible_field"]},
            )
        return data


class PageForm(ConditionMixin):
    title = _char(gettext_lazy("Page title"), required=True, max_length=500)
    title_en = _char(gettext_lazy("Page title (English)"))
    intro = _char(gettext_lazy("Introduction"), widget=forms.Textarea(attrs={"rows": 2}))
    intro_en = _char(gettext_lazy("Introduction (English)"), widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["title", "title_en", "intro", "intro_en", "visible_field", "visible_values"]

    @classmethod
    def initial_for(cls, page: dict[str, Any]) -> dict[str, Any]:
        title, title_en = text_pair(page.get("title"))
        intro, intro_en = text_pair(page.get("intro"))
        return {
            "title": title,
            "title_en": title_en,
            "intro": intro,
            "intro_en": intro_en,
            **condition_initial(page.get("visible_if")),
        }


class FieldForm(ConditionMixin, RulesMixin):
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=FIELD_TYPES)
    name = _name_field(gettext_lazy("Name (key of the answer)"))
    label = _char(gettext_lazy("Question (label)"), required=True)
    label_en = _char(gettext_lazy("Question (English)"))
    help = _char(gettext_lazy("Help text"), widget=forms.Textarea(attrs={"rows": 2}))
    help_en = _char(gettext_lazy("Help text (English)"), widget=forms.Textarea(attrs={"rows": 2}))
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    choices = _lines(
        gettext_lazy("Choices"),
        rows=5,
        help_text=gettext_lazy("For choice fields: one per line, “value = Label” or just the label."),
    )
    max_length = _int(gettext_lazy("Maximum length (characters)"), min_value=1, max_value=10000)
    min = forms.FloatField(
        label=gettext_lazy("Smallest number"),
        required=False,
        error_messages=_messages(
            gettext_lazy("Smallest number"), invalid=gettext_lazy("Smallest number: enter a number.")
        ),
    )
    max = forms.FloatField(
        label=gettext_lazy("Largest number"),
        required=False,
        error_messages=_messages(
            gettext_lazy("Largest number"), invalid=gettext_lazy("Largest number: enter a number.")
        ),
    )
    integer = forms.BooleanField(label=gettext_lazy("Whole numbers only"), required=False)
    not_future = forms.BooleanField(label=gettext_lazy("Date not in the future"), required=False)
    not_past = forms.BooleanField(label=gettext_lazy("Date not in the past"), required=False)
    accept = forms.MultipleChoiceField(
        label=gettext_lazy("Accepted file types"),
        required=False,
        choices=FILE_KINDS,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_messages(gettext_lazy("Accepted file types")),
    )
    max_size_kb = _int(gettext_lazy("Largest file (KB)"), min_value=1, max_value=20480)
    address_level = forms.ChoiceField(label=gettext_lazy("Address detail"), required=False, choices=ADDRESS_LEVELS)
    min_items = _int(gettext_lazy("Fewest entries"), min_value=0, max_value=50)
    max_items = _int(gettext_lazy("Most entries"), min_value=1, max_value=50)
    holder_name = forms.BooleanField(label=gettext_lazy("This answer is the document holder's name"), required=False)

    field_order = [
        "type", "name", "label", "label_en", "help", "help_en", "required", "choices", "visible_field",
        "visible_values", "max_length", "min", "max", "integer", "not_future", "not_past", *RULE_FORM_FIELDS,
        "accept", "max_size_kb", "address_level", "min_items", "max_items", "holder_name",
    ]  # fmt: skip

    def __init__(self, *args: Any, in_group: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if in_group:
            field = self.fields["type"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [c for c in FIELD_TYPES if c[0] != "group"]

    @classmethod
    def initial_for(cls, spec: dict[str, Any]) -> dict[str, Any]:
        label, label_en = text_pair(spec.get("label"))
        help_text, help_en = text_pair(spec.get("help"))
        initial = {
            "type": spec.get("type", "text"),
            "name": spec.get("name", ""),
            "label": label,
            "label_en": label_en,
            "help": help_text,
            "help_en": help_en,
            "required": spec.get("required", True),
            "choices": choices_text(spec.get("choices", [])),
            **condition_initial(spec.get("visible_if")),
        }
        for key in ("max_length", "min", "max", "integer", "not_future", "not_past", "accept", "max_size_kb",
                    "address_level", "min_items", "max_items", "holder_name"):  # fmt: skip
            if key in spec:
                initial[key] = spec[key]
        initial.update(RulesMixin.rules_initial(spec))
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("type")
        if kind in {"choice", "multi_choice"}:
            choices, problem = parse_choices(data.get("choices") or "")
            if problem:
                self.add_error("choices", problem)
            data["parsed_choices"] = choices
        if data.get("min") is not None and data.get("max") is not None and data["min"] > data["max"]:
            self.add_error("max", _("Largest number: must not be smaller than the smallest number."))
        low, high = data.get("min_items"), data.get("max_items")
        if low is not None and high is not None and low > high:
            self.add_error("max_items", _("Most entries: must not be fewer than the fewest entries."))
        self.clean_rules(data)
        return data

    def to_spec(self, existing: dict[str, Any] | None) -> dict[str, Any]:
        """The field definition: the edited keys over what the field had (keys the composer
        does not edit, such as ``choices_source``, are kept)."""
        data = self.cleaned_data
        kind = data["type"]
        spec: dict[str, Any] = {
            k: v
            for k, v in copy.deepcopy(existing or {}).items()
            if k in {"choices_source", "filter_by", "distinct_from", "fields"}
        }
        spec.update({"name": data["name"], "type": kind, "label": make_text(data["label"], data.get("label_en", ""))})
        _set(spec, "help", make_text(data.get("help", ""), data.get("help_en", "")) or None)
        spec["required"] = bool(data.get("required"))
        _set(spec, "visible_if", condition_from(data))
        if kind in {"choice", "multi_choice"}:
            if data.get("parsed_choices"):
                spec["choices"] = data["parsed_choices"]
            elif not spec.get("choices_source"):
                spec["choices"] = []  # the schema says what is missing
        else:
            spec.pop("choices_source", None)
            spec.pop("filter_by", None)
        if kind != "choice":
            spec.pop("distinct_from", None)
        if kind in {"text", "long_text"}:
            _set(spec, "max_length", data.get("max_length"))
        if kind == "number":
            for key in ("min", "max"):
                value = data.get(key)
                if value is not None:
                    spec[key] = int(value) if float(value).is_integer() else value
            _set(spec, "integer", data.get("integer"))
        if kind == "date":
            _set(spec, "not_future", data.get("not_future"))
            _set(spec, "not_past", data.get("not_past"))
        if kind == "file":
            _set(spec, "accept", list(data.get("accept") or []))
            _set(spec, "max_size_kb", data.get("max_size_kb"))
        if kind == "address":
            _set(spec, "address_level", data.get("address_level"))
        if kind == "multi_choice":
            for key in ("min_choices", "max_choices"):
                if existing and key in existing:
                    spec[key] = existing[key]
        if kind == "group":
            _set(spec, "min_items", data.get("min_items"))
            _set(spec, "max_items", data.get("max_items"))
            if not spec.get("fields"):
                spec["fields"] = [{"name": "keterangan", "type": "text", "label": _("Description")}]
        else:
            spec.pop("fields", None)
        if kind in {"text"}:
            _set(spec, "holder_name", data.get("holder_name"))
        self.rules_to_spec(spec, existing)
        return spec


def new_field_spec(form: dict[str, Any]) -> dict[str, Any]:
    return {"name": _unique_name(form, "isian"), "type": "text", "label": "", "required": True}
