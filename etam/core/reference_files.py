"""The reference files of ``etam/core/data/``: their names and editions, and reading them
(CSV rows with line numbers, kode wilayah codes, decimals) with errors that name the file,
the row and the column. Loading them into the tables is ``etam.core.reference_loader``."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings

from etam.core.models import ReferenceLoad, RegionLevel

REGION_EDITION = "Kepmendagri 300.2.2-2430/2025"
BOUNDARY_EDITION = "cahyadsn/wilayah_boundaries 3c5a796 (disederhanakan / simplified)"
STATISTIC_EDITION = "Dukcapil Semester II 2024; luas BIG B-16.10/DIGD-BIG/IGD.04.04/12/2024"
CROSSWALK_EDITION = "BPS bridging kode wilayah 2020 (sig.bps.go.id, diambil 22 Mei 2022)"

REGION_FILE = "kaltim_kode_wilayah_kemendagri_2025.csv"
KABKOTA_BOUNDARY_FILE = "kaltim_batas_kabkota.geojson"
KECAMATAN_BOUNDARY_FILE = "kaltim_batas_kecamatan.geojson"
STATISTIC_FILE = "kaltim_kabkota_penduduk_luas.csv"
CROSSWALK_FILE = "kaltim_bridging_kode_bps_kemendagri_2020.csv"

# The counts of the Kepmendagri 300.2.2-2430/2025 edition for province 64.
EXPECTED_REGION_COUNTS: Mapping[str, int] = {
    RegionLevel.PROVINCE: 1,
    RegionLevel.REGENCY_CITY: 10,
    RegionLevel.DISTRICT: 105,
    RegionLevel.VILLAGE: 1038,
}

LEVEL_BY_DEPTH = {
    1: RegionLevel.PROVINCE,
    2: RegionLevel.REGENCY_CITY,
    3: RegionLevel.DISTRICT,
    4: RegionLevel.VILLAGE,
}
KINDS_BY_LEVEL = {
    RegionLevel.PROVINCE: {"Provinsi"},
    RegionLevel.REGENCY_CITY: {"Kabupaten", "Kota"},
    RegionLevel.DISTRICT: {"Kecamatan"},
    RegionLevel.VILLAGE: {"Desa", "Kelurahan", "Desa Adat"},
}
CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
SIX_PLACES = Decimal("0.000001")
THREE_PLACES = Decimal("0.001")

Write = Callable[[str], None]


class ReferenceDataError(Exception):
    """A reference file that cannot be loaded; the message names the file, row and column."""


@dataclass
class LoadResult:
    dataset: str
    source_file: str
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    load: ReferenceLoad | None = None

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)

    def summary(self) -> str:
        if not self.changed:
            return (
                f"{self.dataset}: tidak ada perubahan ({self.unchanged} baris sama) "
                f"/ no changes ({self.unchanged} rows unchanged)"
            )
        return (
            f"{self.dataset}: {self.created} baru, {self.updated} diubah, {self.retired} dipensiunkan, "
            f"{self.unchanged} sama / {self.created} created, {self.updated} updated, "
            f"{self.retired} retired, {self.unchanged} unchanged"
        )


def data_dir() -> Path:
    return Path(settings.SHARED_DATA_DIR)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fail(path: Path, line: int | None, column: str | None, problem_id: str, problem_en: str) -> ReferenceDataError:
    where_id = f"{path.name}"
    where_en = f"{path.name}"
    if line is not None:
        where_id += f", baris {line}"
        where_en += f", line {line}"
    if column:
        where_id += f", kolom {column}"
        where_en += f", column {column}"
    return ReferenceDataError(f"{where_id}: {problem_id}. / {where_en}: {problem_en}.")


def _read_csv(path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV with their line numbers (header is line 1)."""
    if not path.is_file():
        raise _fail(path, None, None, "berkas tidak ditemukan", "file not found")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [name for name in required if name not in header]
            if missing:
                raise _fail(
                    path,
                    1,
                    ", ".join(missing),
                    "kolom wajib tidak ada di baris judul",
                    "required column missing from the header",
                )
            rows = []
            for row in reader:
                if None in row:
                    raise _fail(
                        path, reader.line_num, None, "jumlah kolom melebihi baris judul", "more fields than the header"
                    )
                rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
            return rows
    except UnicodeDecodeError as exc:
        raise _fail(path, None, None, "bukan teks UTF-8", "not UTF-8 text") from exc
    except csv.Error as exc:
        raise _fail(path, None, None, f"CSV tidak sah ({exc})", f"invalid CSV ({exc})") from exc


def _check_code(path: Path, line: int, column: str, value: str) -> str:
    if not CODE_RE.match(value):
        raise _fail(
            path,
            line,
            column,
            f"kode wilayah {value!r} tidak sah; yang diharapkan mis. 64, 64.72, 64.72.01 atau 64.72.01.1001",
            f"region code {value!r} is invalid; expected e.g. 64, 64.72, 64.72.01 or 64.72.01.1001",
        )
    return value


def _decimal(path: Path, line: int | None, column: str, value: Any, places: Decimal) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(places)
    except (InvalidOperation, ValueError) as exc:
        raise _fail(path, line, column, f"{value!r} bukan angka", f"{value!r} is not a number") from exc


def _int(path: Path, line: int, column: str, value: str) -> int:
    if not value.isdigit():
        raise _fail(path, line, column, f"{value!r} bukan bilangan bulat ≥ 0", f"{value!r} is not a whole number ≥ 0")
    return int(value)
