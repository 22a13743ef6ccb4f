"""Scores, predicates, gains and target simulation: pure functions on plain values.

Index = Σ(level × weight) / Σ weight, over an aspect, a domain or the whole framework,
in exact ``Decimal`` arithmetic, rounded ROUND_HALF_UP to two decimals as the official
results are published. The predicate is read from the rounded index (what is published
is what is judged; see docs/adr/0021-scoring-rounding-and-partial-scores.md).

An incomplete set of levels yields a *partial* score over the indicators that have a
level, flagged ``complete=False`` with its coverage; a missing indicator is never
counted as any level.

No Django, no database: callers pass ``IndicatorSpec`` and ``Band`` values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorSpec:
    number: int
    weight: Decimal
    aspect: int
    domain: int
    min_level: int = 1
    max_level: int = 5
    name: str = ""


@dataclass(frozen=True)
class Band:
    name: str
    min_value: Decimal
    max_value: Decimal
    min_inclusive: bool = True
    max_inclusive: bool = False

    def contains(self, value: Decimal) -> bool:
        above = value >= self.min_value if self.min_inclusive else value > self.min_value
        below = value <= self.max_value if self.max_inclusive else value < self.max_value
        return above and below


@dataclass(frozen=True)
class Score:
    index: Decimal | None  # rounded, two decimals; None when no indicator has a level
    raw: Decimal | None
    weight_counted: Decimal
    weight_total: Decimal
    counted: int
    total: int

    @property
    def complete(self) -> bool:
        return self.counted == self.total

    @property
    def coverage(self) -> Decimal:
        if not self.weight_total:
            return Decimal(0)
        return (self.weight_counted * 100 / self.weight_total).quantize(TWO_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoreSheet:
    overall: Score
    domains: dict[int, Score]
    aspects: dict[int, Score]
    predicate: str | None
    missing: list[int] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.overall.complete


@dataclass(frozen=True)
class LevelProblem:
    key: str
    code: str  # "unknown_indicator" | "out_of_scale" | "not_an_integer"
    min_level: int | None = None
    max_level: int | None = None


class InvalidLevels(ValueError):
    def __init__(self, problems: list[LevelProblem]):
        super().__init__(", ".join(f"{p.key}: {p.code}" for p in problems))
        self.problems = problems


def round_index(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def predicate_for(index: Decimal | None, bands: Iterable[Band]) -> str | None:
    if index is None:
        return None
    for band in bands:
        if band.contains(index):
            return band.name
    return None


def validate_levels(specs: Sequence[IndicatorSpec], levels: Mapping[str, object]) -> dict[int, int]:
    """Check posted levels (keys are indicator numbers as text); return {number: level}.

    Raises ``InvalidLevels`` listing every problem, so a caller can name each one.
    """
    by_number = {str(s.number): s for s in specs}
    problems: list[LevelProblem] = []
    clean: dict[int, int] = {}
    for key, value in levels.items():
        spec = by_number.get(str(key).strip())
        if spec is None:
            problems.append(LevelProblem(str(key), "unknown_indicator"))
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(LevelProblem(str(key), "not_an_integer", spec.min_level, spec.max_level))
            continue
        if not spec.min_level <= value <= spec.max_level:
            problems.append(LevelProblem(str(key), "out_of_scale", spec.min_level, spec.max_level))
            continue
        clean[spec.number] = value
    if problems:
        raise InvalidLevels(problems)
    return clean


def _score(specs: Iterable[IndicatorSpec], levels: Mapping[int, int]) -> Score:
    weight_total = Decimal(0)
    weight_counted = Decimal(0)
    weighted = Decimal(0)
    counted = total = 0
    for spec in specs:
        total += 1
        weight_total += spec.weight
        level = levels.get(spec.number)
        if level is None:
            continue
        counted += 1
        weight_counted += spec.weight
        weighted += Decimal(level) * spec.weight
    if not weight_counted:
        return Score(None, None, weight_counted, weight_total, counted, total)
    raw = weighted / weight_counted
    return Score(round_index(raw), raw, weight_counted, weight_total, counted, total)


def compute(specs: Sequence[IndicatorSpec], levels: Mapping[int, int], bands: Iterable[Band]) -> ScoreSheet:
    """Scores per aspect, per domain and overall, with the predicate of the overall index."""
    known = {s.number for s in specs}
    levels = {n: lvl for n, lvl in levels.items() if n in known}
    aspects: dict[int, list[IndicatorSpec]] = {}
    domains: dict[int, list[IndicatorSpec]] = {}
    for spec in specs:
        aspects.setdefault(spec.aspect, []).append(spec)
        domains.setdefault(spec.domain, []).append(spec)
    overall = _score(specs, levels)
    return ScoreSheet(
        overall=overall,
        domains={key: _score(group, levels) for key, group in sorted(domains.items())},
        aspects={key: _score(group, levels) for key, group in sorted(aspects.items())},
        predicate=predicate_for(overall.index, bands),
        missing=sorted(s.number for s in specs if s.number not in levels),
    )


@dataclass(frozen=True)
class Gain:
    number: int
    level: int | None
    gain_per_level: Decimal  # index points gained per level raised (unrounded)
    headroom: int  # levels left to the top of the scale


def gains(specs: Sequence[IndicatorSpec], levels: Mapping[int, int]) -> list[Gain]:
    """Indicators ranked by index gained per level raised: weight × 1 / Σ weights.

    Ties go to the indicator with more headroom, then the lower number. Indicators at
    the top of their scale are left out; an indicator with no level is ranked by its
    weight with headroom counted from the bottom of the scale.
    """
    total = sum((s.weight for s in specs), Decimal(0))
    result = []
    for spec in specs:
        level = levels.get(spec.number)
        headroom = spec.max_level - (level if level is not None else spec.min_level)
        if headroom <= 0:
            continue
        result.append(Gain(spec.number, level, spec.weight / total, headroom))
    return sorted(result, key=lambda g: (-g.gain_per_level, -g.headroom, g.number))


@dataclass(frozen=True)
class Raise:
    number: int
    from_level: int
    to_level: int
    gain: Decimal  # unrounded index points


@dataclass(frozen=True)
class Simulation:
    target: Decimal
    start: Decimal
    reached: Decimal
    raises: list[Raise]
    achievable: bool

    @property
    def steps(self) -> int:
        return sum(r.to_level - r.from_level for r in self.raises)


def simulate_target(specs: Sequence[IndicatorSpec], levels: Mapping[int, int], target: Decimal) -> Simulation:
    """The fewest one-level raises that lift the (rounded) index to ``target`` or above.

    Each raise of indicator i adds weight_i / Σweights; taking the heaviest available
    raise first is optimal for the number of steps (every step of a heavier indicator
    is worth at least as much as any step of a lighter one). All indicators must have
    a level: a simulation on a partial score would count missing ones as something.
    """
    missing = [s.number for s in specs if s.number not in levels]
    if missing:
        raise ValueError(f"every indicator needs a level to simulate; missing {missing}")
    total = sum((s.weight for s in specs), Decimal(0))
    current = {s.number: levels[s.number] for s in specs}
    weighted = sum((Decimal(current[s.number]) * s.weight for s in specs), Decimal(0))
    start = weighted / total
    steps: list[tuple[int, Decimal]] = []
    order = sorted(specs, key=lambda s: (-s.weight, s.number))
    for spec in order:
        if round_index(weighted / total) >= target:
            break
        while current[spec.number] < spec.max_level and round_index(weighted / total) < target:
            current[spec.number] += 1
            weighted += spec.weight
            steps.append((spec.number, spec.weight / total))
    reached = weighted / total
    raises: dict[int, Raise] = {}
    for number, gain in steps:
        previous = raises.get(number)
        if previous is None:
            raises[number] = Raise(number, levels[number], levels[number] + 1, gain)
        else:
            raises[number] = Raise(number, previous.from_level, previous.to_level + 1, previous.gain + gain)
    return Simulation(
        target=target,
        start=start,
        reached=reached,
        raises=list(raises.values()),
        achievable=round_index(reached) >= target,
    )
