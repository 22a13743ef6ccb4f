"""Glue between the database and the pure ``scoring`` module.

Reads a framework once into ``IndicatorSpec``/``Band`` values and gathers the self and
assessed levels of an evaluation; everything numeric happens in ``scoring``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from etam.evaluation import scoring
from etam.evaluation.models import STAGE_ORDER, Assessment, Claim, Evaluation, Framework, Indicator, Stage


@dataclass(frozen=True)
class FrameworkShape:
    framework_id: int
    specs: list[scoring.IndicatorSpec]
    bands: list[scoring.Band]
    indicators: dict[int, Indicator]  # by number

    @property
    def total_weight(self) -> Decimal:
        return sum((s.weight for s in self.specs), Decimal(0))


def shape_of(framework: Framework) -> FrameworkShape:
    cached = getattr(framework, "_etam_shape", None)
    if cached is not None:
        return cached
    indicators = list(
        Indicator.objects.filter(framework=framework).select_related("aspect__domain", "scale").order_by("number")
    )
    shape = FrameworkShape(
        framework_id=framework.pk,
        specs=[
            scoring.IndicatorSpec(
                number=i.number,
                weight=i.weight,
                aspect=i.aspect.number,
                domain=i.aspect.domain.number,
                min_level=i.scale.min_level,
                max_level=i.scale.max_level,
                name=i.name,
            )
            for i in indicators
        ],
        bands=bands_of(framework.bands.all()),
        indicators={i.number: i for i in indicators},
    )
    framework._etam_shape = shape  # type: ignore[attr-defined]
    return shape


def bands_of(rows: Iterable) -> list[scoring.Band]:
    return [
        scoring.Band(
            name=b.name,
            min_value=b.min_value,
            max_value=b.max_value,
            min_inclusive=b.min_inclusive,
            max_inclusive=b.max_inclusive,
        )
        for b in rows
    ]


@dataclass(frozen=True)
class EvaluationLevels:
    self_levels: dict[int, int]
    assessed_levels: dict[int, int]  # the latest stage that has an assessment, per indicator
    by_stage: dict[str, dict[int, int]]


def levels_of(evaluation: Evaluation) -> EvaluationLevels:
    self_levels = dict(Claim.objects.filter(evaluation=evaluation).values_list("indicator__number", "level"))
    by_stage: dict[str, dict[int, int]] = {}
    for number, stage, level in Assessment.objects.filter(evaluation=evaluation).values_list(
        "indicator__number", "stage", "level"
    ):
        by_stage.setdefault(stage, {})[number] = level
    assessed: dict[int, int] = {}
    for stage in STAGE_ORDER:
        assessed.update(by_stage.get(stage, {}))
    return EvaluationLevels(self_levels, assessed, by_stage)


@dataclass(frozen=True)
class EvaluationScores:
    self_sheet: scoring.ScoreSheet
    assessed_sheet: scoring.ScoreSheet
    levels: EvaluationLevels
    shape: FrameworkShape

    @property
    def result_sheet(self) -> scoring.ScoreSheet:
        """What the evaluation stands at: assessed where assessed, else nothing."""
        return self.assessed_sheet


def score_evaluation(evaluation: Evaluation) -> EvaluationScores:
    shape = shape_of(evaluation.framework)
    levels = levels_of(evaluation)
    return EvaluationScores(
        self_sheet=scoring.compute(shape.specs, levels.self_levels, shape.bands),
        assessed_sheet=scoring.compute(shape.specs, levels.assessed_levels, shape.bands),
        levels=levels,
        shape=shape,
    )


def final_levels(evaluation: Evaluation) -> dict[int, int]:
    return levels_of(evaluation).assessed_levels


__all__ = ["Stage", "score_evaluation", "shape_of"]
