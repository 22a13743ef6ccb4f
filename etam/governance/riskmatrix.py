"""The PermenPANRB 5/2020 risk matrix as reference data: reading the shipped CSV files and the
pure lookups (docs/adr/0141-risk-matrix-reference-data.md).

The stored copy (``RiskScale`` with its cells and bands) is what services use; these readers
validate the files completely before anything is loaded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
MATRIX_FILE = DATA / "risiko_matriks_permenpanrb_5_2020.csv"
LEVEL_FILE = DATA / "risiko_level_permenpanrb_5_2020.csv"
SCALE_CODE = "permenpanrb-5-2020"
SCALE_RANGE = range(1, 6)


@dataclass(frozen=True)
class Band:
    level: int
    name: str
    low: int
    high: int


def read_matrix(path: Path = MATRIX_FILE) -> dict[tuple[int, int], int]:
    """(likelihood, impact) → magnitude; every one of the 25 cells, each magnitude 1–25 once."""
    cells: dict[tuple[int, int], int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            likelihood = int(row["kemungkinan"])
            for impact in SCALE_RANGE:
                cells[(likelihood, impact)] = int(row[f"dampak_{impact}"])
    if set(cells) != {(x, y) for x in SCALE_RANGE for y in SCALE_RANGE}:
        raise ValueError(f"{path.name}: the matrix must have 5 likelihood rows and 5 impact columns")
    if sorted(cells.values()) != list(range(1, 26)):
        raise ValueError(f"{path.name}: the magnitudes must be 1 to 25, each once")
    return cells


def read_bands(path: Path = LEVEL_FILE) -> list[Band]:
    with path.open(encoding="utf-8", newline="") as handle:
        bands = [
            Band(int(r["level"]), r["nama"].strip(), int(r["besaran_min"]), int(r["besaran_max"]))
            for r in csv.DictReader(handle)
        ]
    covered = sorted(m for b in bands for m in range(b.low, b.high + 1))
    if covered != list(range(1, 26)):
        raise ValueError(f"{path.name}: the bands must cover 1 to 25 without gaps or overlaps")
    return sorted(bands, key=lambda b: b.level)


def band_for(magnitude: int, bands: list[Band]) -> Band:
    for band in bands:
        if band.low <= magnitude <= band.high:
            return band
    raise ValueError(f"no band for magnitude {magnitude}")


SOURCE = "PermenPANRB 5/2020 as modelled by elisaimania/manajemen-risiko-spbe (manrisk.sql @ e0f6678e); data/SOURCES.md"


def store(scale_model: Any, cell_model: Any, band_model: Any) -> Any:
    """Version 1 of the scale from the shipped files, unless the code is stored already; returns the
    current scale. Takes the model classes so the migration can pass its historical models."""
    existing = scale_model.objects.filter(code=SCALE_CODE, is_current=True).first()
    if existing is not None:
        return existing
    cells, bands = read_matrix(), read_bands()
    version = (
        scale_model.objects.filter(code=SCALE_CODE).order_by("-version").values_list("version", flat=True).first() or 0
    ) + 1
    scale = scale_model.objects.create(code=SCALE_CODE, version=version, source=SOURCE, is_current=True)
    cell_model.objects.bulk_create(
        cell_model(scale=scale, likelihood=lk, impact=im, magnitude=m) for (lk, im), m in sorted(cells.items())
    )
    band_model.objects.bulk_create(
        band_model(scale=scale, level=b.level, name=b.name, low=b.low, high=b.high) for b in bands
    )
    return scale
