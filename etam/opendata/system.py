"""Refreshing system datasets, and the ones Satu Data itself contributes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

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
    return [
        {
            "name": c.name,
            "title": c.title,
            "type": c.type,
            "unit": c.unit,
            "definition": c.definition or c.title or c.name,
            "reference": c.reference,
        }
        for c in columns
    ]


def refresh(spec: SystemDataset) -> bool:
    """Publish a new version of ``spec`` if its rows changed. Returns True if published."""
    from etam.opendata import services

    dataset = _dataset_for(spec)
    if dataset is None:
        return False
    run, _created = SystemDatasetRun.objects.get_or_create(key=spec.key)
    body = services.csv_bytes([c.name for c in spec.columns], spec.rows())
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
