"""The service composer: plain forms that edit a draft version's form, workflow and
document template without touching JSON (ADR 0064).

Pure functions and Django forms only: the views turn a submitted form into a new
definition with the operations below and hand it to ``services.version_update``, which
validates it against the JSON Schemas and writes the audit event. Schema and semantic
errors (a JSON path) are mapped back onto the form field that caused them.

Fields are addressed by a *ref*: ``"<page>-<field>"`` or ``"<page>-<field>-<child>"``
for a field inside a repeating group (indexes from 0).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etam.eservices.definitions import NAME_PATTERN, DefinitionError

FIELD_TYPES = [
    ("text", gettext_lazy("Short text")),
    ("long_text", gettext_lazy("Long text")),
    ("number", gettext_lazy("Number")),
    ("date", gettext_lazy("Date")),
    ("choice", gettext_lazy("Choice (one)")),
    ("multi_choice", gettext_lazy("Multiple choice")),
    ("yes_no", gettext_lazy("Yes/no")),
    ("email", gettext_lazy("Email")),
    ("phone", gettext_lazy("Indonesian phone number")),
    ("nik", gettext_lazy("NIK (16 digits)")),
    ("address", gettext_lazy("Address with wilayah picker")),
    ("file", gettext_lazy("File upload (PDF/JPEG/PNG)")),
    ("group", gettext_lazy("Repeating group")),
]
ROLES = [
    ("pemohon", gettext_lazy("Applicant")),
    ("petugas_layanan", gettext_lazy("Service officer")),
    ("admin_opd", gettext_lazy("OPD admin")),
    ("admin_instansi", gettext_lazy("Instansi admin")),
    ("super_admin", gettext_lazy("Super admin")),
]
ADDRESS_LEVELS = [
    ("desa_kelurahan", gettext_lazy("down to village (desa/kelurahan)")),
    ("kecamatan", gettext_lazy("down to district (kecamatan)")),
    ("kabupaten_kota", gettext_lazy("regency/city only")),
]
FILE_KINDS = [("pdf", "PDF"), ("jpeg", "JPEG"), ("png", "PNG")]


class Refused(Exception):
    """An operation that makes no sense on this definition (e.g. moving past the end)."""


# --------------------------------------------------------------------------------------
# Texts and refs


def text_pair(value: Any) -> tuple[str, str]:
    if isinstance(value, dict):
        return str(value.get("id", "")), str(value.get("en", ""))
    return (str(value) if value else ""), ""


def make_text(id_text: str, en_text: str) -> Any:
    id_text, en_text = id_text.strip(), en_text.strip()
    return {"id": id_text, "en": en_text} if en_text else id_text


def parse_ref(ref: str) -> tuple[int, ...]:
    if not re.fullmatch(r"\d{1,3}(-\d{1,3}){1,2}", ref):
        raise Refused(ref)
    return tuple(int(p) for p in ref.split("-"))


def make_ref(*parts: int) -> str:
    return "-".join(str(p) for p in parts)


def field_list(form: dict[str, Any], ref: tuple[int, ...]) -> list[dict[str, Any]]:
    """The list that holds the field ``ref`` points to."""
    try:
        page = form["pages"][ref[0]]
        if len(ref) == 2:
            return page["fields"]
        return page["fields"][ref[1]]["fields"]
    except (IndexError, KeyError, TypeError):
        raise Refused(make_ref(*ref)) from None


def get_field(form: dict[str, Any], ref: tuple[int, ...]) -> dict[str, Any]:
    siblings = field_list(form, ref)
    if not 0 <= ref[-1] < len(siblings):
        raise Refused(make_ref(*ref))
    return siblings[ref[-1]]


def json_path(ref: tuple[int, ...]) -> str:
    path = f"form.pages[{ref[0]}].fields[{ref[1]}]"
    return path + (f".fields[{ref[2]}]" if len(ref) == 3 else "")


def outline(form: dict[str, Any]) -> list[dict[str, Any]]:
    """Pages and fields with refs, for the composer's overview."""
    labels = dict(FIELD_TYPES)
    pages = []
    for p, page in enumerate(form.get("pages", [])):
        fields = []
        for f, field in enumerate(page.get("fields", [])):
            children = [
                {
                    "ref": make_ref(p, f, c),
                    "spec": child,
                    "label": text_pair(child["label"])[0],
                    "type_label": labels.get(child["type"], child["type"]),
                    "first": c == 0,
                    "last": c == len(field["fields"]) - 1,
                }
                for c, child in enumerate(field.get("fields", []) if field.get("type") == "group" else [])
            ]
            fields.append(
                {
                    "ref": make_ref(p, f),
                    "spec": field,
                    "label": text_pair(field["label"])[0],
                    "type_label": labels.get(field["type"], field["type"]),
                    "children": children,
                    "first": f == 0,
                    "last": f == len(page["fields"]) - 1,
                }
            )
        pages.append(
            {
                "index": p,
                "number": p + 1,
                "page": page,
                "title": text_pair(page["title"])[0],
                "fields": fields,
                "first": p == 0,
                "last": p == len(form["pages"]) - 1,
            }
        )
    return pages


