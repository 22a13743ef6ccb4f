"""Frameworks as JSON: the exchange document, its JSON Schema, import and export.

The document is described by Pydantic models; ``etam/evaluation/schemas/framework.schema.json``
is generated from them (``manage.py evaluation_frameworks schema``) and a test fails if the
committed file drifts. Pydantic checks shape and types; ``check_document`` adds the
rules a schema cannot say (unique numbers, references between parts, sane bands).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from etam.evaluation.models import (
    Aspect,
    Domain,
    EvidenceExpectation,
    Framework,
    Indicator,
    LevelCriterion,
    LevelScale,
    PredicateBand,
)

SCHEMA_PATH = Path(__file__).parent / "schemas" / "framework.schema.json"
SCHEMA_ID = "https://etam.kaltimprov.go.id/schemas/evaluation/framework.schema.json"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LevelDoc(_Strict):
    level: int = Field(ge=0, le=10)
    name: str = Field(min_length=1, max_length=100)
    criterion: str = Field(min_length=1)
    evidence: list[str] = Field(default_factory=list, description="The evidence ladder: what is expected at this level")


class ScaleDoc(_Strict):
    code: str = Field(pattern=r"^[a-z0-9-]+$", max_length=40)
    name: str = Field(min_length=1, max_length=200)
    levels: list[LevelDoc] = Field(min_length=1)


class IndicatorDoc(_Strict):
    number: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=300)
    weight: Decimal = Field(gt=0, max_digits=7, decimal_places=3)
    scale: str
    description: str = ""
    default_owner: str = Field(default="", max_length=40)


class AspectDoc(_Strict):
    number: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=200)
    weight: Decimal = Field(ge=0, max_digits=7, decimal_places=3)
    indicators: list[IndicatorDoc] = Field(min_length=1)


class DomainDoc(_Strict):
    number: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=200)
    weight: Decimal = Field(ge=0, max_digits=7, decimal_places=3)
    aspects: list[AspectDoc] = Field(min_length=1)


class BandDoc(_Strict):
    name: str = Field(min_length=1, max_length=60)
    min: Decimal = Field(max_digits=5, decimal_places=2)
    max: Decimal = Field(max_digits=5, decimal_places=2)
    min_inclusive: bool = True
    max_inclusive: bool = False


class FrameworkDoc(_Strict):
    model_config = ConfigDict(
        extra="forbid",
        title="Etam SPBE evaluation framework",
        json_schema_extra={"$id": SCHEMA_ID, "$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    format: str = Field(default="etam.evaluation.framework/1", pattern=r"^etam\.evaluation\.framework/1$")
    code: str = Field(pattern=r"^[a-z0-9-]+$", max_length=60)
    version: int = Field(default=1, ge=1)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    provisional: bool = False
    source: str = ""
    scales: list[ScaleDoc] = Field(min_length=1)
    domains: list[DomainDoc] = Field(min_length=1)
    predicates: list[BandDoc] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    return FrameworkDoc.model_json_schema(mode="validation")


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class FrameworkDocError(ValueError):
    """Problems in an imported document, each as (path, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))
        self.problems = problems


def parse_document(data: Any) -> FrameworkDoc:
    try:
        doc = FrameworkDoc.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"]) or "(dokumen)"
            problems.append((path, err["msg"]))
        raise FrameworkDocError(problems) from exc
    check_document(doc)
    return doc


def check_document(doc: FrameworkDoc) -> None:
    problems: list[tuple[str, str]] = []
    scales = {}
    for i, scale in enumerate(doc.scales):
        if scale.code in scales:
            problems.append((f"scales.{i}.code", _("Scale code %(code)s appears twice.") % {"code": scale.code}))
        levels = [lv.level for lv in scale.levels]
        if len(set(levels)) != len(levels) or sorted(levels) != list(range(min(levels), max(levels) + 1)):
            problems.append(
                (f"scales.{i}.levels", _("Levels must be consecutive whole numbers, each once, e.g. 1 to 5."))
            )
        scales[scale.code] = scale
    domain_numbers: set[int] = set()
    aspect_numbers: set[int] = set()
    indicator_numbers: set[int] = set()
    for d, domain in enumerate(doc.domains):
        if domain.number in domain_numbers:
            problems.append((f"domains.{d}.number", _("Domain number %(n)s appears twice.") % {"n": domain.number}))
        domain_numbers.add(domain.number)
        for a, aspect in enumerate(domain.aspects):
            path = f"domains.{d}.aspects.{a}"
            if aspect.number in aspect_numbers:
                problems.append((f"{path}.number", _("Aspect number %(n)s appears twice.") % {"n": aspect.number}))
            aspect_numbers.add(aspect.number)
            for i, indicator in enumerate(aspect.indicators):
                ipath = f"{path}.indicators.{i}"
                if indicator.number in indicator_numbers:
                    problems.append(
                        (f"{ipath}.number", _("Indicator number %(n)s appears twice.") % {"n": indicator.number})
                    )
                indicator_numbers.add(indicator.number)
                if indicator.scale not in scales:
                    problems.append((f"{ipath}.scale", _("Unknown level scale %(code)s.") % {"code": indicator.scale}))
    for b, band in enumerate(doc.predicates):
        if band.min > band.max:
            problems.append((f"predicates.{b}", _("The lower bound must not exceed the upper bound.")))
    if problems:
        raise FrameworkDocError(problems)


