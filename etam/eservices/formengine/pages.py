"""Form engine, a page at a time: reads posted names into answers with per-field
messages (groups, addresses, files) and validates a whole set of answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from etam.eservices.formengine.fields import (
    ADDRESS_LEVELS,
    SEP,
    FieldError,
    FileStore,
    _label,
    _required_message,
    check_upload,
    clean_scalar,
    condition_holds,
    region_index,
    source_choices,
    visible_pages,
)
from etam.eservices.formengine.rules import check_rules

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
    names = {spec["name"] for spec in page["fields"] if spec["name"] not in errors and spec["name"] in merged}
    for name, problem in check_rules(form, merged, names=names, legacy=False).items():
        # The answer is kept (the citizen fixes one of two fields), the page is not passed.
        if validate:
            errors[name] = problem
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
    shown = {spec["name"] for i in visible_pages(form, answers) for spec in form["pages"][i]["fields"]}
    for name, problem in check_rules(form, answers, names=shown - set(problems), legacy=False).items():
        problems.setdefault(name, problem)
    return problems
