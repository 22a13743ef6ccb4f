"""Reads for the SPBE evaluation, already narrowed to what the actor may see.

- Instansi-scoped roles with ``evaluation.view`` see their instansi's evaluations.
- OPD-scoped roles with ``evaluation.claim`` see an evaluation only while their OPD holds
  an assignment in it, and inside it only their OPD's indicators.
- Final results are public (the roll-up page); drafts never are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from etam.core.actors import Actor
from etam.core.models import Agency, Institution, RegionBoundary, Role
from etam.core.permissions import active_grants, has_perm, role_permissions, scope_q
from etam.evaluation import evidence as ev
from etam.evaluation import permissions as perms
from etam.evaluation import scoring
from etam.evaluation.models import (
    STAGE_ORDER,
    Assessment,
    Assignment,
    Claim,
    Evaluation,
    Evidence,
    EvidenceExpectation,
    Framework,
    Indicator,
    Stage,
    Suggestion,
)
from etam.evaluation.scores import shape_of


def _grant_ids(user: Actor, perm: str) -> tuple[bool, set[int], set[int]]:
    grants = [g for g in active_grants(user) if g.role == Role.SUPER_ADMIN or perm in role_permissions(g.role)]
    everything = any(g.role == Role.SUPER_ADMIN for g in grants)
    institutions = {g.institution_id for g in grants if g.agency_id is None and g.institution_id}
    agencies = {g.agency_id for g in grants if g.agency_id is not None}
    return everything, institutions, agencies


def claim_agency_ids(user: Actor, evaluation: Evaluation | None = None) -> set[int]:
    _everything, _inst, agencies = _grant_ids(user, perms.CLAIM)
    return agencies


def evaluations_for(user: Actor) -> QuerySet[Evaluation]:
    everything, institutions, _ = _grant_ids(user, perms.VIEW)
    base = Evaluation.objects.select_related("institution", "framework")
    if everything:
        return base.all()
    agencies = claim_agency_ids(user)
    q = Q(pk__in=[])
    if institutions:
        q |= Q(institution_id__in=institutions)
    if agencies:
        q |= Q(pk__in=Assignment.objects.filter(agency_id__in=agencies).values("evaluation_id"))
    return base.filter(q)


def evaluation_for(user: Actor, pk: int) -> Evaluation:
    evaluation = evaluations_for(user).filter(pk=pk).first()
    if evaluation is None:
        raise Http404
    return evaluation


def sees_whole(user: Actor, evaluation: Evaluation) -> bool:
    return has_perm(user, perms.VIEW, evaluation)


def visible_assignment_agency_ids(user: Actor, evaluation: Evaluation) -> set[int] | None:
    """None = every indicator; otherwise the OPDs whose indicators the user may see."""
    if sees_whole(user, evaluation):
        return None
    return claim_agency_ids(user)


@dataclass
class IndicatorRow:
    indicator: Any
    assignment: Assignment | None
    claim: Claim | None
    assessments: dict[str, int] = field(default_factory=dict)
    assessment_notes: dict[str, str] = field(default_factory=dict)
    ladder: ev.LadderStatus | None = None

    @property
    def assessed(self) -> int | None:
        level = None
        for stage in STAGE_ORDER:
            if stage in self.assessments:
                level = self.assessments[stage]
        return level

    @property
    def difference(self) -> int | None:
        if self.claim is None or self.assessed is None:
            return None
        return self.assessed - self.claim.level


def expectations_by_scale(scale_ids: Iterable[int]) -> dict[int, list[EvidenceExpectation]]:
    result: dict[int, list[EvidenceExpectation]] = defaultdict(list)
    for e in EvidenceExpectation.objects.filter(scale_id__in=set(scale_ids)):
        result[e.scale_id].append(e)
    return result


def ladder_for_claims(claims: Sequence[Claim]) -> dict[int, ev.LadderStatus]:
    """Claims must come with ``indicator__scale`` selected and ``evidence`` prefetched."""
    expected = expectations_by_scale(c.indicator.scale_id for c in claims)
    return {
        c.pk: ev.ladder(
            c.level,
            expected.get(c.indicator.scale_id, []),
            c.evidence.all(),
            min_level=c.indicator.scale.min_level,
            max_level=c.indicator.scale.max_level,
        )
        for c in claims
    }


def indicator_rows(user: Actor, evaluation: Evaluation) -> list[IndicatorRow]:
    """The indicators the user may see, with assignment, claim, evidence ladder, assessments."""
    agency_ids = visible_assignment_agency_ids(user, evaluation)
    shape = shape_of(evaluation.framework)
    assignments = {a.indicator_id: a for a in Assignment.objects.filter(evaluation=evaluation).select_related("agency")}
    claims_qs = (
        Claim.objects.filter(evaluation=evaluation).select_related("indicator__scale").prefetch_related("evidence")
    )
    claims = {c.indicator_id: c for c in claims_qs}
    ladders = ladder_for_claims(list(claims.values()))
    expected = expectations_by_scale(i.scale_id for i in shape.indicators.values())
    assessments: dict[int, dict[str, int]] = defaultdict(dict)
    notes: dict[int, dict[str, str]] = defaultdict(dict)
    for a in Assessment.objects.filter(evaluation=evaluation).only("indicator_id", "stage", "level", "notes"):
        assessments[a.indicator_id][a.stage] = a.level
        notes[a.indicator_id][a.stage] = a.notes
    rows = []
    for indicator in shape.indicators.values():
        assignment = assignments.get(indicator.pk)
        if agency_ids is not None and (assignment is None or assignment.agency_id not in agency_ids):
            continue
        claim = claims.get(indicator.pk)
        ladder = (
            ladders[claim.pk]
            if claim
            else ev.ladder(
                None,
                expected.get(indicator.scale_id, []),
                [],
                min_level=indicator.scale.min_level,
                max_level=indicator.scale.max_level,
            )
        )
        rows.append(
            IndicatorRow(
                indicator=indicator,
                assignment=assignment,
                claim=claim,
                assessments=assessments.get(indicator.pk, {}),
                assessment_notes=notes.get(indicator.pk, {}),
                ladder=ladder,
            )
        )
    return rows


@dataclass
class Progress:
    agency: Agency | None
    assigned: int
    claimed: int
    backed: int  # claims whose evidence reaches the claimed level
    submitted: int

    @property
    def percent(self) -> int:
        return round(100 * self.claimed / self.assigned) if self.assigned else 0


def progress(rows: Sequence[IndicatorRow], total_indicators: int) -> tuple[list[Progress], Progress]:
    per: dict[int, Progress] = {}
    for row in rows:
        if row.assignment is None:
            continue
        p = per.setdefault(row.assignment.agency_id, Progress(row.assignment.agency, 0, 0, 0, 0))
        p.assigned += 1
        if row.claim:
            p.claimed += 1
            if row.ladder and not row.ladder.outruns:
                p.backed += 1
        if row.assignment.submitted_at:
            p.submitted += 1
    overall = Progress(
        None,
        total_indicators,
        sum(1 for r in rows if r.claim),
        sum(1 for r in rows if r.claim and r.ladder and not r.ladder.outruns),
        sum(1 for r in rows if r.assignment and r.assignment.submitted_at),
    )
    return sorted(per.values(), key=lambda p: p.agency.name if p.agency else ""), overall


@dataclass(frozen=True)
class Comparison:
    key: int
    name: str
    self_index: Decimal | None
    assessed_index: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.self_index is None or self.assessed_index is None:
            return None
        return self.assessed_index - self.self_index


def comparisons(
    evaluation: Evaluation, self_sheet: scoring.ScoreSheet, assessed_sheet: scoring.ScoreSheet
) -> dict[str, Any]:
    domains = {d.number: d.name for d in evaluation.framework.domains.all()}
    aspects = {a.number: a.name for a in evaluation.framework.aspects.all()}
    return {
        "domains": [
            Comparison(k, domains.get(k, str(k)), self_sheet.domains[k].index, assessed_sheet.domains[k].index)
            for k in self_sheet.domains
        ],
        "aspects": [
            Comparison(k, aspects.get(k, str(k)), self_sheet.aspects[k].index, assessed_sheet.aspects[k].index)
            for k in self_sheet.aspects
        ],
    }


# ---------------------------------------------------------------- results in bulk (roll-up, history)


@dataclass(frozen=True)
class Result:
    evaluation: Evaluation
    sheet: scoring.ScoreSheet
    self_sheet: scoring.ScoreSheet

    @property
    def index(self) -> Decimal | None:
        return self.sheet.overall.index

    @property
    def predicate(self) -> str | None:
        return self.sheet.predicate


def results_for(evaluations: Sequence[Evaluation]) -> dict[int, Result]:
    """Scores of many evaluations with a fixed number of queries (one framework shape each)."""
    ids = [e.pk for e in evaluations]
    assessed: dict[int, dict[str, dict[int, int]]] = defaultdict(dict)
    for eid, number, stage, level in Assessment.objects.filter(evaluation_id__in=ids).values_list(
        "evaluation_id", "indicator__number", "stage", "level"
    ):
        assessed[eid].setdefault(stage, {})[number] = level
    claimed: dict[int, dict[int, int]] = defaultdict(dict)
    for eid, number, level in Claim.objects.filter(evaluation_id__in=ids).values_list(
        "evaluation_id", "indicator__number", "level"
    ):
        claimed[eid][number] = level
    frameworks: dict[int, Framework] = {}
    results = {}
    for evaluation in evaluations:
        framework = frameworks.setdefault(evaluation.framework_id, evaluation.framework)
        shape = shape_of(framework)
        levels: dict[int, int] = {}
        for stage in STAGE_ORDER:
            levels.update(assessed[evaluation.pk].get(stage, {}))
        results[evaluation.pk] = Result(
            evaluation=evaluation,
            sheet=scoring.compute(shape.specs, levels, shape.bands),
            self_sheet=scoring.compute(shape.specs, claimed[evaluation.pk], shape.bands),
        )
    return results


def public_final_evaluations() -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(stage=Stage.FINAL).select_related("institution", "framework")


@dataclass
class Rollup:
    period: int | None
    periods: list[int]
    rows: list[tuple[Institution, Result | None]]
    trend: dict[int, dict[int, Decimal | None]]  # institution id → period → index
    domain_names: dict[int, str]
    any_demo: bool


def rollup(period: int | None = None) -> Rollup:
    """Final results of every instansi side by side, for one period, plus the trend."""
    evaluations = list(public_final_evaluations().order_by("period", "institution__region_code"))
    periods = sorted({e.period for e in evaluations})
    if period is None or period not in periods:
        period = periods[-1] if periods else None
    results = results_for(evaluations)
    institutions = list(Institution.objects.order_by("region_code"))
    trend: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for e in evaluations:
        trend[e.institution_id][e.period] = results[e.pk].index
    current = {e.institution_id: results[e.pk] for e in evaluations if e.period == period}
    domain_names: dict[int, str] = {}
    for r in current.values():
        if not domain_names:
            domain_names = {d.number: d.name for d in r.evaluation.framework.domains.all()}
    return Rollup(
        period=period,
        periods=periods,
        rows=[(inst, current.get(inst.pk)) for inst in institutions],
        trend=dict(trend),
        domain_names=domain_names,
        any_demo=any(e.is_demo for e in evaluations),
    )


def history_for(evaluation: Evaluation) -> list[Result]:
    """The instansi's evaluations, oldest first: the year-on-year view."""
    evaluations = list(
        Evaluation.objects.filter(institution_id=evaluation.institution_id)
        .select_related("institution", "framework")
        .order_by("period")
    )
    results = results_for(evaluations)
    return [results[e.pk] for e in evaluations]