def export_document(framework: Framework) -> dict[str, Any]:
    scales = list(framework.scales.prefetch_related("criteria", "expectations"))
    domains = list(framework.domains.prefetch_related("aspects__indicators__scale").order_by("number"))
    doc = FrameworkDoc(
        code=framework.code,
        version=framework.version,
        name=framework.name,
        description=framework.description,
        provisional=framework.provisional,
        source=framework.source,
        scales=[
            ScaleDoc(
                code=scale.code,
                name=scale.name,
                levels=[
                    LevelDoc(
                        level=c.level,
                        name=c.name,
                        criterion=c.criterion,
                        evidence=[e.description for e in scale.expectations.all() if e.level == c.level],
                    )
                    for c in scale.criteria.all()
                ],
            )
            for scale in scales
        ],
        domains=[
            DomainDoc(
                number=domain.number,
                name=domain.name,
                weight=domain.weight.normalize(),
                aspects=[
                    AspectDoc(
                        number=aspect.number,
                        name=aspect.name,
                        weight=aspect.weight.normalize(),
                        indicators=[
                            IndicatorDoc(
                                number=ind.number,
                                name=ind.name,
                                weight=ind.weight.normalize(),
                                scale=ind.scale.code,
                                description=ind.description,
                                default_owner=ind.default_owner,
                            )
                            for ind in aspect.indicators.all()
                        ],
                    )
                    for aspect in domain.aspects.all()
                ],
            )
            for domain in domains
        ],
        predicates=[
            BandDoc(
                name=b.name,
                min=b.min_value,
                max=b.max_value,
                min_inclusive=b.min_inclusive,
                max_inclusive=b.max_inclusive,
            )
            for b in framework.bands.all()
        ],
    )
    return json.loads(doc.model_dump_json())


@transaction.atomic
def create_from_document(doc: FrameworkDoc, *, status: str = Framework.Status.DRAFT) -> Framework:
    """Write a checked document as a new framework row tree (no audit: callers audit)."""
    previous = Framework.objects.filter(code=doc.code).order_by("-version").first()
    version = max(doc.version, previous.version + 1) if previous else doc.version
    framework = Framework.objects.create(
        code=doc.code,
        version=version,
        name=doc.name,
        description=doc.description,
        provisional=doc.provisional,
        source=doc.source,
        status=status,
        previous=previous,
    )
    scales: dict[str, LevelScale] = {}
    for scale_doc in doc.scales:
        levels = [lv.level for lv in scale_doc.levels]
        scale = LevelScale.objects.create(
            framework=framework, code=scale_doc.code, name=scale_doc.name, min_level=min(levels), max_level=max(levels)
        )
        scales[scale.code] = scale
        LevelCriterion.objects.bulk_create(
            LevelCriterion(scale=scale, level=lv.level, name=lv.name, criterion=lv.criterion) for lv in scale_doc.levels
        )
        EvidenceExpectation.objects.bulk_create(
            EvidenceExpectation(scale=scale, level=lv.level, description=text, order=n)
            for lv in scale_doc.levels
            for n, text in enumerate(lv.evidence)
        )
    for domain_doc in doc.domains:
        domain = Domain.objects.create(
            framework=framework, number=domain_doc.number, name=domain_doc.name, weight=domain_doc.weight
        )
        for aspect_doc in domain_doc.aspects:
            aspect = Aspect.objects.create(
                framework=framework,
                domain=domain,
                number=aspect_doc.number,
                name=aspect_doc.name,
                weight=aspect_doc.weight,
            )
            Indicator.objects.bulk_create(
                Indicator(
                    framework=framework,
                    aspect=aspect,
                    number=ind.number,
                    name=ind.name,
                    weight=ind.weight,
                    scale=scales[ind.scale],
                    description=ind.description,
                    default_owner=ind.default_owner,
                )
                for ind in aspect_doc.indicators
            )
    PredicateBand.objects.bulk_create(
        PredicateBand(
            framework=framework,
            name=b.name,
            min_value=b.min,
            max_value=b.max,
            min_inclusive=b.min_inclusive,
            max_inclusive=b.max_inclusive,
        )
        for b in doc.predicates
    )
    return framework
