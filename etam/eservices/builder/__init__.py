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

from etam.eservices.builder.document_form import TEMPLATE_KEYS, DocumentForm, place_errors
from etam.eservices.builder.field_forms import (
    ConditionMixin,
    FieldForm,
    PageForm,
    new_field_spec,
)
from etam.eservices.builder.operations import (
    field_add,
    field_move,
    field_remove,
    field_set,
    page_add,
    page_move,
    page_remove,
    page_update,
)
from etam.eservices.builder.refs import (
    ADDRESS_LEVELS,
    FIELD_TYPES,
    FILE_KINDS,
    ROLES,
    Refused,
    choices_text,
    condition_from,
    condition_initial,
    earlier_names,
    field_list,
    get_field,
    json_path,
    make_ref,
    make_text,
    outline,
    parse_choices,
    parse_ref,
    text_pair,
)
from etam.eservices.builder.workflow_forms import (
    ActionForm,
    ActionFormSet,
    StateForm,
    StateFormSet,
    WorkflowHeadForm,
    ordered_states,
    workflow_from,
    workflow_initial,
)

__all__ = [
    "ADDRESS_LEVELS",
    "FIELD_TYPES",
    "FILE_KINDS",
    "ROLES",
    "TEMPLATE_KEYS",
    "ActionForm",
    "ActionFormSet",
    "ConditionMixin",
    "DocumentForm",
    "FieldForm",
    "PageForm",
    "Refused",
    "StateForm",
    "StateFormSet",
    "WorkflowHeadForm",
    "choices_text",
    "condition_from",
    "condition_initial",
    "earlier_names",
    "field_add",
    "field_list",
    "field_move",
    "field_remove",
    "field_set",
    "get_field",
    "json_path",
    "make_ref",
    "make_text",
    "new_field_spec",
    "ordered_states",
    "outline",
    "page_add",
    "page_move",
    "page_remove",
    "page_update",
    "parse_choices",
    "parse_ref",
    "place_errors",
    "text_pair",
    "workflow_from",
    "workflow_initial",
]