def earlier_names(form: dict[str, Any], ref: tuple[int, ...] | None, page: int | None = None) -> list[str]:
    """Names a condition at ``ref`` (or on page ``page``) may refer to: fields before it."""
    out: list[str] = []
    for p, pg in enumerate(form.get("pages", [])):
        for f, field in enumerate(pg.get("fields", [])):
            if ref is not None and (p, f) >= ref[:2]:
                return out
            if ref is None and page is not None and p >= page:
                return out
            if field.get("type") != "group":
                out.append(field["name"])
    return out


def _unique_name(form: dict[str, Any], stem: str) -> str:
    from etam.eservices.definitions import iter_fields

    taken = {f["name"] for _p, f, _g in iter_fields(form)}
    n = 1
    while f"{stem}_{n}" in taken:
        n += 1
    return f"{stem}_{n}"


# --------------------------------------------------------------------------------------
# Operations (each returns a new document and a short description for the audit trail)


def page_add(form: dict[str, Any], title: str) -> tuple[dict[str, Any], str]:
    new = copy.deepcopy(form)
    pages = new.setdefault("pages", [])
    ids = {p["id"] for p in pages}
    n = len(pages) + 1
    while f"halaman_{n}" in ids:
        n += 1
    name = _unique_name(new, "isian")
    pages.append(
        {
            "id": f"halaman_{n}",
            "title": title or _("Page %(n)s") % {"n": n},
            "fields": [{"name": name, "type": "text", "label": _("New field")}],
        }
    )
    return new, f"page_add pages[{len(pages) - 1}]"


