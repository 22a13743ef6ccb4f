"""Refreshing system datasets, and the ones Satu Data itself contributes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from etam.core import suppression
from etam.core.models import Agency, Institution
from etam.opendata.models import Dataset, SystemDatasetRun
from etam.opendata.registry import (
    INSTITUTION_COLUMNS,
    SystemColumn,
    SystemDataset,
    register_system_dataset,
    system_datasets,
)

logger = logging.getLogger(__name__)

ORGANISATIONS_KEY = "organisasi-perangkat-daerah-per-instansi"


def _organisation_rows() -> Iterable[Sequence[Any]]:
    rows = (
        Institution.objects.annotate(
            active_agencies=Count("agencies", filter=Q(agencies__is_active=True)),
        )
        .order_by("region_code")
        .values_list("region_code", "name", "active_agencies")
    )
    return list(rows)


def register_builtin() -> None:
    register_system_dataset(
        key=ORGANISATIONS_KEY,
        title="Jumlah perangkat daerah per instansi",
        description=(
            "Jumlah perangkat daerah (OPD) aktif yang terdaftar di Etam untuk setiap instansi pemerintah daerah "
            "di Kalimantan Timur. Diperbarui otomatis dari data organisasi Etam."
        ),
        columns=[
            *INSTITUTION_COLUMNS,
            SystemColumn(
                "jumlah_opd",
                "integer",
                title="Jumlah OPD",
                unit="OPD",
                definition="Jumlah perangkat daerah aktif yang terdaftar di Etam.",
            ),
        ],
        rows=_organisation_rows,
        topic="pemerintahan",
        update_frequency="monthly",
        tags=("organisasi", "opd"),
    )


def _dataset_for(spec: SystemDataset) -> Dataset | None:
    dataset = Dataset.objects.filter(is_system=True, system_key=spec.key).select_related("agency").first()
    if dataset is not None:
        return dataset
    agency = Agency.objects.filter(institution__region_code=spec.institution_region_code, code=spec.agency_code).first()
    if agency is None:
        return None
    from etam.opendata import services

    return services.system_dataset_create(spec=spec, agency=agency)


def _column_dicts(columns: Sequence[SystemColumn]) -> list[dict[str, Any]]:
    """The data dictionary; a count of people is published as text, since a small count
    reads "<5" (the definition says so, ADR 0123)."""
    threshold = suppression.small_count_threshold()
    dicts = []
    for c in columns:
        definition = c.definition or c.title or c.name
        if c.suppressed:
            definition = (
                f"{definition} Jumlah 1 sampai {threshold - 1} ditampilkan sebagai "
                f'"{suppression.Suppressed(threshold)}" agar tidak menunjuk orang tertentu.'
            )
        dicts.append(
            {
                "name": c.name,
                "title": c.title,
                "type": "string" if c.suppressed else c.type,
                "unit": c.unit,
                "definition": definition,
                "reference": c.reference,
            }
        )
    return dicts


def published_rows(spec: SystemDataset) -> list[list[Any]]:
    """The rows of ``spec`` as published: small counts of people suppressed (one mechanism,
    ``etam.core.suppression``), with complementary suppression where the row has a total."""
    names = [c.name for c in spec.columns]
    counts = [c.name for c in spec.columns if c.suppressed and not c.is_total]
    totals = [c.name for c in spec.columns if c.suppressed and c.is_total]
    rows = [dict(zip(names, row, strict=True)) for row in spec.rows()]
    if counts or totals:
        rows = suppression.suppress_rows(rows, counts, total_columns=totals)
    return [[str(v) if isinstance(v, suppression.Suppressed) else v for v in (row[n] for n in names)] for row in rows]


def refresh(spec: SystemDataset) -> bool:
    """Publish a new version of ``spec`` if its rows changed. Returns True if published."""
    from etam.opendata import services

    dataset = _dataset_for(spec)
    if dataset is None:
        return False
    run, _created = SystemDatasetRun.objects.get_or_create(key=spec.key)
    body = services.csv_bytes([c.name for c in spec.columns], published_rows(spec))
    digest = hashlib.sha256(body).hexdigest()
    run.last_run_at = timezone.now()
    if digest == run.last_sha256 and dataset.published_version_id:
        run.save(update_fields=["last_run_at"])
        return False
    try:
        services.system_version_publish(
            dataset=dataset, csv_bytes=body, columns=_column_dicts(spec.columns), note="Pembaruan otomatis"
        )
    except Exception as exc:
        run.last_error = str(exc)[:2000]
        run.save(update_fields=["last_run_at", "last_error"])
        raise
    run.last_sha256 = digest
    run.last_error = ""
    run.save()
    return True


def refresh_all() -> dict[str, bool]:
    """Refresh every system dataset; one that fails (its error kept on its run) does not
    stop the others."""
    outcome: dict[str, bool] = {}
    for spec in system_datasets():
        try:
            outcome[spec.key] = refresh(spec)
        except Exception:
            logger.exception("system dataset %s failed to refresh", spec.key)
            outcome[spec.key] = False
    return outcome
