"""The declarative workflow engine: reads a version's workflow JSON, never stores state.

Who may take an action is decided from the roles listed on the action: ``pemohon`` is
the case's applicant; staff roles count only when the actor holds that role over the
case's OPD (an OPD grant) or instansi (an instansi grant), per etam.core.permissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

from etam.core.models import Role
from etam.core.permissions import Scope, active_grants
from etam.eservices.definitions import APPLICANT_ROLE


def localise(text: Any, language: str | None = None) -> str:
    """A definition label: a plain string or {"id": ..., "en": ...}."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    language = (language or get_language() or "id")[:2]
    return str(text.get(language) or text.get("id") or next(iter(text.values()), ""))


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    reason_required: bool
    issues_document: bool

    @property
    def label_text(self) -> str:
        return localise(self.label)

    @property
    def by_applicant(self) -> bool:
        return APPLICANT_ROLE in self.roles


class Workflow:
    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = definition
        self.initial: str = definition["initial"]
        self.states: dict[str, dict[str, Any]] = definition["states"]
        self.actions: dict[str, Action] = {
            a["name"]: Action(
                name=a["name"],
                label=a["label"],
                sources=tuple(a["from"]),
                target=a["to"],
                roles=frozenset(a["roles"]),
                reason_required=bool(a.get("reason_required")),
                issues_document=bool(a.get("issues_document")),
            )
            for a in definition["actions"]
        }

    def state_label(self, state: str) -> str:
        return localise(self.states.get(state, {}).get("label", state))

    def is_terminal(self, state: str) -> bool:
        return bool(self.states.get(state, {}).get("terminal"))

    def outcome(self, state: str) -> str | None:
        return self.states.get(state, {}).get("outcome")

    def sla_days(self, state: str) -> int | None:
        value = self.states.get(state, {}).get("sla_days")
        return int(value) if value is not None else None

    def waiting_for(self, state: str) -> str:
        return self.states.get(state, {}).get("waiting_for", "officer")

    def actions_from(self, state: str) -> list[Action]:
        return [a for a in self.actions.values() if state in a.sources]


def staff_roles_over(user: Any, scope: Scope) -> set[str]:
    """The roles ``user`` holds over a case of this scope (super admin counts as every role)."""
    roles: set[str] = set()
    for grant in active_grants(user):
        if grant.role == Role.SUPER_ADMIN:
            roles.update(r.value for r in Role)
        elif grant.agency_id is not None:
            if grant.agency_id == scope.agency_id:
                roles.add(grant.role)
        elif grant.institution_id is not None and grant.institution_id == scope.institution_id:
            roles.add(grant.role)
    return roles


def actor_roles(user: Any, application: Any) -> set[str]:
    roles = staff_roles_over(user, Scope(application.institution_id, application.agency_id))
    if getattr(user, "pk", None) is not None and user.pk == application.applicant_id:
        roles.add(APPLICANT_ROLE)
    return roles


def allowed_actions(user: Any, application: Any, workflow: Workflow | None = None) -> list[Action]:
    workflow = workflow or Workflow(application.version.workflow)
    roles = actor_roles(user, application)
    return [a for a in workflow.actions_from(application.state) if a.roles & roles]
