"""Form engine output: protected (encrypted) answers, derived values (holder, file ids),
the summary shown to people, and the page bound back for rendering.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from etam.eservices.formengine.fields import (
    ADDRESS_LEVELS,
    NO,
    PROTECTED_TYPES,
    SEP,
    YES,
    _label,
    condition_holds,
    region_options,
    source_choices,
    upload_accept,
    upload_hint,
    visible_pages,
)
from etam.eservices.formengine.pages import group_count
from etam.eservices.workflow import localise

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
    upload_hint: str = ""
    accept: str = ""


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
        bound.upload_hint = upload_hint(spec)
        bound.accept = upload_accept(spec)
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
