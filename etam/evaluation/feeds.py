"""Seam to Satu Data: the SPBE index by instansi and year as a system dataset.

Registered from ``EvaluationConfig.ready`` only when ``etam.opendata`` is installed. Only
final evaluations are published (the same ones the public roll-up ``/evaluasi-spbe/``
shows); drafts, self-assessments and assessor notes never leave the module. The index is
computed from the final assessed levels exactly as the roll-up computes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

SPBE_INDEX_KEY = "indeks-spbe-per-instansi"


def spbe_index_rows() -> Iterable[Sequence[Any]]:
    """One row per final evaluation: region code, instansi, year, framework, index, predicate."""
    from etam.evaluation.selectors import public_final_evaluations, results_for

    evaluations = list(public_final_evaluations().order_by("institution__region_code", "period", "framework__code"))
    results = results_for(evaluations)
    for evaluation in evaluations:
        result = results[evaluation.pk]
        index = result.index
        yield (
            evaluation.institution.region_code,
            evaluation.institution.name,
            evaluation.period,
            evaluation.framework.code,
            "" if index is None else f"{index:.2f}",
            result.predicate or "",
            "" if evaluation.published_index is None else f"{evaluation.published_index:.2f}",
            "ya" if evaluation.is_demo else "tidak",
        )


def register_with_opendata() -> None:
    try:
        from etam.opendata.registry import INSTITUTION_COLUMNS, SystemColumn, register_system_dataset
    except ImportError:  # the other side is not there
        return
    register_system_dataset(
        key=SPBE_INDEX_KEY,
        title="Indeks SPBE per instansi per tahun",
        description=(
            "Indeks dan predikat Sistem Pemerintahan Berbasis Elektronik (SPBE) hasil evaluasi final "
            "Pemerintah Provinsi Kalimantan Timur dan kabupaten/kotanya, dihitung oleh Etam dari tingkat "
            "kematangan yang ditetapkan asesor. Diperbarui otomatis dari modul evaluasi SPBE."
        ),
        agency_code="DISKOMINFO",
        topic="pemerintahan",
        update_frequency="annual",
        spatial_level="kabupaten_kota",
        tags=("spbe", "indeks-spbe", "evaluasi"),
        columns=[
            *INSTITUTION_COLUMNS,
            SystemColumn("tahun", "year", title="Tahun evaluasi", definition="Tahun (periode) evaluasi SPBE."),
            SystemColumn(
                "kerangka",
                "string",
                title="Kerangka evaluasi",
                definition="Kode kerangka evaluasi, misalnya permenpanrb-59-2020 (PermenPANRB 59/2020).",
            ),
            SystemColumn(
                "indeks",
                "number",
                title="Indeks SPBE",
                unit="indeks (0-5)",
                definition="Indeks SPBE dari tingkat kematangan final hasil penilaian asesor, dua desimal.",
            ),
            SystemColumn(
                "predikat",
                "string",
                title="Predikat",
                definition="Predikat indeks SPBE: Kurang, Cukup, Baik, Sangat Baik atau Memuaskan.",
            ),
            SystemColumn(
                "indeks_resmi",
                "number",
                title="Indeks resmi",
                unit="indeks (0-5)",
                definition="Indeks yang diumumkan resmi oleh KemenPANRB, bila sudah diketahui.",
            ),
            SystemColumn(
                "data_demo",
                "boolean",
                title="Data demo",
                definition="ya bila baris berasal dari data demo, bukan evaluasi sungguhan.",
            ),
        ],
        rows=spbe_index_rows,
    )
