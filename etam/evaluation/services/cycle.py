"""The evaluation cycle: open, assign indicators to OPDs, advance and reopen stages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Actor, Person
from etam.core.models import Agency, Institution
from etam.core.permissions import require
from etam.evaluation import loader
from etam.evaluation import permissions as perms
from etam.evaluation.models import (
    STAGE_ORDER,
    Assignment,
    Evaluation,
    Framework,
    Indicator,
    Stage,
)
from etam.evaluation.services.frameworks import freeze_in_use


def _ensure_open(evaluation: Evaluation) -> None:
    if evaluation.is_final:
        raise ValidationError(
            {"stage": _("The evaluation is final and cannot be changed; the SPBE coordinator may reopen it.")}
        )


def evaluation_open(*, actor: Person, institution: Institution, framework: Framework, period: int) -> Evaluation:
    require(actor, perms.MANAGE, institution)
    errors = {}
    if framework.status == Framework.Status.DRAFT:
        errors["framework"] = _("Framework %(name)s is still a draft; publish it first.") % {"name": framework.name}
    if not 2018 <= int(period) <= 2100:
        errors["period"] = _("Period: a year between 2018 and 2100 is expected.")
    elif Evaluation.objects.filter(institution=institution, period=period).exists():
        errors["period"] = _("Period: %(institution)s already has an evaluation for %(period)s.") % {
            "institution": institution,
            "period": period,
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            institution=institution, framework=framework, period=period, opened_by=actor
        )
        freeze_in_use(framework)
        audit.record(
            actor=actor,
            action="evaluation.open",
            target=evaluation,
            after={"period": period, "framework": f"{framework.code} v{framework.version}"},
        )
    return evaluation


def default_owner_agencies(evaluation: Evaluation) -> dict[int, Agency]:
    """Indicator id → the OPD of this instansi that typically owns it (brief §2.1)."""
    agencies = list(Agency.objects.filter(institution_id=evaluation.institution_id, is_active=True))
    result: dict[int, Agency] = {}
    for indicator in Indicator.objects.filter(framework_id=evaluation.framework_id).only("id", "default_owner"):
        patterns = loader.OWNER_PATTERNS.get(indicator.default_owner, ())
        for agency in agencies:
            haystack = f"{agency.code} {agency.name} {agency.short_name}".lower()
            if any(p in haystack for p in patterns):
                result[indicator.pk] = agency
                break
    return result


def assignment_set(*, actor: Actor, evaluation: Evaluation, owners: Mapping[int, int | None]) -> int:
    """Set the responsible OPD per indicator id (None clears it). Returns how many changed."""
    require(actor, perms.MANAGE, evaluation)
    _ensure_open(evaluation)
    indicator_ids = set(Indicator.objects.filter(framework_id=evaluation.framework_id).values_list("id", flat=True))
    agency_ids = set(
        Agency.objects.filter(institution_id=evaluation.institution_id, is_active=True).values_list("id", flat=True)
    )
    errors = {}
    for indicator_id, agency_id in owners.items():
        if indicator_id not in indicator_ids:
            errors[f"indicator_{indicator_id}"] = _("Indicator %(id)s is not part of this framework.") % {
                "id": indicator_id
            }
        elif agency_id is not None and agency_id not in agency_ids:
            errors[f"indicator_{indicator_id}"] = _("The chosen OPD does not belong to %(institution)s.") % {
                "institution": evaluation.institution
            }
    if errors:
        raise ValidationError(errors)
    current = dict(evaluation.assignments.values_list("indicator_id", "agency_id"))
    changes_before: dict[str, Any] = {}
    changes_after: dict[str, Any] = {}
    with transaction.atomic():
        for indicator_id, agency_id in owners.items():
            if current.get(indicator_id) == agency_id:
                continue
            changes_before[str(indicator_id)] = current.get(indicator_id)
            changes_after[str(indicator_id)] = agency_id
            if agency_id is None:
                Assignment.objects.filter(evaluation=evaluation, indicator_id=indicator_id).delete()
            else:
                Assignment.objects.update_or_create(
                    evaluation=evaluation,
                    indicator_id=indicator_id,
                    defaults={"agency_id": agency_id, "submitted_at": None},
                )
        if changes_after:
            audit.record(
                actor=actor,
                action="evaluation.assign",
                target=evaluation,
                changes={"before": changes_before, "after": changes_after},
            )
    return len(changes_after)


def assignment_apply_defaults(*, actor: Actor, evaluation: Evaluation) -> int:
    """Assign every unassigned indicator to its typical owner when the instansi has that OPD."""
    defaults = default_owner_agencies(evaluation)
    assigned = set(evaluation.assignments.values_list("indicator_id", flat=True))
    return assignment_set(
        actor=actor,
        evaluation=evaluation,
        owners={ind: agency.pk for ind, agency in defaults.items() if ind not in assigned},
    )


def evaluation_advance(*, actor: Actor, evaluation: Evaluation) -> Evaluation:
    require(actor, perms.MANAGE, evaluation)
    _ensure_open(evaluation)
    before = evaluation.stage
    following = STAGE_ORDER[evaluation.stage_index + 1]
    with transaction.atomic():
        evaluation.stage = following
        if following == Stage.FINAL:
            evaluation.finalised_at = timezone.now()
        evaluation.save(update_fields=["stage", "finalised_at"])
        changes.record_change(actor, "evaluation.advance", evaluation, ["stage"], before={"stage": before})
    return evaluation


def evaluation_reopen(*, actor: Actor, evaluation: Evaluation, reason: str) -> Evaluation:
    """The explicit, audited way back from final: to visitasi, with a reason."""
    require(actor, perms.MANAGE, evaluation)
    if not evaluation.is_final:
        raise ValidationError({"stage": _("Only a final evaluation can be reopened.")})
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Reason: write why the evaluation is reopened (at least 10 characters).")})
    with transaction.atomic():
        evaluation.stage = Stage.VISIT
        evaluation.finalised_at = None
        evaluation.save(update_fields=["stage", "finalised_at"])
        audit.record(
            actor=actor,
            action="evaluation.reopen",
            target=evaluation,
            before={"stage": Stage.FINAL.value},
            after={"stage": Stage.VISIT.value, "reason": reason},
        )
    return evaluation