def page_update(form: dict[str, Any], index: int, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    new = copy.deepcopy(form)
    try:
        page = new["pages"][index]
    except IndexError:
        raise Refused(str(index)) from None
    page["title"] = make_text(data["title"], data.get("title_en", ""))
    intro = make_text(data.get("intro", ""), data.get("intro_en", ""))
    _set(page, "intro", intro or None)
    _set(page, "visible_if", condition_from(data))
    return new, f"page_update pages[{index}]"


def page_remove(form: dict[str, Any], index: int) -> tuple[dict[str, Any], str]:
    new = copy.deepcopy(form)
    if not 0 <= index < len(new.get("pages", [])):
        raise Refused(str(index))
    new["pages"].pop(index)
    return new, f"page_remove pages[{index}]"


def page_move(form: dict[str, Any], index: int, delta: int) -> tuple[dict[str, Any], str]:
    new = copy.deepcopy(form)
    pages = new.get("pages", [])
    target = index + delta
    if not (0 <= index < len(pages) and 0 <= target < len(pages)):
        raise Refused(str(index))
    pages[index], pages[target] = pages[target], pages[index]
    return new, f"page_move pages[{index}] -> pages[{target}]"


def field_add(form: dict[str, Any], parent: tuple[int, ...], spec: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``parent`` is ``(page,)`` or ``(page, group field)``."""
    new = copy.deepcopy(form)
    try:
        if len(parent) == 1:
            siblings = new["pages"][parent[0]]["fields"]
        else:
            group = new["pages"][parent[0]]["fields"][parent[1]]
            if group.get("type") != "group":
                raise Refused(make_ref(*parent))
            siblings = group["fields"]
    except (IndexError, KeyError):
        raise Refused(make_ref(*parent)) from None
    siblings.append(spec)
    ref = (*parent, len(siblings) - 1)
    return new, f"field_add {json_path(ref)} {spec.get('name')} ({spec.get('type')})"


def field_set(form: dict[str, Any], ref: tuple[int, ...], spec: dict[str, Any]) -> tuple[dict[str, Any], str]:
    new = copy.deepcopy(form)
    siblings = field_list(new, ref)
    if not 0 <= ref[-1] < len(siblings):
        raise Refused(make_ref(*ref))
    siblings[ref[-1]] = spec
    return new, f"field_update {json_path(ref)} {spec.get('name')} ({spec.get('type')})"


def field_remove(form: dict[str, Any], ref: tuple[int, ...]) -> tuple[dict[str, Any], str]:
    new = copy.deepcopy(form)
    siblings = field_list(new, ref)
    if not 0 <= ref[-1] < len(siblings):
        raise Refused(make_ref(*ref))
    removed = siblings.pop(ref[-1])
    return new, f"field_remove {json_path(ref)} {removed.get('name')}"


def field_move(form: dict[str, Any], ref: tuple[int, ...], delta: int) -> tuple[dict[str, Any], str]:
    new = copy.deepcopy(form)
    siblings = field_list(new, ref)
    index, target = ref[-1], ref[-1] + delta
    if not (0 <= index < len(siblings) and 0 <= target < len(siblings)):
        raise Refused(make_ref(*ref))
    siblings[index], siblings[target] = siblings[target], siblings[index]
    return new, f"field_move {json_path(ref)} -> {target}"


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value in (None, "", [], False):
        target.pop(key, None)
    else:
        target[key] = value


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


def parse_choices(raw: str) -> tuple[list[dict[str, Any]], str | None]:
    """One choice per line: ``value = Label`` or just ``Label`` (value derived from it)."""
    choices: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(raw.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if "=" in line:
            value, _sep, label = (part.strip() for part in line.partition("="))
        else:
            label = line
            value = slugify(label).replace("-", "_")[:80]
        if not value or not label:
            return [], _("Choices, line %(n)s: write “value = Label” or just the label.") % {"n": number}
        if len(value) > 80 or len(label) > 500:
            return [], _("Choices, line %(n)s: the value may have at most 80 characters.") % {"n": number}
        if value in seen:
            return [], _("Choices, line %(n)s: the value %(value)s is used twice.") % {"n": number, "value": value}
        seen.add(value)
        choices.append({"value": value, "label": label})
    return choices, None


def choices_text(choices: Iterable[dict[str, Any]]) -> str:
    return "\n".join(f"{c['value']} = {text_pair(c['label'])[0]}" for c in choices)


def condition_from(data: dict[str, Any]) -> dict[str, Any] | None:
    name = (data.get("visible_field") or "").strip()
    if not name:
        return None
    values = [v.strip() for v in (data.get("visible_values") or "").split(",") if v.strip()]
    typed: list[Any] = [_typed(v) for v in values]
    return {"field": name, "equals": typed[0]} if len(typed) == 1 else {"field": name, "in": typed}


def _typed(value: str) -> Any:
    if re.fullmatch(r"-?\d{1,15}", value):
        return int(value)
    return value


def condition_initial(condition: dict[str, Any] | None) -> dict[str, str]:
    if not condition:
        return {"visible_field": "", "visible_values": ""}
    wanted = [condition["equals"]] if "equals" in condition else list(condition.get("in", []))
    shown = ["ya" if w is True else "tidak" if w is False else str(w) for w in wanted]
    return {"visible_field": condition["field"], "visible_values": ", ".join(shown)}


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


class FieldForm(ConditionMixin):
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=FIELD_TYPES)
    name = _name_field(gettext_lazy("Name (key of the answer)"))
    label = _char(gettext_lazy("Question (label)"), required=True)
    label_en = _char(gettext_lazy("Question (English)"))
    help = _char(gettext_lazy("Help text"), widget=forms.Textarea(attrs={"rows": 2}))
    help_en = _char(gettext_lazy("Help text (English)"), widget=forms.Textarea(attrs={"rows": 2}))
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    choices = _char(
        gettext_lazy("Choices"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
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
        "visible_values", "max_length", "min", "max", "integer", "not_future", "not_past", "accept",
        "max_size_kb", "address_level", "min_items", "max_items", "holder_name",
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
        return spec


def new_field_spec(form: dict[str, Any]) -> dict[str, Any]:
    return {"name": _unique_name(form, "isian"), "type": "text", "label": "", "required": True}


# --------------------------------------------------------------------------------------
# Workflow


def ordered_states(workflow: dict[str, Any]) -> list[str]:
    """States in a readable order (PostgreSQL's jsonb does not keep key order): the
    initial state, then in the order actions reach them, then the rest."""
    states = workflow.get("states", {})
    order: list[str] = []
    for name in [workflow.get("initial", "")] + [
        s for a in workflow.get("actions", []) for s in [*a.get("from", []), a.get("to", "")]
    ]:
        if name in states and name not in order:
            order.append(name)
    return order + [s for s in states if s not in order]


class StateForm(forms.Form):
    code = _name_field(gettext_lazy("State code"))
    label = _char(gettext_lazy("State name"), required=True)
    label_en = _char(gettext_lazy("State name (English)"))
    sla_days = _int(gettext_lazy("SLA (working days)"), min_value=0, max_value=365)
    waiting_for = forms.ChoiceField(
        label=gettext_lazy("Waiting for"),
        required=False,
        choices=[("", "—"), ("officer", gettext_lazy("officer")), ("applicant", gettext_lazy("applicant"))],
    )
    terminal = forms.BooleanField(label=gettext_lazy("Final state"), required=False)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        required=False,
        choices=[
            ("", "—"),
            ("approved", gettext_lazy("approved")),
            ("rejected", gettext_lazy("rejected")),
            ("withdrawn", gettext_lazy("withdrawn")),
        ],
    )


class ActionForm(forms.Form):
    code = _name_field(gettext_lazy("Action code"))
    label = _char(gettext_lazy("Action name"), required=True)
    label_en = _char(gettext_lazy("Action name (English)"))
    from_states = _char(
        gettext_lazy("From states"), required=True, help_text=gettext_lazy("State codes, comma-separated.")
    )
    to_state = _name_field(gettext_lazy("To state"))
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Who may take it"),
        choices=ROLES,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_messages(gettext_lazy("Who may take it")),
    )
    reason_required = forms.BooleanField(label=gettext_lazy("Reason required"), required=False)
    issues_document = forms.BooleanField(label=gettext_lazy("Issues the document"), required=False)

    def clean_from_states(self) -> list[str]:
        states = [s.strip() for s in self.cleaned_data["from_states"].split(",") if s.strip()]
        for state in states:
            if not re.fullmatch(NAME_PATTERN, state):
                raise forms.ValidationError(
                    _("From states: %(value)s is not a state code (lowercase letters, digits, underscores).")
                    % {"value": state}
                )
        if not states:
            raise forms.ValidationError(_("From states: name at least one state."))
        return states


class _BaseFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        codes: set[str] = set()
        for i, form in enumerate(self.forms):
            kept = i < self.initial_form_count() or form.has_changed()
            if not form.is_valid() or not kept or form.cleaned_data.get("DELETE"):
                continue
            code = form.cleaned_data.get("code")
            if code in codes:
                form.add_error("code", _("Code %(code)s is used twice.") % {"code": code})
            codes.add(code)


StateFormSet = forms.formset_factory(StateForm, formset=_BaseFormSet, extra=1, can_delete=True)
ActionFormSet = forms.formset_factory(ActionForm, formset=_BaseFormSet, extra=1, can_delete=True)


class WorkflowHeadForm(_Form):
    initial_state = _name_field(gettext_lazy("Initial state"))


def workflow_initial(workflow: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    states = []
    for code in ordered_states(workflow):
        state = workflow["states"][code]
        label, label_en = text_pair(state.get("label"))
        states.append(
            {
                "code": code,
                "label": label,
                "label_en": label_en,
                "sla_days": state.get("sla_days"),
                "waiting_for": state.get("waiting_for", ""),
                "terminal": state.get("terminal", False),
                "outcome": state.get("outcome", ""),
            }
        )
    actions = []
    for action in workflow.get("actions", []):
        label, label_en = text_pair(action.get("label"))
        actions.append(
            {
                "code": action["name"],
                "label": label,
                "label_en": label_en,
                "from_states": ", ".join(action.get("from", [])),
                "to_state": action.get("to", ""),
                "roles": action.get("roles", []),
                "reason_required": action.get("reason_required", False),
                "issues_document": action.get("issues_document", False),
            }
        )
    return {"initial_state": workflow.get("initial", "")}, states, actions


def _kept(formset: forms.BaseFormSet) -> list[forms.Form]:
    """Rows to keep: existing rows (changed or not) and filled new rows, minus deleted ones."""
    initial = formset.initial_form_count()
    return [
        f for i, f in enumerate(formset.forms) if (i < initial or f.has_changed()) and not f.cleaned_data.get("DELETE")
    ]


def workflow_from(
    head: WorkflowHeadForm, states: forms.BaseFormSet, actions: forms.BaseFormSet
) -> tuple[dict[str, Any], list[forms.Form], list[forms.Form]]:
    state_forms, action_forms = _kept(states), _kept(actions)
    workflow: dict[str, Any] = {"initial": head.cleaned_data["initial_state"], "states": {}, "actions": []}
    for form in state_forms:
        d = form.cleaned_data
        state: dict[str, Any] = {"label": make_text(d["label"], d.get("label_en", ""))}
        if d.get("sla_days") is not None:
            state["sla_days"] = d["sla_days"]
        _set(state, "waiting_for", d.get("waiting_for"))
        _set(state, "terminal", d.get("terminal"))
        _set(state, "outcome", d.get("outcome"))
        workflow["states"][d["code"]] = state
    for form in action_forms:
        d = form.cleaned_data
        action: dict[str, Any] = {
            "name": d["code"],
            "label": make_text(d["label"], d.get("label_en", "")),
            "from": d["from_states"],
            "to": d["to_state"],
            "roles": list(d["roles"]),
        }
        _set(action, "reason_required", d.get("reason_required"))
        _set(action, "issues_document", d.get("issues_document"))
        workflow["actions"].append(action)
    return workflow, state_forms, action_forms


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
    lines = _char(
        gettext_lazy("Data lines"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
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
