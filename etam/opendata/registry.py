"""System datasets: tables the platform keeps current from its own records.

Another module registers one from its ``AppConfig.ready`` (inside
``if apps.is_installed("etam.opendata")``)::

    from etam.opendata.registry import SystemColumn, register_system_dataset

    register_system_dataset(
        key="permohonan-layanan-per-bulan",
        title="Permohonan layanan per bulan per kabupaten/kota",
        description="...",
        agency_code="DISKOMINFO",          # the producing OPD of the provincial instansi
        topic="pelayanan-publik",          # etam.opendata.models.Topic value
        update_frequency="monthly",        # etam.opendata.models.Frequency value
        columns=[
            SystemColumn("kode_wilayah", "string", title="Kode wilayah", reference="kode_wilayah",
                         definition="Kode Kemendagri kabupaten/kota"),
            SystemColumn("bulan", "string", definition="Bulan (YYYY-MM)"),
            SystemColumn("jumlah", "integer", unit="permohonan", definition="..."),
        ],
        rows=lambda: [("64.72", "2025-01", 12), ...],   # called by the job; values in column order
    )

The scheduled job ``etam.opendata.tasks.refresh_system_datasets`` calls every ``rows``
function, and publishes a new immutable version when (and only when) the table changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Units of an integer column that count people (or what each person files: an application
# is an applicant): such a column's small counts are suppressed when published
# (etam.core.suppression, ADR 0150; docs/adr/0123-suppressed-counts-in-system-datasets.md).
PEOPLE_UNITS = frozenset(
    {"orang", "jiwa", "penduduk", "pemohon", "permohonan", "responden", "pegawai", "asn", "siswa", "pasien", "peserta"}
)


@dataclass(frozen=True)
class SystemColumn:
    name: str
    type: str = "string"  # Table Schema type: string, integer, number, boolean, date, year
    title: str = ""
    unit: str = ""
    definition: str = ""
    reference: str = ""  # "" | "kode_wilayah" | "npsn"
    # A count of people: None decides by ``unit`` (PEOPLE_UNITS); True/False declares it.
    counts_people: bool | None = None
    # A row total of the row's people counts (complementary suppression: etam.core.suppression).
    is_total: bool = False

    @property
    def suppressed(self) -> bool:
        """Its counts from 1 to the threshold − 1 are published as "<5"."""
        if self.type != "integer":
            return False
        if self.counts_people is not None:
            return self.counts_people
        return self.unit.strip().lower() in PEOPLE_UNITS


@dataclass(frozen=True)
class SystemDataset:
    key: str
    title: str
    description: str
    columns: tuple[SystemColumn, ...]
    rows: Callable[[], Iterable[Sequence[Any]]]
    agency_code: str = "DISKOMINFO"
    institution_region_code: str = "64"
    topic: str = "pemerintahan"
    update_frequency: str = "monthly"
    tags: tuple[str, ...] = field(default_factory=tuple)
    spatial_level: str = "kabupaten_kota"


def region_column(name: str = "kode_wilayah", *, title: str = "Kode wilayah", definition: str = "") -> SystemColumn:
    """A Kemendagri kode wilayah column, checked against the reference on every refresh."""
    return SystemColumn(name, "string", title=title, reference="kode_wilayah", definition=definition)


# The two leading columns of a table per instansi (kode wilayah of the instansi, its name).
INSTITUTION_COLUMNS = (
    region_column(
        title="Kode wilayah instansi",
        definition="Kode wilayah Kemendagri dari wilayah instansi pemerintah daerah.",
    ),
    SystemColumn("instansi", "string", title="Instansi", definition="Nama instansi pemerintah daerah."),
)

SYSTEM_DATASETS: dict[str, SystemDataset] = {}


def register_system_dataset(
    *,
    key: str,
    title: str,
    description: str,
    columns: Sequence[SystemColumn],
    rows: Callable[[], Iterable[Sequence[Any]]],
    agency_code: str = "DISKOMINFO",
    institution_region_code: str = "64",
    topic: str = "pemerintahan",
    update_frequency: str = "monthly",
    tags: Sequence[str] = (),
    spatial_level: str = "kabupaten_kota",
) -> None:
    SYSTEM_DATASETS[key] = SystemDataset(
        key=key,
        title=title,
        description=description,
        columns=tuple(columns),
        rows=rows,
        agency_code=agency_code,
        institution_region_code=institution_region_code,
        topic=topic,
        update_frequency=update_frequency,
        tags=tuple(tags),
        spatial_level=spatial_level,
    )


def system_datasets() -> list[SystemDataset]:
    return [SYSTEM_DATASETS[k] for k in sorted(SYSTEM_DATASETS)]
