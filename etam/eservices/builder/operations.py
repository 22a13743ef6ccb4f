"""Composer operations on a form document: each returns a new document and a short
description for the audit trail.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext as _

from etam.eservices.builder.refs import (
    Refused,
    _set,
    _unique_name,
    condition_from,
    field_list,
    json_path,
    make_ref,
    make_text,
)

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