def frameworks_list() -> QuerySet[Framework]:
    return Framework.objects.annotate(indicator_count=Count("indicators")).order_by("code", "-version")


# ---------------------------------------------------------------- lookups for pages and the API
# (views and the API read through these, never through ``Model.objects``)


def manageable_institutions(user: Actor) -> QuerySet[Institution]:
    """The instansi whose evaluations the user may manage."""
    return Institution.objects.filter(scope_q(user, perms.MANAGE, institution_field="id", agency_field=None))


def framework_for(user: Actor, pk: int) -> Framework:
    """Frameworks are published reference (public export, stateless scoring), so any user."""
    return get_object_or_404(Framework, pk=pk)


def listed_framework_for(user: Actor, pk: int) -> Framework:
    """One framework of ``frameworks_list`` (with its indicator count)."""
    return get_object_or_404(frameworks_list(), pk=pk)


def evaluation_suggestions(user: Actor, evaluation: Evaluation) -> list[Suggestion]:
    """The suggestions of an evaluation the user sees whole (else none)."""
    if not sees_whole(user, evaluation):
        return []
    return list(
        Suggestion.objects.filter(evaluation=evaluation)
        .select_related("indicator")
        .order_by("status", "indicator__number")
    )


def indicator_suggestions(user: Actor, evaluation: Evaluation, indicator: Indicator) -> list[Suggestion]:
    if not sees_whole(user, evaluation):
        return []
    return list(Suggestion.objects.filter(evaluation=evaluation, indicator=indicator))


