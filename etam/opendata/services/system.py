"""System datasets: the platform publishes a new version of its own records (no walidata step)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from etam.core import audit
from etam.core.models import Agency
from etam.opendata.models import (
    ActivityMetadata,
    ColumnSpec,
    Dataset,
    DatasetVersion,
    Tag,
    ValidationState,
)
from etam.opendata.registry import SystemDataset
from etam.opendata.services.versions import _publish, version_validate


def system_version_publish(
    *, dataset: Dataset, csv_bytes: bytes, columns: list[dict[str, Any]], note: str
) -> DatasetVersion:
    """The platform itself publishes a new version of a system dataset (no walidata
    step: the data comes from Etam's own records). Actor is the system."""
    upload = ContentFile(csv_bytes, name=f"{dataset.slug}.csv")
    with transaction.atomic():
        last = dataset.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = DatasetVersion(
            dataset=dataset,
            number=last + 1,
            change_note=note,
            source_name=f"{dataset.slug}.csv",
            source_format="csv",
            encoding="utf-8",
            delimiter=",",
        )
        version.source_file.save(version.source_name, upload, save=False)
        version.save()
        for position, spec in enumerate(columns):
            ColumnSpec.objects.create(version=version, position=position, **spec)
        audit.record(
            actor="sistem", action="opendata.version_upload", target=dataset, after={"version": version.number}
        )
    version = version_validate(actor=None, version=version)
    if version.validation != ValidationState.VALID:
        raise ValidationError(f"system dataset {dataset.slug}: {version.error_summary}")
    with transaction.atomic():
        version = DatasetVersion.objects.select_related("dataset__agency").get(pk=version.pk)
        _publish(version, actor="sistem", comment=note)
    return version


def csv_bytes(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8")


def system_dataset_create(*, spec: SystemDataset, agency: Agency) -> Dataset:
    """The first refresh of a system dataset creates its catalogue entry (actor: the system)."""
    with transaction.atomic():
        dataset = Dataset.objects.create(
            slug=spec.key[:100],
            title=spec.title,
            description=spec.description,
            agency=agency,
            topic=spec.topic,
            update_frequency=spec.update_frequency,
            spatial_code=spec.institution_region_code,
            spatial_level=spec.spatial_level,
            contact_name=agency.name,
            contact_email=agency.email or "data@kaltimprov.go.id",
            is_system=True,
            system_key=spec.key,
        )
        dataset.tags.set([Tag.objects.get_or_create(name=t)[0] for t in spec.tags])
        ActivityMetadata.objects.create(
            dataset=dataset,
            activity_title=spec.title,
            collection_method="kompilasi",
            processing_stages="Dihitung otomatis oleh Etam dari catatan operasionalnya.",
        )
        audit.record(actor="sistem", action="opendata.dataset_create", target=dataset, after={"system_key": spec.key})
    return dataset
