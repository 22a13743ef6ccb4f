"""Composer forms for the workflow (states and actions) and back to workflow JSON."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etam.eservices.builder.field_forms import _char, _Form, _int, _messages, _name_field
from etam.eservices.builder.refs import ROLES, _set, make_text, text_pair
from etam.eservices.definitions import NAME_PATTERN

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
