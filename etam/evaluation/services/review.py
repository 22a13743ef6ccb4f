"""Assessor review: assessments per stage and suggestion rules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit
from etam.core.actors import Actor, Person
from etam.core.permissions import has_perm, require
from etam.evaluation import permissions as perms
from etam.evaluation.models import (
    Assessment,
    Evaluation,
    Indicator,
    Stage,
    Suggestion,
)
from etam.evaluation.services.claims import _check_level
from etam.evaluation.services.cycle import _ensure_open


def assessment_set(
    *, actor: Person, evaluation: Evaluation, indicator: Indicator, level: Any, notes: str = "", source: str = ""
) -> Assessment:
    require(actor, perms.ASSESS, evaluation)
    _ensure_open(evaluation)
    if evaluation.stage == Stage.SELF:
        raise ValidationError(
            {
                "stage": _(
                    "Assessors record levels from the document review stage on; "
                    "the evaluation is still in self-assessment."
                )
            }
        )
    if indicator.framework_id != evaluation.framework_id:
        raise ValidationError(
            {"indicator": _("Indicator %(number)s is not part of this framework.") % {"number": indicator.number}}
        )
    value = _check_level(indicator, level)
    with transaction.atomic():
        existing = Assessment.objects.filter(evaluation=evaluation, indicator=indicator, stage=evaluation.stage).first()
        before = {"level": existing.level, "notes": existing.notes} if existing else {}
        assessment, _created = Assessment.objects.update_or_create(
            evaluation=evaluation,
            indicator=indicator,
            stage=evaluation.stage,
            defaults={"level": value, "notes": (notes or "").strip(), "assessor": actor},
        )
        after: dict[str, Any] = {"level": value, "notes": assessment.notes, "stage": evaluation.stage}
        if source:
            after["source"] = source
        audit.record(actor=actor, action="evaluation.assess", target=assessment, before=before, after=after)
    return assessment


# ---------------------------------------------------------------- suggestions


def suggestions_refresh(*, actor: Actor, evaluation: Evaluation) -> list[Suggestion]:
    """Run every registered rule; new pending suggestions replace older pending ones of
    the same rule. Decided suggestions are kept as they were decided."""
    if not (has_perm(actor, perms.ASSESS, evaluation) or has_perm(actor, perms.MANAGE, evaluation)):
        raise PermissionDenied(_("You do not have permission for this action."))
    _ensure_open(evaluation)
    from etam.evaluation.registry import run_rules

    proposals = run_rules(evaluation)
    created = []
    with transaction.atomic():
        Suggestion.objects.filter(evaluation=evaluation, status=Suggestion.Status.PENDING).delete()
        for proposal in proposals:
            created.append(
                Suggestion.objects.create(
                    evaluation=evaluation,
                    indicator=proposal.indicator,
                    rule=proposal.rule,
                    level=proposal.level,
                    rationale=proposal.rationale,
                    links=[{"label": str(label), "url": url} for label, url in proposal.links],
                )
            )
        audit.record(
            actor=actor,
            action="evaluation.suggestions_refresh",
            target=evaluation,
            after={"suggestions": [f"{s.rule}:{s.indicator.number}→{s.level}" for s in created]},
        )
    return created


def suggestion_decide(*, actor: Person, suggestion: Suggestion, accept: bool, note: str = "") -> Suggestion:
    """Accepting writes the suggested level as the assessor's level at the current stage."""
    evaluation = suggestion.evaluation
    require(actor, perms.ASSESS, evaluation)
    _ensure_open(evaluation)
    if suggestion.status != Suggestion.Status.PENDING:
        raise ValidationError({"status": _("This suggestion has already been decided.")})
    if accept and evaluation.stage == Stage.SELF:
        raise ValidationError({"stage": _("A suggestion can be accepted from the document review stage on.")})
    with transaction.atomic():
        suggestion.status = Suggestion.Status.ACCEPTED if accept else Suggestion.Status.REJECTED
        suggestion.decided_by = actor
        suggestion.decided_at = timezone.now()
        suggestion.decision_note = (note or "").strip()
        suggestion.save()
        audit.record(
            actor=actor,
            action="evaluation.suggestion_accept" if accept else "evaluation.suggestion_reject",
            target=suggestion,
            after={"rule": suggestion.rule, "indicator": suggestion.indicator.number, "level": suggestion.level},
        )
        if accept:
            assessment_set(
                actor=actor,
                evaluation=evaluation,
                indicator=suggestion.indicator,
                level=suggestion.level,
                notes=_("Accepted platform suggestion (%(rule)s): %(rationale)s")
                % {"rule": suggestion.rule, "rationale": suggestion.rationale}
                + (f" — {suggestion.decision_note}" if suggestion.decision_note else ""),
                source=f"suggestion:{suggestion.pk}",
            )
    return suggestion
