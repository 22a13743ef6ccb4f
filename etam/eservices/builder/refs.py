"""Composer vocabulary and addressing: field types, roles, texts in two languages,
field refs (``p-f``, ``p-f-c``), the outline of a form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# Text conversions between the forms and the definition


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


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value in (None, "", [], False):
        target.pop(key, None)
    else:
        target[key] = value
