"""Suggestions from the platform itself: a registry other modules add rules to.

A rule looks at what Etam already holds for an instansi (role grants, published
datasets, services running end to end online, SLA tracking, ...) and suggests a level
for one indicator with links to the proof. An assessor accepts or rejects each
suggestion (``services.suggestion_decide``, audited); nothing is ever applied silently.

Another module registers from its ``AppConfig.ready``::

    if apps.is_installed("etam.evaluation"):
        from etam.evaluation.registry import SuggestionRule, register_suggestion_rule
        register_suggestion_rule(SuggestionRule(code="opendata.datasets", framework_code="permenpanrb-59-2020",
                                                indicator_number=43, suggest=my_function))

``suggest(evaluation, indicator)`` returns a ``Proposal`` or None (nothing to say).
A rule that fails is skipped and logged; it never blocks the evaluation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Proposal:
    level: int
    rationale: str
    links: Sequence[tuple[Any, str]] = field(default_factory=tuple)  # (label, url)

    @classmethod
    def to_page(cls, level: int, rationale: str, label: str, url_name: str) -> Proposal:
        """A proposal with one link, to the page (a URL name) its evidence was read from: the
        shape most modules' rules give (governance, inventory, quality)."""
        from django.urls import reverse

        return cls(level=level, rationale=rationale, links=((label, reverse(url_name)),))


@dataclass(frozen=True)
class SuggestionRule:
    code: str
    framework_code: str
    indicator_number: int
    suggest: Callable[[Any, Any], Proposal | None]
    label: str = ""


@dataclass(frozen=True)
class RuleOutput:
    rule: str
    indicator: Any
    level: int
    rationale: str
    links: Sequence[tuple[Any, str]]


_RULES: dict[str, SuggestionRule] = {}


def register_suggestion_rule(rule: SuggestionRule) -> None:
    _RULES[rule.code] = rule


Suggest = Callable[[Any, Any], Proposal | None]


def register_indicator_rules(
    framework_code: str, rules: Iterable[tuple[int, str, Suggest] | tuple[int, str, Suggest, str]]
) -> None:
    """Register ``(indicator number, rule code, suggest)`` rules of one framework, each with the
    label the assessor sees as an optional fourth item: the one way modules register their rules."""
    for number, code, suggest, *label in rules:
        register_suggestion_rule(
            SuggestionRule(
                code=code,
                framework_code=framework_code,
                indicator_number=number,
                suggest=suggest,
                label=label[0] if label else "",
            )
        )


def registered_rules() -> list[SuggestionRule]:
    return sorted(_RULES.values(), key=lambda r: (r.framework_code, r.indicator_number, r.code))


def run_rules(evaluation: Any) -> list[RuleOutput]:
    from etam.evaluation.models import Indicator

    framework = evaluation.framework
    rules = [r for r in registered_rules() if r.framework_code == framework.code]
    if not rules:
        return []
    indicators = {
        i.number: i
        for i in Indicator.objects.filter(
            framework=framework, number__in=[r.indicator_number for r in rules]
        ).select_related("scale")
    }
    outputs = []
    for rule in rules:
        indicator = indicators.get(rule.indicator_number)
        if indicator is None:
            continue
        try:
            proposal = rule.suggest(evaluation, indicator)
        except Exception:  # a broken rule must not block the evaluation
            logger.exception("suggestion rule %s failed", rule.code)
            continue
        if proposal is None:
            continue
        if not indicator.scale.min_level <= proposal.level <= indicator.scale.max_level:
            logger.warning("suggestion rule %s proposed out-of-scale level %s", rule.code, proposal.level)
            continue
        outputs.append(RuleOutput(rule.code, indicator, proposal.level, proposal.rationale, tuple(proposal.links)))
    return outputs
