"""SPBE evaluation API under /api/v1/evaluation/.

Frameworks and the stateless score calculator are public reference data; evaluations are
scoped to the caller's grants (same selectors as the staff pages).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from etam.api.auth import require_auth
from etam.api.errors import COMMON_ERRORS, ApiError, ErrorOut
from etam.evaluation import scoring, selectors
from etam.evaluation.models import Framework
from etam.evaluation.scores import score_evaluation, shape_of

router = Router(tags=["evaluation"])


# ---------------------------------------------------------------- schemas


class FrameworkSummaryOut(Schema):
    id: int
    code: str
    version: int
    name: str
    status: str
    provisional: bool
    source: str
    indicator_count: int


class LevelOut(Schema):
    level: int
    name: str
    criterion: str
    expected_evidence: list[str]


class ScaleOut(Schema):
    code: str
    name: str
    levels: list[LevelOut]


class IndicatorOut(Schema):
    number: int
    name: str
    weight: Decimal
    scale: str


class AspectOut(Schema):
    number: int
    name: str
    weight: Decimal
    indicators: list[IndicatorOut]


class DomainOut(Schema):
    number: int
    name: str
    weight: Decimal
    aspects: list[AspectOut]


class BandOut(Schema):
    name: str
    min: Decimal
    max: Decimal
    min_inclusive: bool
    max_inclusive: bool


class FrameworkOut(FrameworkSummaryOut):
    description: str
    scales: list[ScaleOut]
    domains: list[DomainOut]
    predicates: list[BandOut]


class ScoreIn(Schema):
    levels: dict[str, Any] = Field(
        ..., description='Level per indicator number, e.g. {"1": 3, "47": 4}. Missing indicators make it partial.'
    )


class PartScoreOut(Schema):
    number: int
    name: str
    index: Decimal | None
    complete: bool


class ScoreOut(Schema):
    index: Decimal | None = Field(description="Two decimals, ROUND_HALF_UP; over the indicators given")
    predicate: str | None
    complete: bool
    counted: int
    total: int
    coverage_percent: Decimal
    domains: list[PartScoreOut]
    aspects: list[PartScoreOut]
    missing: list[int]


class IndicatorResultOut(Schema):
    number: int
    self_level: int | None
    assessed_level: int | None
    difference: int | None


class EvaluationSummaryOut(Schema):
    id: int
    institution: str
    region_code: str
    period: int
    stage: str
    framework_id: int
    is_demo: bool


class EvaluationOut(EvaluationSummaryOut):
    self_assessment: ScoreOut
    assessed: ScoreOut
    indicators: list[IndicatorResultOut]


# ---------------------------------------------------------------- helpers


def _score_out(sheet: scoring.ScoreSheet, domain_names: dict[int, str], aspect_names: dict[int, str]) -> dict:
    return {
        "index": sheet.overall.index,
        "predicate": sheet.predicate,
        "complete": sheet.complete,
        "counted": sheet.overall.counted,
        "total": sheet.overall.total,
        "coverage_percent": sheet.overall.coverage,
        "domains": [
            {"number": k, "name": domain_names.get(k, ""), "index": s.index, "complete": s.complete}
            for k, s in sheet.domains.items()
        ],
        "aspects": [
            {"number": k, "name": aspect_names.get(k, ""), "index": s.index, "complete": s.complete}
            for k, s in sheet.aspects.items()
        ],
        "missing": sheet.missing,
    }


def _names(framework: Framework) -> tuple[dict[int, str], dict[int, str]]:
    return (
        {d.number: d.name for d in framework.domains.all()},
        {a.number: a.name for a in framework.aspects.all()},
    )


# ---------------------------------------------------------------- endpoints


@router.get(
    "/frameworks",
    response={200: list[FrameworkSummaryOut], 429: ErrorOut, 500: ErrorOut},
    auth=None,
    summary="Evaluation frameworks (PermenPANRB 59/2020, provisional Indeks Pemdi, ...)",
)
def frameworks(request: HttpRequest) -> Any:
    return list(selectors.frameworks_list())


@router.get(
    "/frameworks/{framework_id}",
    response={200: FrameworkOut, 404: ErrorOut, 429: ErrorOut, 500: ErrorOut},
    auth=None,
    summary="A framework's structure: domains, aspects, indicators with weights, level scales, predicates",
)
def framework_detail(request: HttpRequest, framework_id: int) -> Any:
    framework = selectors.listed_framework_for(request.user, framework_id)
    scales = list(framework.scales.prefetch_related("criteria", "expectations"))
    domains = list(framework.domains.prefetch_related("aspects__indicators__scale"))
    return {
        "id": framework.pk,
        "code": framework.code,
        "version": framework.version,
        "name": framework.name,
        "status": framework.status,
        "provisional": framework.provisional,
        "source": framework.source,
        "description": framework.description,
        "indicator_count": framework.indicator_count,  # type: ignore[attr-defined]
        "scales": [
            {
                "code": s.code,
                "name": s.name,
                "levels": [
                    {
                        "level": c.level,
                        "name": c.name,
                        "criterion": c.criterion,
                        "expected_evidence": [e.description for e in s.expectations.all() if e.level == c.level],
                    }
                    for c in s.criteria.all()
                ],
            }
            for s in scales
        ],
        "domains": [
            {
                "number": d.number,
                "name": d.name,
                "weight": d.weight,
                "aspects": [
                    {
                        "number": a.number,
                        "name": a.name,
                        "weight": a.weight,
                        "indicators": [
                            {"number": i.number, "name": i.name, "weight": i.weight, "scale": i.scale.code}
                            for i in a.indicators.all()
                        ],
                    }
                    for a in d.aspects.all()
                ],
            }
            for d in domains
        ],
        "predicates": [
            {
                "name": b.name,
                "min": b.min_value,
                "max": b.max_value,
                "min_inclusive": b.min_inclusive,
                "max_inclusive": b.max_inclusive,
            }
            for b in framework.bands.all()
        ],
    }


@router.post(
    "/frameworks/{framework_id}/score",
    response={200: ScoreOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut, 500: ErrorOut},
    auth=None,
    summary="Compute index, domain/aspect scores and predicate for posted levels (stateless; nothing is saved)",
)
def framework_score(request: HttpRequest, framework_id: int, payload: ScoreIn) -> Any:
    framework = selectors.framework_for(request.user, framework_id)
    shape = shape_of(framework)
    try:
        levels = scoring.validate_levels(shape.specs, payload.levels)
    except scoring.InvalidLevels as exc:
        fields = []
        for problem in exc.problems:
            if problem.code == "unknown_indicator":
                message = _("Indicator %(number)s is not part of %(framework)s.") % {
                    "number": problem.key,
                    "framework": framework.name,
                }
            else:
                message = _("Level for indicator %(number)s: a whole number from %(min)s to %(max)s is expected.") % {
                    "number": problem.key,
                    "min": problem.min_level,
                    "max": problem.max_level,
                }
            fields.append({"path": f"body.levels.{problem.key}", "message": message})
        raise ApiError(422, "validation_error", _("Some levels are invalid; see the list of fields."), fields) from exc
    sheet = scoring.compute(shape.specs, levels, shape.bands)
    return _score_out(sheet, *_names(framework))


@router.get(
    "/evaluations",
    response={200: list[EvaluationSummaryOut], **COMMON_ERRORS},
    auth=require_auth,
    summary="Evaluations the caller may see (coordinator/assessor: their instansi; OPD staff: where assigned)",
)
def evaluations(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return [
        {
            "id": e.pk,
            "institution": e.institution.name,
            "region_code": e.institution.region_code,
            "period": e.period,
            "stage": e.stage,
            "framework_id": e.framework_id,
            "is_demo": e.is_demo,
        }
        for e in selectors.evaluations_for(user).order_by("-period", "institution__region_code")
    ]


@router.get(
    "/evaluations/{evaluation_id}",
    response={200: EvaluationOut, **COMMON_ERRORS},
    auth=require_auth,
    summary="One evaluation: self-assessed and assessed scores side by side, per indicator the caller may see",
)
def evaluation_detail(request: HttpRequest, evaluation_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    evaluation = selectors.evaluation_for(user, evaluation_id)
    rows = selectors.indicator_rows(user, evaluation)
    names = _names(evaluation.framework)
    if selectors.sees_whole(user, evaluation):
        scores = score_evaluation(evaluation)
        self_sheet, assessed_sheet = scores.self_sheet, scores.assessed_sheet
    else:
        # OPD staff: scores over their own indicators only
        shape = shape_of(evaluation.framework)
        numbers = {r.indicator.number for r in rows}
        specs = [s for s in shape.specs if s.number in numbers]
        self_sheet = scoring.compute(specs, {r.indicator.number: r.claim.level for r in rows if r.claim}, shape.bands)
        assessed_sheet = scoring.compute(
            specs, {r.indicator.number: r.assessed for r in rows if r.assessed is not None}, shape.bands
        )
    return {
        "id": evaluation.pk,
        "institution": evaluation.institution.name,
        "region_code": evaluation.institution.region_code,
        "period": evaluation.period,
        "stage": evaluation.stage,
        "framework_id": evaluation.framework_id,
        "is_demo": evaluation.is_demo,
        "self_assessment": _score_out(self_sheet, *names),
        "assessed": _score_out(assessed_sheet, *names),
        "indicators": [
            {
                "number": r.indicator.number,
                "self_level": r.claim.level if r.claim else None,
                "assessed_level": r.assessed,
                "difference": r.difference,
            }
            for r in rows
        ],
    }
