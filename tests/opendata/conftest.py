"""Shared helpers for the Satu Data tests: a private media directory and published datasets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from etam.opendata import services
from etam.opendata.models import Dataset, DatasetVersion


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


POPULATION_CSV = (
    "kode_wilayah;nama;tahun;penduduk;luas_km2\n"
    "64.01;Kabupaten Paser;2024;309.667;10.780,677\n"
    "64.02;Kabupaten Kutai Kartanegara;2024;806.964;26.912,065\n"
    "64.72;Kota Samarinda;2024;865.202;718,000\n"
    "64.71;Kota Balikpapan;2024;740.987;512,000\n"
)


def upload(content: str | bytes, name: str = "data.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    data = content.encode(encoding) if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def make_dataset(province, *, slug: str = "penduduk", access: str = "public", agency=None, **extra: Any) -> Dataset:
    actor = extra.pop("actor", province.producer_diskominfo if agency is None else province.superadmin)
    fields = {
        "slug": slug,
        "title": extra.pop("title", "Penduduk dan luas wilayah per kabupaten/kota"),
        "description": "Jumlah penduduk (Dukcapil 2024) dan luas wilayah per kabupaten/kota.",
        "topic": extra.pop("topic", "kependudukan"),
        "spatial_code": "64",
        "spatial_level": "kabupaten_kota",
        "access": access,
        "contact_name": "Bidang Statistik",
        "contact_email": "statistik@kaltimprov.go.id",
        **extra,
    }
    return services.dataset_create(
        actor=actor,
        agency=agency or province.diskominfo,
        tags=["penduduk", "wilayah"],
        **fields,
    )


def describe_columns(version: DatasetVersion, actor) -> DatasetVersion:
    changes = {c.name: {"definition": f"Definisi {c.name}", "title": c.name.title()} for c in version.columns.all()}
    return services.columns_update(actor=actor, version=version, changes=changes)


def described_upload(actor, dataset: Dataset, content: str | bytes = POPULATION_CSV, **options: Any) -> DatasetVersion:
    """`content` uploaded as the dataset's new version with every column defined (the walidata's
    check refuses a column without a definition); `options` go to version_upload."""
    version = services.version_upload(actor=actor, dataset=dataset, upload=upload(content), **options)
    return describe_columns(version, actor)


def submitted_upload(actor, dataset: Dataset, content: str | bytes = POPULATION_CSV, **options: Any) -> DatasetVersion:
    """described_upload, then submitted to the walidata (status "submitted")."""
    version = described_upload(actor, dataset, content, **options)
    services.version_submit(actor=actor, version=version)
    return version


def publish(province, dataset: Dataset, content: str = POPULATION_CSV, note: str = "Rilis awal") -> DatasetVersion:
    producer = province.producer_diskominfo if dataset.agency_id == province.diskominfo.pk else province.superadmin
    version = described_upload(producer, dataset, content, change_note=note)
    assert version.validation == "valid", version.error_summary
    services.version_submit(actor=producer, version=version)
    return services.version_publish(actor=province.steward_kaltim, version=version)


@pytest.fixture
def published(province) -> Callable[..., Dataset]:
    def make(slug: str = "penduduk", access: str = "public", content: str = POPULATION_CSV, **extra: Any) -> Dataset:
        dataset = make_dataset(province, slug=slug, access=access, **extra)
        publish(province, dataset, content)
        dataset.refresh_from_db()
        return dataset

    return make
