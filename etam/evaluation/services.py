"""Business operations of the SPBE evaluation, one function each.

Every function checks permission, validates, changes state and writes one audit event in
the same transaction. Bad input raises ``ValidationError`` with a message per field (in
Bahasa Indonesia through gettext) and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit
from etam.core.models import Agency, Institution
from etam.core.permissions import Scope, has_perm, require
from etam.evaluation import evidence as ev
from etam.evaluation import exchange, loader
from etam.evaluation import permissions as perms
from etam.evaluation.models import (
    STAGE_ORDER,
    Assessment,
    Assignment,
    Claim,
    Evaluation,
    Evidence,
    Framework,
    Indicator,
    Stage,
    Suggestion,
)

# ---------------------------------------------------------------- frameworks


def _require_framework_admin(actor: Any) -> None:
    require(actor, perms.MANAGE_FRAMEWORK)


def framework_import(*, actor: Any, data: Any, system: bool = False) -> Framework:
    """A JSON document becomes a new draft framework (or the next version of its code)."""
    if not system:
        _require_framework_admin(actor)
    doc = exchange.parse_document(data)
    with transaction.atomic():
        framework = exchange.create_from_document(doc, status=Framework.Status.DRAFT)
        audit.record(
            actor=actor or "sistem",
            action="evaluation.framework_import",
            target=framework,
            after={"code": framework.code, "version": framework.version, "indicators": framework.indicators.count()},
        )
    return framework


def framework_publish(*, actor: Any, framework: Framework) -> Framework:
    _require_framework_admin(actor)
    if framework.status != Framework.Status.DRAFT:
        raise ValidationError({"status": _("Only a draft framework can be published.")})
    with transaction.atomic():
        framework.status = Framework.Status.PUBLISHED
        framework.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor, action="evaluation.framework_publish", target=framework, after={"status": "published"}
        )
    return framework


def framework_new_version(*, actor: Any, framework: Framework) -> Framework:
    """A draft copy with the next version number; the original is left as it is."""
    _require_framework_admin(actor)
    doc = exchange.parse_document(exchange.export_document(framework))
    with transaction.atomic():
        copy = exchange.create_from_document(doc, status=Framework.Status.DRAFT)
        audit.record(
            actor=actor,
            action="evaluation.framework_new_version",
            target=copy,
            before={"version": framework.version},
            after={"version": copy.version},
        )
    return copy


def indicator_update(*, actor: Any, indicator: Indicator, name: str | None = None, weight: Any = None) -> Indicator:
    """Edit an indicator of a draft framework; a published or frozen one is refused."""
    _require_framework_admin(actor)
    framework = indicator.framework
    if framework.status != Framework.Status.DRAFT:
        raise ValidationError(
            {
                "framework": _("Framework %(name)s is %(status)s and cannot be edited; make a new version first.")
                % {"name": framework.name, "status": framework.get_status_display()}
            }
        )
    before = {"name": indicator.name, "weight": indicator.weight}
    if name is not None:
        indicator.name = name
    if weight is not None:
        indicator.weight = weight
    indicator.full_clean(exclude=["framework", "aspect", "scale"])
    with transaction.atomic():
        indicator.save()
        audit.record(
            actor=actor,
            action="evaluation.indicator_update",
            target=indicator,
            before=before,
            after={"name": indicator.name, "weight": indicator.weight},
        )
    return indicator


# ---------------------------------------------------------------- evaluations


def _ensure_open(evaluation: Evaluation) -> None:
    if evaluation.is_final:
        raise ValidationError(
            {"stage": _("The evaluation is final and cannot be changed; the SPBE coordinator may reopen it.")}
        )


def evaluation_open(*, actor: Any, institution: Institution, framework: Framework, period: int) -> Evaluation:
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
        if framework.status != Framework.Status.FROZEN:
            Framework.objects.filter(pk=framework.pk).update(status=Framework.Status.FROZEN)
            framework.status = Framework.Status.FROZEN
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


def assignment_set(*, actor: Any, evaluation: Evaluation, owners: Mapping[int, int | None]) -> int:
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


def assignment_apply_defaults(*, actor: Any, evaluation: Evaluation) -> int:
    """Assign every unassigned indicator to its typical owner when the instansi has that OPD."""
    defaults = default_owner_agencies(evaluation)
    assigned = set(evaluation.assignments.values_list("indicator_id", flat=True))
    return assignment_set(
        actor=actor,
        evaluation=evaluation,
        owners={ind: agency.pk for ind, agency in defaults.items() if ind not in assigned},
    )


def evaluation_advance(*, actor: Any, evaluation: Evaluation) -> Evaluation:
    require(actor, perms.MANAGE, evaluation)
    _ensure_open(evaluation)
    before = evaluation.stage
    following = STAGE_ORDER[evaluation.stage_index + 1]
    with transaction.atomic():
        evaluation.stage = following
        if following == Stage.FINAL:
            evaluation.finalised_at = timezone.now()
        evaluation.save(update_fields=["stage", "finalised_at"])
        audit.record(
            actor=actor,
            action="evaluation.advance",
            target=evaluation,
            before={"stage": before},
            after={"stage": following},
        )
    return evaluation


def evaluation_reopen(*, actor: Any, evaluation: Evaluation, reason: str) -> Evaluation:
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


# ---------------------------------------------------------------- claims and evidence


def _assignment_for_claim(actor: Any, evaluation: Evaluation, indicator: Indicator) -> Assignment:
    assignment = Assignment.objects.select_related("agency").filter(evaluation=evaluation, indicator=indicator).first()
    if assignment is None:
        # Not assigned: nobody at OPD level may claim it; the coordinator assigns first.
        raise PermissionDenied(_("This indicator is not assigned to your OPD."))
    require(actor, perms.CLAIM, Scope(evaluation.institution_id, assignment.agency_id))
    return assignment


def _check_level(indicator: Indicator, level: Any, field: str = "level") -> int:
    scale = indicator.scale
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = None
    if value is None or str(level).strip() != str(value) or not scale.min_level <= value <= scale.max_level:
        raise ValidationError(
            {
                field: _("Level for indicator %(number)s: a whole number from %(min)s to %(max)s is expected.")
                % {"number": indicator.number, "min": scale.min_level, "max": scale.max_level}
            }
        )
    return value


def _check_justification(fact: str, analysis: str) -> dict[str, str]:
    errors = {}
    if len((fact or "").strip()) < 10:
        errors["fact"] = _("Fact sentence: state what exists, e.g. which policy or service (at least 10 characters).")
    if len((analysis or "").strip()) < 10:
        errors["analysis"] = _("Analysis sentence: explain why this meets the claimed level (at least 10 characters).")
    return errors


def claim_create(
    *, actor: Any, evaluation: Evaluation, indicator: Indicator, level: Any, fact: str, analysis: str
) -> Claim:
    assignment = _assignment_for_claim(actor, evaluation, indicator)
    _ensure_open(evaluation)
    if evaluation.stage != Stage.SELF:
        raise ValidationError({"stage": _("Claims can only be made during the self-assessment stage.")})
    value = _check_level(indicator, level)
    errors = _check_justification(fact, analysis)
    if Claim.objects.filter(evaluation=evaluation, indicator=indicator).exists():
        errors["indicator"] = _("Indicator %(number)s already has a claim; change the existing claim instead.") % {
            "number": indicator.number
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                evaluation=evaluation,
                indicator=indicator,
                agency=assignment.agency,
                level=value,
                fact=fact.strip(),
                analysis=analysis.strip(),
                claimed_by=actor,
            )
            audit.record(actor=actor, action="evaluation.claim", target=claim, after={"level": value})
    except IntegrityError as exc:  # a concurrent duplicate
        raise ValidationError(
            {"indicator": _("Indicator %(number)s already has a claim.") % {"number": indicator.number}}
        ) from exc
    return claim


def claim_update(*, actor: Any, claim: Claim, level: Any, fact: str, analysis: str) -> Claim:
    evaluation = claim.evaluation
    _assignment_for_claim(actor, evaluation, claim.indicator)
    _ensure_open(evaluation)
    if evaluation.stage != Stage.SELF:
        raise ValidationError({"stage": _("Claims can only be changed during the self-assessment stage.")})
    value = _check_level(claim.indicator, level)
    errors = _check_justification(fact, analysis)
    if errors:
        raise ValidationError(errors)
    before = {"level": claim.level, "fact": claim.fact, "analysis": claim.analysis}
    with transaction.atomic():
        claim.level = value
        claim.fact = fact.strip()
        claim.analysis = analysis.strip()
        claim.claimed_by = actor
        claim.save()
        Assignment.objects.filter(evaluation=evaluation, indicator=claim.indicator).update(submitted_at=None)
        audit.record(
            actor=actor,
            action="evaluation.claim_update",
            target=claim,
            before=before,
            after={"level": claim.level, "fact": claim.fact, "analysis": claim.analysis},
        )
    return claim


def evidence_add(
    *,
    actor: Any,
    claim: Claim,
    level: Any,
    title: str,
    upload: IO[bytes] | None = None,
    filename: str = "",
    url: str = "",
) -> Evidence:
    evaluation = claim.evaluation
    _assignment_for_claim(actor, evaluation, claim.indicator)
    _ensure_open(evaluation)
    if evaluation.stage != Stage.SELF:
        raise ValidationError({"stage": _("Evidence can only be added during the self-assessment stage.")})
    errors: dict[str, str] = {}
    try:
        value = _check_level(claim.indicator, level)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        value = 0
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Title: name the document or page, e.g. 'Perda SPBE 2023'.")
    elif len(title) > 200:
        errors["title"] = _("Title: at most 200 characters.")
    url = (url or "").strip()
    kind = None
    size = 0
    if upload is not None and url:
        errors["file"] = _("Give either a file or a link, not both.")
    elif upload is None and not url:
        errors["file"] = _("Evidence: upload a file (%(kinds)s) or give a link.") % {"kinds": ev.ALLOWED_LABEL}
    elif upload is not None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
        limit = ev.max_evidence_bytes()
        if size == 0:
            errors["file"] = _("File %(name)s is empty.") % {"name": filename}
        elif size > limit:
            errors["file"] = _("File %(name)s is %(size)s MB; at most %(limit)s MB is allowed.") % {
                "name": filename,
                "size": round(size / 1048576, 1),
                "limit": round(limit / 1048576, 1),
            }
        else:
            kind = ev.sniff(upload)
            if kind is None:
                errors["file"] = _(
                    "File %(name)s is not an allowed type; by its content it must be one of %(kinds)s."
                ) % {"name": filename, "kinds": ev.ALLOWED_LABEL}
    else:
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = _("Link: a full web address starting with https:// or http:// is expected.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = Evidence(claim=claim, level=value, title=title, uploaded_by=actor, url=url)
        if upload is not None and kind is not None:
            item.content_type = ev.ALLOWED_KINDS[kind]
            item.size = size
            item.sha256 = ev.sha256_of(upload)
            safe_name = f"{item.sha256[:16]}.{kind.replace('jpeg', 'jpg')}"
            item.file.save(safe_name, File(upload), save=False)
        item.save()
        audit.record(
            actor=actor,
            action="evaluation.evidence_add",
            target=item,
            after={
                "level": value,
                "title": title,
                "url": url,
                "sha256": item.sha256,
                "indicator": claim.indicator.number,
            },
        )
    return item


def evidence_remove(*, actor: Any, item: Evidence) -> None:
    claim = item.claim
    _assignment_for_claim(actor, claim.evaluation, claim.indicator)
    _ensure_open(claim.evaluation)
    if claim.evaluation.stage != Stage.SELF:
        raise ValidationError({"stage": _("Evidence can only be removed during the self-assessment stage.")})
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="evaluation.evidence_remove",
            target=item,
            before={"level": item.level, "title": item.title, "sha256": item.sha256, "url": item.url},
        )
        stored = item.file.name if item.file else ""
        item.delete()
        if stored:
            storage = item.file.storage
            transaction.on_commit(lambda: storage.delete(stored))


class EvidenceGapWarning(ValidationError):
    """Raised by ``assignment_submit`` when claims outrun their evidence and the OPD has
    not acknowledged it; ``claims`` lists them."""

    def __init__(self, claims: list[Claim]):
        numbers = ", ".join(str(c.indicator.number) for c in claims)
        super().__init__(
            {
                "acknowledge_gaps": _(
                    "The claims for indicators %(numbers)s outrun their evidence. Add the missing evidence or "
                    "confirm that you submit them as they are."
                )
                % {"numbers": numbers}
            }
        )
        self.claims = claims


def assignment_submit(*, actor: Any, evaluation: Evaluation, agency: Agency, acknowledge_gaps: bool = False) -> int:
    """An OPD hands in its claims. Every assigned indicator needs a claim; claims that
    outrun their evidence need an explicit acknowledgement."""
    require(actor, perms.CLAIM, Scope(evaluation.institution_id, agency.pk))
    _ensure_open(evaluation)
    if evaluation.stage != Stage.SELF:
        raise ValidationError({"stage": _("Claims can only be submitted during the self-assessment stage.")})
    from etam.evaluation.selectors import ladder_for_claims

    assignments = list(
        Assignment.objects.filter(evaluation=evaluation, agency=agency)
        .select_related("indicator")
        .order_by("indicator__number")
    )
    if not assignments:
        raise PermissionDenied(_("No indicator of this evaluation is assigned to your OPD."))
    claims = {
        c.indicator_id: c
        for c in Claim.objects.filter(evaluation=evaluation, indicator_id__in=[a.indicator_id for a in assignments])
        .select_related("indicator__scale")
        .prefetch_related("evidence")
    }
    unclaimed = [str(a.indicator.number) for a in assignments if a.indicator_id not in claims]
    if unclaimed:
        raise ValidationError(
            {"claims": _("Indicators %(numbers)s have no claim yet.") % {"numbers": ", ".join(unclaimed)}}
        )
    statuses = ladder_for_claims(list(claims.values()))
    gaps = [claim for claim in claims.values() if statuses[claim.pk].outruns]
    if gaps and not acknowledge_gaps:
        raise EvidenceGapWarning(sorted(gaps, key=lambda c: c.indicator.number))
    now = timezone.now()
    with transaction.atomic():
        Assignment.objects.filter(pk__in=[a.pk for a in assignments]).update(submitted_at=now)
        audit.record(
            actor=actor,
            action="evaluation.submit",
            target=evaluation,
            agency_id=agency.pk,
            after={
                "agency": agency.code,
                "indicators": [a.indicator.number for a in assignments],
                "acknowledged_gaps": [c.indicator.number for c in gaps],
            },
        )
    return len(assignments)


# ---------------------------------------------------------------- assessment


def assessment_set(
    *, actor: Any, evaluation: Evaluation, indicator: Indicator, level: Any, notes: str = "", source: str = ""
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


def suggestions_refresh(*, actor: Any, evaluation: Evaluation) -> list[Suggestion]:
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


def suggestion_decide(*, actor: Any, suggestion: Suggestion, accept: bool, note: str = "") -> Suggestion:
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
