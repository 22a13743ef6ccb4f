"""Survei Kepuasan Masyarakat scoring per PermenPANRB 14/2017 (pure; no Django, no I/O).

- Each element's NRR (nilai rata-rata) is the mean of the answers given to it (1–4);
  an unanswered element (``None``) is left out of that element's mean only.
- The index is the weighted mean of the NRRs times the conversion factor 25, with the
  weight exactly 1/9 (the regulation's "0,11" is that fraction rounded for print). When an
  element has no answer at all, the weights are 1/k over the k elements that have one.
- Everything is computed with exact fractions; only the reported figures are rounded
  (NRR to 3 places, IKM to 2, half up), and the grade is read from the rounded IKM so the
  printed number and the printed grade always agree (no value falls between 88.30 and 88.31).
See docs/adr/0135-skm-scoring.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ELEMENTS = 9
MIN_ANSWER, MAX_ANSWER = 1, 4
CONVERSION = 25
# The regulation's printed weight; kept only to show how much it differs (ADR 0135).
PRINTED_WEIGHT = Fraction(11, 100)


@dataclass(frozen=True)
class Grade:
    mutu: str
    kinerja: str
    ikm_min: Decimal


# Interval IKM of the regulation's table (lampiran, "Nilai Persepsi, Interval, Mutu, Kinerja").
GRADES: tuple[Grade, ...] = (
    Grade("A", "Sangat Baik", Decimal("88.31")),
    Grade("B", "Baik", Decimal("76.61")),
    Grade("C", "Kurang Baik", Decimal("65.00")),
    Grade("D", "Tidak Baik", Decimal("25.00")),
)


@dataclass(frozen=True)
class Problem:
    """One bad input: ``path`` is e.g. ``responses.3.7`` (response 3, element 8, zero-based)."""

    path: str
    code: str  # "not_a_list" | "length" | "range" | "empty" | "no_responses"


class InvalidResponses(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(f"{p.path}: {p.code}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Result:
    respondents: int
    unsur: tuple[Decimal | None, ...]  # NRR per element, 3 places; None when nobody answered it
    ikm: Decimal  # 2 places
    mutu: str
    kinerja: str
    ikm_exact: Fraction
    unanswered: tuple[int, ...]  # per element, how many respondents left it out


def _round(value: Fraction, places: int) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, rounding=ROUND_HALF_UP)


def grade(ikm: Decimal) -> Grade:
    """The grade of a (rounded) IKM on the 25–100 scale."""
    for band in GRADES:
        if ikm >= band.ikm_min:
            return band
    return GRADES[-1]


def validate(responses: object) -> list[list[int | None]]:
    """Check the shape and range of the responses; raise ``InvalidResponses`` naming every bad
    entry. A response is a list of nine answers, each 1–4 or ``None`` (unanswered); a response
    with no answer at all is refused (it is not a respondent)."""
    problems: list[Problem] = []
    if not isinstance(responses, list) or not responses:
        raise InvalidResponses([Problem("responses", "no_responses")])
    clean: list[list[int | None]] = []
    for i, row in enumerate(responses):
        if not isinstance(row, list):
            problems.append(Problem(f"responses.{i}", "not_a_list"))
            continue
        if len(row) != ELEMENTS:
            problems.append(Problem(f"responses.{i}", "length"))
            continue
        values: list[int | None] = []
        for j, answer in enumerate(row):
            if answer is None:
                values.append(None)
            elif isinstance(answer, bool) or not isinstance(answer, int) or not MIN_ANSWER <= answer <= MAX_ANSWER:
                problems.append(Problem(f"responses.{i}.{j}", "range"))
            else:
                values.append(answer)
        if len(values) == ELEMENTS and all(v is None for v in values):
            problems.append(Problem(f"responses.{i}", "empty"))
        clean.append(values)
    if problems:
        raise InvalidResponses(problems)
    return clean


def score_sums(sums: Sequence[int], counts: Sequence[int], respondents: int) -> Result:
    """Score from per-element answer sums and answer counts (what a database aggregate gives)."""
    nrr: list[Fraction | None] = [
        Fraction(total, count) if count else None for total, count in zip(sums, counts, strict=True)
    ]
    answered = [value for value in nrr if value is not None]
    if not answered:
        raise InvalidResponses([Problem("responses", "no_responses")])
    ikm_exact = sum(answered, Fraction(0)) / len(answered) * CONVERSION
    ikm = _round(ikm_exact, 2)
    band = grade(ikm)
    return Result(
        respondents=respondents,
        unsur=tuple(None if v is None else _round(v, 3) for v in nrr),
        ikm=ikm,
        mutu=band.mutu,
        kinerja=band.kinerja,
        ikm_exact=ikm_exact,
        unanswered=tuple(respondents - count for count in counts),
    )


def score(responses: object) -> Result:
    """Validate and score a list of responses (each nine answers 1–4 or ``None``)."""
    rows = validate(responses)
    sums = [0] * ELEMENTS
    counts = [0] * ELEMENTS
    for row in rows:
        for j, answer in enumerate(row):
            if answer is not None:
                sums[j] += answer
                counts[j] += 1
    return score_sums(sums, counts, len(rows))


def ikm_with_printed_weight(result: Result) -> Decimal:
    """The IKM the regulation's printed weight 0,11 would give (Σ NRR × 0,11 × 25), for the
    comparison shown next to the index; never used for the grade."""
    nrr = [Fraction(str(v)) for v in result.unsur if v is not None]
    return _round(sum(nrr, Fraction(0)) * PRINTED_WEIGHT * CONVERSION, 2)


def lowest_elements(unsur: Sequence[Decimal | None], count: int = 3) -> list[int]:
    """Element numbers (1-based) of the ``count`` lowest NRRs, lowest first (ties by number)."""
    ranked = sorted((value, i + 1) for i, value in enumerate(unsur) if value is not None)
    return [number for _value, number in ranked[:count]]
