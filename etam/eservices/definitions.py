"""Service definitions as data: validation against the published JSON Schemas plus the
checks a schema cannot express (names refer to things that exist, one initial state...).

The schemas live in ``etam/eservices/schemas/`` and are served at
``/layanan/skema/<name>.json`` so other instansi can validate before importing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_NAMES = ("form", "workflow", "document", "service-definition")
BASE_URI = "https://etam.kaltimprov.go.id/schemas/eservices/"
APPLICANT_ROLE = "pemohon"
EXPORT_FORMAT = "etam.service-definition/1"


@dataclass(frozen=True)
class DefinitionError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidDefinition(Exception):
    def __init__(self, errors: list[DefinitionError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = []
    for name in SCHEMA_NAMES:
        contents = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@lru_cache(maxsize=8)
def schema(name: str) -> dict[str, Any]:
    if name not in SCHEMA_NAMES:
        raise KeyError(name)
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


NAME_PATTERN = "^[a-z][a-z0-9_]{0,39}$"


def _humanise(error: Any) -> str:
    """The schema error in the active language (jsonschema's own messages are English)."""
    keyword, expected, instance = error.validator, error.validator_value, error.instance
    if keyword == "required":
        missing = [r for r in expected if not isinstance(instance, dict) or r not in instance]
        return _("%(names)s must be filled in.") % {"names": ", ".join(missing)}
    if keyword == "pattern":
        if expected == NAME_PATTERN:
            return _(
                "%(value)s is not a valid name: use 1–40 lowercase letters, digits or underscores, "
                "starting with a letter (for example nama_lengkap)."
            ) % {"value": repr(instance)}
        return _("%(value)s does not have the expected format (%(pattern)s).") % {
            "value": repr(instance),
            "pattern": expected,
        }
    if keyword == "enum":
        return _("%(value)s is not allowed; choose one of: %(values)s.") % {
            "value": repr(instance),
            "values": ", ".join(str(v) for v in expected),
        }
    if keyword == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return _("must be of type %(type)s.") % {"type": " / ".join(str(k) for k in kinds)}
    if keyword == "minItems":
        return _("needs at least %(n)s item(s).") % {"n": expected}
    if keyword == "maxItems":
        return _("may have at most %(n)s item(s).") % {"n": expected}
    if keyword == "minLength":
        return _("must not be empty.") if expected == 1 else _("needs at least %(n)s characters.") % {"n": expected}
    if keyword == "maxLength":
        return _("may have at most %(n)s characters.") % {"n": expected}
    if keyword == "minimum":
        return _("must be at least %(n)s.") % {"n": expected}
    if keyword == "maximum":
        return _("must be at most %(n)s.") % {"n": expected}
    if keyword == "minProperties":
        return _("needs at least %(n)s entries.") % {"n": expected}
    if keyword == "uniqueItems":
        return _("must not list the same value twice.")
    if keyword == "additionalProperties":
        extra = sorted(set(instance) - set(error.schema.get("properties", {}))) if isinstance(instance, dict) else []
        return _("unknown property: %(names)s.") % {"names": ", ".join(extra)}
    if keyword == "not":
        return _("this property is not allowed here.")
    if keyword in {"oneOf", "anyOf"}:
        # The branch that matched the value's type says what is wrong (e.g. an empty label).
        candidates = [e for e in error.context or [] if e.validator != "type"]
        best = best_match(candidates) if candidates else None
        if best is not None:
            return _humanise(best)
    if keyword in {"oneOf", "anyOf"}:
        return _("is not valid here (%(detail)s).") % {"detail": error.message[:200]}
    return _("is not valid (%(detail)s).") % {"detail": error.message[:200]}


def _schema_errors(name: str, document: Any, prefix: str = "") -> list[DefinitionError]:
    validator = Draft202012Validator(schema(name), registry=_registry())
    errors = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = _path([*([prefix] if prefix else []), *error.absolute_path])
        errors.append(DefinitionError(path, _humanise(error)))
    return errors


def iter_fields(form: dict[str, Any]) -> list[tuple[int, dict[str, Any], dict[str, Any] | None]]:
    """(page index, field, parent group or None) for every field, in order."""
    out: list[tuple[int, dict[str, Any], dict[str, Any] | None]] = []
    for index, page in enumerate(form.get("pages", [])):
        for field in page.get("fields", []):
            out.append((index, field, None))
            for child in field.get("fields", []) if field.get("type") == "group" else []:
                out.append((index, child, field))
    return out


def _check_condition(
    errors: list[DefinitionError], item: dict[str, Any], path: str, seen: dict[str, str], message: str
) -> None:
    """A ``visible_if`` may only look at fields that come before the page or field it hides."""
    condition = item.get("visible_if")
    if condition and condition["field"] not in seen:
        errors.append(DefinitionError(f"{path}.visible_if", message % {"name": condition["field"]}))


def _form_semantics(form: dict[str, Any]) -> list[DefinitionError]:
    errors: list[DefinitionError] = []
    seen: dict[str, str] = {}
    page_ids: set[str] = set()
    for p, page in enumerate(form["pages"]):
        if page["id"] in page_ids:
            errors.append(DefinitionError(f"pages[{p}].id", _("Page id %(id)s is used twice.") % {"id": page["id"]}))
        page_ids.add(page["id"])
        _check_condition(
            errors,
            page,
            f"pages[{p}]",
            seen,
            _("Condition refers to %(name)s, which is not a field on an earlier page."),
        )
        for f, field in enumerate(page["fields"]):
            path = f"pages[{p}].fields[{f}]"
            names = [field["name"]]
            for c, child in enumerate(field.get("fields", [])):
                if child["type"] == "group":
                    errors.append(DefinitionError(f"{path}.fields[{c}]", _("Groups cannot be nested.")))
                names.append(f"{field['name']}.{child['name']}")
            for name in names:
                if name in seen:
                    errors.append(DefinitionError(path, _("Field name %(name)s is used twice.") % {"name": name}))
            _check_condition(
                errors, field, path, seen, _("Condition refers to %(name)s, which is not an earlier field.")
            )
            if field.get("filter_by") and seen.get(field["filter_by"]) != "address":
                errors.append(
                    DefinitionError(
                        f"{path}.filter_by",
                        _("filter_by must name an earlier address field, not %(name)s.") % {"name": field["filter_by"]},
                    )
                )
            if field.get("min") is not None and field.get("max") is not None and field["min"] > field["max"]:
                errors.append(DefinitionError(path, _("min is larger than max.")))
            for c, child in enumerate(field.get("fields", [])):
                if child.get("distinct_from"):
                    errors.append(
                        DefinitionError(
                            f"{path}.fields[{c}].distinct_from",
                            _("distinct_from is not supported inside a repeating group."),
                        )
                    )
            for other in field.get("distinct_from", []):
                if seen.get(other) != "choice":
                    errors.append(
                        DefinitionError(
                            f"{path}.distinct_from",
                            _("distinct_from must name earlier choice fields, not %(name)s.") % {"name": other},
                        )
                    )
            for name in names:
                seen[name] = field["type"] if name == field["name"] else "child"
    from etam.eservices.formengine.rules import definition_problems  # cross-field rules (issue 15)

    errors += [DefinitionError(path, message) for path, message in definition_problems(form)]
    holders = [f for _p, f, _g in iter_fields(form) if f.get("holder_name")]
    if len(holders) > 1:
        errors.append(DefinitionError("pages", _("Only one field may be marked holder_name.")))
    return errors


def _workflow_semantics(workflow: dict[str, Any]) -> list[DefinitionError]:
    errors: list[DefinitionError] = []
    states = workflow["states"]
    if workflow["initial"] not in states:
        errors.append(DefinitionError("initial", _("Initial state %(s)s is not defined.") % {"s": workflow["initial"]}))
    if not any(s.get("terminal") for s in states.values()):
        errors.append(DefinitionError("states", _("At least one state must be terminal.")))
    names: set[str] = set()
    for a, action in enumerate(workflow["actions"]):
        path = f"actions[{a}]"
        if action["name"] in names:
            errors.append(DefinitionError(f"{path}.name", _("Action %(a)s is defined twice.") % {"a": action["name"]}))
        names.add(action["name"])
        for state in [*action["from"], action["to"]]:
            if state not in states:
                errors.append(DefinitionError(path, _("State %(s)s is not defined.") % {"s": state}))
        for state in action["from"]:
            if states.get(state, {}).get("terminal"):
                errors.append(DefinitionError(path, _("No action may leave the terminal state %(s)s.") % {"s": state}))
        if action.get("issues_document") and states.get(action["to"], {}).get("outcome") != "approved":
            errors.append(
                DefinitionError(path, _("An action that issues a document must lead to an approved terminal state."))
            )
    return errors


def validate_form(form: Any) -> list[DefinitionError]:
    errors = _schema_errors("form", form)
    return errors or _form_semantics(form)


def validate_workflow(workflow: Any) -> list[DefinitionError]:
    errors = _schema_errors("workflow", workflow)
    return errors or _workflow_semantics(workflow)


def validate_document_template(template: Any) -> list[DefinitionError]:
    return _schema_errors("document", template)


def validate_version(form: Any, workflow: Any, template: Any) -> list[DefinitionError]:
    return (
        [DefinitionError(f"form.{e.path}" if e.path else "form", e.message) for e in validate_form(form)]
        + [
            DefinitionError(f"workflow.{e.path}" if e.path else "workflow", e.message)
            for e in validate_workflow(workflow)
        ]
        + [
            DefinitionError(f"document_template.{e.path}" if e.path else "document_template", e.message)
            for e in validate_document_template(template)
        ]
    )


def validate_export(document: Any) -> list[DefinitionError]:
    errors = _schema_errors("service-definition", document)
    if errors:
        return errors
    return validate_version(document["form"], document["workflow"], document["document_template"])


def default_workflow(*, verify_sla: int = 2, approve_sla: int = 2) -> dict[str, Any]:
    """diajukan → verifikasi → perlu perbaikan ↺ → persetujuan → selesai / ditolak."""
    officer = ["petugas_layanan", "admin_opd"]
    # Action name: (from, to, who may take it, flags).
    transitions: dict[str, tuple[list[str], str, list[str], dict[str, bool]]] = {
        "mulai_verifikasi": (["diajukan"], "verifikasi", officer, {}),
        "minta_perbaikan": (["verifikasi"], "perlu_perbaikan", officer, {"reason_required": True}),
        "kirim_perbaikan": (["perlu_perbaikan"], "verifikasi", [APPLICANT_ROLE], {}),
        "verifikasi_lengkap": (["verifikasi"], "persetujuan", officer, {}),
        "setujui": (["persetujuan"], "selesai", ["admin_opd"], {"issues_document": True}),
        "tolak": (["verifikasi", "persetujuan"], "ditolak", officer, {"reason_required": True}),
    }
    labels = {
        "mulai_verifikasi": {"id": "Mulai verifikasi", "en": "Start verification"},
        "minta_perbaikan": {"id": "Minta perbaikan", "en": "Request revision"},
        "kirim_perbaikan": {"id": "Kirim perbaikan", "en": "Send correction"},
        "verifikasi_lengkap": {"id": "Berkas lengkap, ajukan persetujuan", "en": "Verified, forward for approval"},
        "setujui": {"id": "Setujui dan terbitkan dokumen", "en": "Approve and issue the document"},
        "tolak": {"id": "Tolak", "en": "Reject"},
    }
    return copy.deepcopy(
        {
            "initial": "diajukan",
            "states": {
                "diajukan": {"label": {"id": "Diajukan", "en": "Submitted"}, "sla_days": 1, "waiting_for": "officer"},
                "verifikasi": {
                    "label": {"id": "Verifikasi berkas", "en": "Verification"},
                    "sla_days": verify_sla,
                    "waiting_for": "officer",
                },
                "perlu_perbaikan": {
                    "label": {"id": "Perlu perbaikan", "en": "Revision requested"},
                    "waiting_for": "applicant",
                },
                "persetujuan": {
                    "label": {"id": "Menunggu persetujuan", "en": "Awaiting approval"},
                    "sla_days": approve_sla,
                    "waiting_for": "officer",
                },
                "selesai": {"label": {"id": "Selesai", "en": "Completed"}, "terminal": True, "outcome": "approved"},
                "ditolak": {"label": {"id": "Ditolak", "en": "Rejected"}, "terminal": True, "outcome": "rejected"},
            },
            "actions": [
                {"name": name, "label": labels[name], "from": source, "to": to, "roles": roles, **flags}
                for name, (source, to, roles, flags) in transitions.items()
            ],
        }
    )
