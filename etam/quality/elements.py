"""The nine SKM elements with their question and answer words, and the sample-size table
(read once from ``data/``; sources in ``data/SOURCES.md``)."""

from __future__ import annotations

import bisect
import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Element:
    number: int
    name: str
    question: str
    options: tuple[str, str, str, str]  # answer 1 … 4

    @property
    def field(self) -> str:
        return f"u{self.number}"


@cache
def elements() -> tuple[Element, ...]:
    with (DATA / "skm_unsur_permenpanrb_14_2017.csv").open(encoding="utf-8") as handle:
        return tuple(
            Element(
                number=int(row["no"]),
                name=row["unsur"],
                question=row["pertanyaan"],
                options=(row["jawaban_1"], row["jawaban_2"], row["jawaban_3"], row["jawaban_4"]),
            )
            for row in csv.DictReader(handle)
        )


def element(number: int) -> Element:
    return elements()[number - 1]


@cache
def _sample_table() -> tuple[tuple[int, ...], tuple[int, ...]]:
    with (DATA / "skm_sampel_krejcie_morgan.csv").open(encoding="utf-8") as handle:
        rows = [(int(r["populasi"]), int(r["sampel_minimal"])) for r in csv.DictReader(handle)]
    return tuple(p for p, _s in rows), tuple(s for _p, s in rows)


def minimum_sample(population: int) -> int:
    """The minimum number of respondents for a population (users of the service in the period):
    the table's row for the smallest population at least as large (rounding up is the safe side);
    a population below 10 means asking everyone."""
    populations, samples = _sample_table()
    if population <= 0:
        return 0
    if population < populations[0]:
        return population
    index = bisect.bisect_left(populations, population)
    return samples[min(index, len(samples) - 1)]