def suggestion_for(user: Actor, evaluation: Evaluation, pk: int) -> Suggestion:
    """``evaluation`` comes from ``evaluation_for(user, ...)``; the service checks the permission to decide."""
    return get_object_or_404(Suggestion, pk=pk, evaluation=evaluation)


def claimable_agencies(user: Actor, agency_ids: Iterable[int]) -> QuerySet[Agency]:
    """Of ``agency_ids``, the OPDs the user may claim for."""
    return Agency.objects.filter(pk__in=claim_agency_ids(user) & set(agency_ids))


def assignable_agencies(user: Actor, evaluation: Evaluation) -> list[Agency]:
    """Active OPDs of the evaluation's instansi (the assign page; the caller checked manage)."""
    return list(Agency.objects.filter(institution_id=evaluation.institution_id, is_active=True).order_by("name"))


def submit_agency(user: Actor, pk: int) -> Agency:
    """The OPD whose indicators the user submits: 404 if unknown, 403 without the claim permission."""
    agency = get_object_or_404(Agency, pk=pk)
    if not has_perm(user, perms.CLAIM, agency):
        raise PermissionDenied
    return agency


def claim_evidence(user: Actor, claim: Claim, pk: int) -> Evidence:
    """One evidence item of a claim the user reached through ``indicator_rows``."""
    return get_object_or_404(Evidence, pk=pk, claim=claim)


def evidence_file_for(user: Actor, pk: int) -> Evidence:
    """An evidence file, if the user sees its evaluation and its OPD's indicators (else 404)."""
    item = get_object_or_404(Evidence.objects.select_related("claim__evaluation"), pk=pk)
    evaluation = evaluation_for(user, item.claim.evaluation_id)
    agencies = visible_assignment_agency_ids(user, evaluation)
    if agencies is not None and item.claim.agency_id not in agencies:
        raise Http404
    return item


def kabkota_boundaries() -> dict[str, RegionBoundary]:
    """Public reference: the boundaries of Kaltim's kabupaten/kota (the roll-up map)."""
    return {b.code: b for b in RegionBoundary.objects.filter(level="kabupaten_kota", code__startswith="64.")}
