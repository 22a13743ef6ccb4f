"""Composer form for the document template, and the mapping of definition errors
(JSON paths) back onto the form fields that caused them.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etam.eservices.builder.field_forms import _char, _Form, _int, _lines, _messages
from etam.eservices.builder.refs import _set
from etam.eservices.definitions import DefinitionError

# --------------------------------------------------------------------------------------
# Document template


class DocumentForm(_Form):
    title = _char(gettext_lazy("Document title"), required=True, max_length=200)
    number_prefix = forms.RegexField(
        regex=r"^[A-Z0-9./-]{1,40}$",
        label=gettext_lazy("Number prefix"),
        required=False,
        max_length=40,
        error_messages=_messages(
            gettext_lazy("Number prefix"),
            invalid=gettext_lazy("Number prefix: capital letters, digits, dot, slash or dash (e.g. 503/IZP)."),
        ),
    )
    body = _char(
        gettext_lazy("Body"),
        required=True,
        max_length=60000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Paragraphs separated by an empty line. Placeholders: {holder}, {service}, {number}, {issued_on}, "
            "{tracking_number}, {agency}, {institution}, {answer.<field name>}."
        ),
    )
    lines = _lines(
        gettext_lazy("Data lines"),
        rows=4,
        help_text=gettext_lazy("One per line: Label = value, e.g. Judul penelitian = {answer.judul}."),
    )
    valid_days = _int(gettext_lazy("Valid for (days)"), min_value=1, max_value=3650)
    signatory_title = _char(gettext_lazy("Signatory title"), max_length=200)

    @classmethod
    def initial_for(cls, template: dict[str, Any]) -> dict[str, Any]:
        return {
            "title": template.get("title", ""),
            "number_prefix": template.get("number_prefix", ""),
            "body": "\n\n".join(template.get("body", [])),
            "lines": "\n".join(f"{f['label']} = {f['value']}" for f in template.get("fields", [])),
            "valid_days": template.get("valid_days"),
            "signatory_title": template.get("signatory_title", ""),
        }

    def clean_body(self) -> list[str]:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", self.cleaned_data["body"]) if p.strip()]
        if len(paragraphs) > 30:
            raise forms.ValidationError(_("Body: at most 30 paragraphs."))
        for n, paragraph in enumerate(paragraphs, start=1):
            if len(paragraph) > 2000:
                raise forms.ValidationError(_("Body, paragraph %(n)s: at most 2000 characters.") % {"n": n})
        return paragraphs

    def clean_lines(self) -> list[dict[str, str]]:
        out = []
        for n, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not line.strip():
                continue
            label, sep, value = (part.strip() for part in line.partition("="))
            if not sep or not label or not value:
                raise forms.ValidationError(_("Data lines, line %(n)s: write “Label = value”.") % {"n": n})
            if len(label) > 100 or len(value) > 300:
                raise forms.ValidationError(
                    _("Data lines, line %(n)s: label at most 100 and value at most 300 characters.") % {"n": n}
                )
            out.append({"label": label, "value": value})
        if len(out) > 20:
            raise forms.ValidationError(_("Data lines: at most 20."))
        return out

    def to_template(self) -> dict[str, Any]:
        d = self.cleaned_data
        template: dict[str, Any] = {"title": d["title"], "body": d["body"]}
        _set(template, "number_prefix", d.get("number_prefix"))
        _set(template, "fields", d.get("lines"))
        _set(template, "valid_days", d.get("valid_days"))
        _set(template, "signatory_title", d.get("signatory_title"))
        return template


# --------------------------------------------------------------------------------------
# Mapping definition errors back onto form fields


_FIELD_KEYS = {
    "name": "name",
    "type": "type",
    "label": "label",
    "help": "help",
    "choices": "choices",
    "visible_if": "visible_field",
    "prefill": "prefill",
    "max_length": "max_length",
    "min": "min",
    "max": "max",
    "accept": "accept",
    "max_size_kb": "max_size_kb",
    "address_level": "address_level",
    "min_items": "min_items",
    "max_items": "max_items",
    "filter_by": "choices",
    "fields": None,
    "holder_name": "holder_name",
    "title": "title",
    "intro": "intro",
    "initial": "initial_state",
    "body": "body",
    "number_prefix": "number_prefix",
    "valid_days": "valid_days",
    "signatory_title": "signatory_title",
}
TEMPLATE_KEYS = {"fields": "lines"}  # fmt: skip


def place_errors(
    errors: list[DefinitionError], form: forms.Form, prefix: str, overrides: dict[str, str] | None = None
) -> list[DefinitionError]:
    """Attach each error under ``prefix`` (e.g. ``form.pages[0].fields[2]``) to the form
    field its next path segment names; returns the errors that belong elsewhere."""
    rest = []
    for error in errors:
        if not (error.path == prefix or error.path.startswith(prefix + ".") or error.path.startswith(prefix + "[")):
            rest.append(error)
            continue
        tail = error.path[len(prefix) :].lstrip(".")
        key = re.split(r"[.\[]", tail, maxsplit=1)[0] if tail else ""
        target = (overrides or {}).get(key, _FIELD_KEYS.get(key))
        if target in form.fields:
            label = str(form.fields[target].label)
            form.add_error(target, f"{label}: {error.message}")
        else:
            form.add_error(None, f"{tail or prefix}: {error.message}")
    return rest
