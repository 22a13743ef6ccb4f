"""Loading the Kaltim reference data (etam/core/data/) into the reference tables.

Four datasets, each loaded from one file and recorded as one ``ReferenceLoad`` row:

- ``kode_wilayah``: the Kemendagri code tree for province 64 into ``Region``. Region rows
  are versioned: a code whose name, level, kind or parent changed, or that disappeared from
  the file, has its current row retired (``retired_by``) and, when it is still in the file,
  a new current row opened. Unchanged rows are not touched.
- ``batas_kabkota`` / ``batas_kecamatan``: simplified GeoJSON polygons into ``RegionBoundary``.
- ``statistik_kabkota``: population and area into ``RegionStatistic``.
- ``bps_kemendagri``: the BPS ↔ Kemendagri bridge into ``BpsCrosswalk``.

Every file is validated completely before anything is written; a broken file raises
``ReferenceDataError`` naming the file, the row (line number) and the column, and the
database is left as it was. A run that would change nothing writes nothing (not even a
``ReferenceLoad`` row) and reports ``unchanged``. Messages are Bahasa Indonesia first,
English second, like the configuration errors in ``config/env.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from etam.core.models import BpsCrosswalk, ReferenceLoad, Region, RegionBoundary, RegionLevel, RegionStatistic
from etam.core.reference_files import (  # re-exported: tests and commands import them from here
    BOUNDARY_EDITION,
    CODE_RE,
    CROSSWALK_EDITION,
    CROSSWALK_FILE,
    EXPECTED_REGION_COUNTS,
    KABKOTA_BOUNDARY_FILE,
    KECAMATAN_BOUNDARY_FILE,
    KINDS_BY_LEVEL,
    LEVEL_BY_DEPTH,
    REGION_EDITION,
    REGION_FILE,
    SIX_PLACES,
    STATISTIC_EDITION,
    STATISTIC_FILE,
    THREE_PLACES,
    LoadResult,
    ReferenceDataError,
    Write,
    _check_code,
    _decimal,
    _fail,
    _int,
    _read_csv,
    _sha256,
    data_dir,
)

__all__ = [
    "BOUNDARY_EDITION",
    "CODE_RE",
    "CROSSWALK_EDITION",
    "CROSSWALK_FILE",
    "EXPECTED_REGION_COUNTS",
    "KABKOTA_BOUNDARY_FILE",
    "KECAMATAN_BOUNDARY_FILE",
    "KINDS_BY_LEVEL",
    "LEVEL_BY_DEPTH",
    "REGION_EDITION",
    "REGION_FILE",
    "SIX_PLACES",
    "STATISTIC_EDITION",
    "STATISTIC_FILE",
    "THREE_PLACES",
    "LoadResult",
    "ReferenceDataError",
    "Write",
    "data_dir",
    "load_all",
    "load_boundaries",
    "load_crosswalk",
    "load_regions",
    "load_statistics",
    "parse_regions",
]


# --------------------------------------------------------------------------- regions


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    kind: str
    parent_code: str

    def as_tuple(self) -> tuple[str, str, str, str]:
        return (self.name, self.level, self.kind, self.parent_code)


def parse_regions(path: Path, *, expected_counts: Mapping[str, int] | None = None) -> list[RegionRow]:
    rows = _read_csv(path, ["kode", "kode_tanpa_titik", "nama", "tingkat", "jenis", "kode_induk"])
    parsed: dict[str, tuple[int, RegionRow]] = {}
    for line, raw in rows:
        code = _check_code(path, line, "kode", raw["kode"])
        if code in parsed:
            raise _fail(
                path,
                line,
                "kode",
                f"kode {code} sudah ada di baris {parsed[code][0]}",
                f"code {code} already appears on line {parsed[code][0]}",
            )
        if raw["kode_tanpa_titik"] != code.replace(".", ""):
            raise _fail(
                path,
                line,
                "kode_tanpa_titik",
                f"harus {code.replace('.', '')} (kode tanpa titik)",
                f"must be {code.replace('.', '')} (the code without dots)",
            )
        if not raw["nama"]:
            raise _fail(path, line, "nama", "wajib diisi", "is required")
        if len(raw["nama"]) > Region._meta.get_field("name").max_length:  # type: ignore[operator]
            raise _fail(path, line, "nama", "terlalu panjang (maks. 120 karakter)", "too long (max. 120 characters)")
        depth = code.count(".") + 1
        level = LEVEL_BY_DEPTH[depth]
        if raw["tingkat"] != level:
            raise _fail(
                path,
                line,
                "tingkat",
                f"kode {code} bertingkat {level}, bukan {raw['tingkat']!r}",
                f"code {code} is of level {level}, not {raw['tingkat']!r}",
            )
        if raw["jenis"] not in KINDS_BY_LEVEL[level]:
            expected = ", ".join(sorted(KINDS_BY_LEVEL[level]))
            raise _fail(
                path,
                line,
                "jenis",
                f"{raw['jenis']!r} tidak sah untuk tingkat {level}; yang diharapkan: {expected}",
                f"{raw['jenis']!r} is invalid for level {level}; expected one of: {expected}",
            )
        expected_parent = code.rsplit(".", 1)[0] if depth > 1 else ""
        if raw["kode_induk"] != expected_parent:
            raise _fail(
                path,
                line,
                "kode_induk",
                f"induk dari {code} harus {expected_parent or '(kosong)'}, bukan {raw['kode_induk']!r}",
                f"the parent of {code} must be {expected_parent or '(empty)'}, not {raw['kode_induk']!r}",
            )
        parsed[code] = (line, RegionRow(code, raw["nama"], level, raw["jenis"], expected_parent))

    if not parsed:
        raise _fail(path, None, None, "berkas tidak berisi baris data", "the file holds no data rows")
    provinces = [row for _, row in parsed.values() if row.level == RegionLevel.PROVINCE]
    if len(provinces) != 1:
        raise _fail(
            path,
            None,
            "tingkat",
            f"harus tepat satu provinsi, ditemukan {len(provinces)}",
            f"exactly one province expected, found {len(provinces)}",
        )
    for line, row in parsed.values():
        if row.parent_code and row.parent_code not in parsed:
            raise _fail(
                path,
                line,
                "kode_induk",
                f"kode induk {row.parent_code} tidak ada di berkas",
                f"parent code {row.parent_code} is not in the file",
            )
    if expected_counts is not None:
        counts = Counter(row.level for _, row in parsed.values())
        for counted_level, expected_count in expected_counts.items():
            if counts[counted_level] != expected_count:
                raise _fail(
                    path,
                    None,
                    "tingkat",
                    f"jumlah {counted_level} {counts[counted_level]}, yang diharapkan {expected_count}",
                    f"{counts[counted_level]} rows of level {counted_level}, expected {expected_count}",
                )
    return [row for _, row in parsed.values()]


def load_regions(
    path: Path | None = None,
    *,
    edition: str = REGION_EDITION,
    expected_counts: Mapping[str, int] | None = EXPECTED_REGION_COUNTS,
) -> LoadResult:
    path = path or data_dir() / REGION_FILE
    rows = parse_regions(path, expected_counts=expected_counts)
    province = next(row.code for row in rows if row.level == RegionLevel.PROVINCE)
    result = LoadResult(dataset="kode_wilayah", source_file=path.name)

    with transaction.atomic():
        current = {
            region.code: region
            for region in Region.objects.current()
            .filter(code__startswith=province)
            .only("id", "code", "name", "level", "kind", "parent_code")
        }
        in_file = {row.code for row in rows}
        to_create: list[RegionRow] = []
        to_retire: list[int] = []
        for row in rows:
            existing = current.get(row.code)
            if existing is None:
                to_create.append(row)
                result.created += 1
            elif (existing.name, existing.level, existing.kind, existing.parent_code) != row.as_tuple():
                to_retire.append(existing.pk)
                to_create.append(row)
                result.updated += 1
            else:
                result.unchanged += 1
        gone = [region.pk for code, region in current.items() if code not in in_file]
        result.retired = len(gone)
        to_retire.extend(gone)
        if not result.changed:
            return result

        load = _new_load(result, edition, path)
        # Retire first: only one current row per code may exist at a time.
        for chunk in _chunks(to_retire, 500):
            Region.objects.filter(pk__in=chunk).update(retired_by=load)
        Region.objects.bulk_create(
            [
                Region(
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    kind=row.kind,
                    parent_code=row.parent_code,
                    introduced_by=load,
                )
                for row in to_create
            ],
            batch_size=500,
        )
    return result


# --------------------------------------------------------------------------- boundaries


def _check_geometry(path: Path, feature_no: int, geometry: Any) -> None:
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise _fail(
            path,
            feature_no,
            "geometry",
            "harus Polygon atau MultiPolygon GeoJSON",
            "must be a GeoJSON Polygon or MultiPolygon",
        )
    polygons = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    if not isinstance(polygons, list) or not polygons:
        raise _fail(path, feature_no, "geometry.coordinates", "kosong", "is empty")
    for polygon in polygons:
        for ring in polygon or [None]:
            ok = isinstance(ring, list) and len(ring) >= 4 and ring[0] == ring[-1]
            ok = ok and all(
                isinstance(p, list) and len(p) == 2 and -180 <= p[0] <= 180 and -90 <= p[1] <= 90 for p in ring
            )
            if not ok:
                raise _fail(
                    path,
                    feature_no,
                    "geometry.coordinates",
                    "cincin poligon tidak sah (minimal 4 titik [bujur, lintang], tertutup)",
                    "invalid polygon ring (at least 4 closed [lng, lat] points)",
                )


def load_boundaries(path: Path, *, level: str, dataset: str, edition: str = BOUNDARY_EDITION) -> LoadResult:
    """Boundaries are drawing aids, not versioned: changed rows are updated, missing ones deleted."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise _fail(path, None, None, "berkas tidak ditemukan", "file not found") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, None, None, f"JSON tidak sah ({exc})", f"invalid JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise _fail(path, None, "type", "harus FeatureCollection GeoJSON", "must be a GeoJSON FeatureCollection")
    known = set(Region.objects.current().filter(level=level).values_list("code", flat=True))
    wanted: dict[str, dict[str, Any]] = {}
    # "Row" of a GeoJSON file: the feature number, counted from 1.
    for number, feature in enumerate(document.get("features") or [], start=1):
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        code = str(props.get("kode") or "")
        _check_code(path, number, "properties.kode", code)
        if code not in known:
            raise _fail(
                path,
                number,
                "properties.kode",
                f"kode {code} bukan wilayah {level} yang berlaku di tabel referensi",
                f"code {code} is not a current {level} region in the reference table",
            )
        if code in wanted:
            raise _fail(path, number, "properties.kode", f"kode {code} ganda", f"duplicate code {code}")
        _check_geometry(path, number, feature.get("geometry"))
        wanted[code] = {
            "geometry": feature["geometry"],
            "centroid_lat": _decimal(path, number, "properties.centroid_lat", props.get("centroid_lat"), SIX_PLACES),
            "centroid_lng": _decimal(path, number, "properties.centroid_lng", props.get("centroid_lng"), SIX_PLACES),
        }
    if not wanted:
        raise _fail(path, None, "features", "tidak ada fitur", "no features")

    fields = ["geometry", "centroid_lat", "centroid_lng"]
    return _upsert_by_code(
        RegionBoundary, dataset, path, edition, wanted, fields, key="code", scope={"level": level}, batch_size=100
    )


# --------------------------------------------------------------------------- statistics


def load_statistics(path: Path | None = None, *, edition: str = STATISTIC_EDITION) -> LoadResult:
    path = path or data_dir() / STATISTIC_FILE
    rows = _read_csv(path, ["kode", "luas_km2", "penduduk_laki_laki", "penduduk_perempuan", "penduduk_total"])
    known = set(Region.objects.current().values_list("code", flat=True))
    wanted: dict[str, dict[str, Any]] = {}
    for line, raw in rows:
        code = _check_code(path, line, "kode", raw["kode"])
        if code not in known:
            raise _fail(
                path,
                line,
                "kode",
                f"kode {code} tidak ada di tabel referensi",
                f"code {code} is not in the reference table",
            )
        if code in wanted:
            raise _fail(path, line, "kode", f"kode {code} ganda", f"duplicate code {code}")
        area = _decimal(path, line, "luas_km2", raw["luas_km2"], THREE_PLACES)
        if area is None or area <= 0:
            raise _fail(path, line, "luas_km2", "harus angka > 0", "must be a number > 0")
        male = _int(path, line, "penduduk_laki_laki", raw["penduduk_laki_laki"])
        female = _int(path, line, "penduduk_perempuan", raw["penduduk_perempuan"])
        total = _int(path, line, "penduduk_total", raw["penduduk_total"])
        if male + female != total:
            raise _fail(
                path,
                line,
                "penduduk_total",
                f"{total} ≠ laki-laki + perempuan ({male + female})",
                f"{total} ≠ male + female ({male + female})",
            )
        wanted[code] = {
            "area_km2": area,
            "population_male": male,
            "population_female": female,
            "population_total": total,
        }
    fields = ["area_km2", "population_male", "population_female", "population_total"]
    return _upsert_by_code(RegionStatistic, "statistik_kabkota", path, edition, wanted, fields, key="code")


# --------------------------------------------------------------------------- crosswalk


def load_crosswalk(path: Path | None = None, *, edition: str = CROSSWALK_EDITION) -> LoadResult:
    path = path or data_dir() / CROSSWALK_FILE
    rows = _read_csv(path, ["tingkat", "kode_bps", "nama_bps", "kode_kemendagri", "nama_kemendagri_2020"])
    levels = {RegionLevel.REGENCY_CITY.value: 4, RegionLevel.DISTRICT.value: 7}
    wanted: dict[str, dict[str, Any]] = {}
    for line, raw in rows:
        level = raw["tingkat"]
        if level not in levels:
            raise _fail(
                path,
                line,
                "tingkat",
                f"{level!r} tidak sah; yang diharapkan kabupaten_kota atau kecamatan",
                f"{level!r} is invalid; expected kabupaten_kota or kecamatan",
            )
        bps = raw["kode_bps"]
        if not (bps.isdigit() and len(bps) == levels[level]):
            raise _fail(
                path,
                line,
                "kode_bps",
                f"{bps!r} harus {levels[level]} angka untuk tingkat {level}",
                f"{bps!r} must be {levels[level]} digits for level {level}",
            )
        if bps in wanted:
            raise _fail(path, line, "kode_bps", f"kode BPS {bps} ganda", f"duplicate BPS code {bps}")
        kemendagri = _check_code(path, line, "kode_kemendagri", raw["kode_kemendagri"])
        if LEVEL_BY_DEPTH[kemendagri.count(".") + 1] != level:
            raise _fail(
                path,
                line,
                "kode_kemendagri",
                f"kode {kemendagri} bukan tingkat {level}",
                f"code {kemendagri} is not of level {level}",
            )
        if not raw["nama_bps"]:
            raise _fail(path, line, "nama_bps", "wajib diisi", "is required")
        wanted[bps] = {
            "level": level,
            "bps_name": raw["nama_bps"],
            "kemendagri_code": kemendagri,
            "kemendagri_name_2020": raw["nama_kemendagri_2020"],
        }
    fields = ["level", "bps_name", "kemendagri_code", "kemendagri_name_2020"]
    return _upsert_by_code(BpsCrosswalk, "bps_kemendagri", path, edition, wanted, fields, key="bps_code")


# --------------------------------------------------------------------------- shared


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _new_load(result: LoadResult, edition: str, path: Path) -> ReferenceLoad:
    load = ReferenceLoad.objects.create(
        dataset=result.dataset,
        edition=edition,
        source_file=path.name,
        source_sha256=_sha256(path),
        created_count=result.created,
        updated_count=result.updated,
        retired_count=result.retired,
        unchanged_count=result.unchanged,
    )
    result.load = load
    return load


def _upsert_by_code(
    model: Any,
    dataset: str,
    path: Path,
    edition: str,
    wanted: dict[str, dict[str, Any]],
    fields: list[str],
    *,
    key: str,
    scope: dict[str, Any] | None = None,
    batch_size: int = 500,
) -> LoadResult:
    """Create, update and delete ``model`` rows (within ``scope``, e.g. one boundary level)
    so that they match ``wanted`` (code → values); one ``ReferenceLoad`` when anything changed."""
    if not wanted:
        raise _fail(path, None, None, "berkas tidak berisi baris data", "the file holds no data rows")
    scope = scope or {}
    result = LoadResult(dataset=dataset, source_file=path.name)
    with transaction.atomic():
        existing = {getattr(row, key): row for row in model.objects.filter(**scope)}
        create, update = [], []
        for code, values in wanted.items():
            row = existing.get(code)
            if row is None:
                create.append(model(**{key: code}, **scope, **values))
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                update.append(row)
            else:
                result.unchanged += 1
        gone = [row.pk for code, row in existing.items() if code not in wanted]
        result.created, result.updated, result.retired = len(create), len(update), len(gone)
        if not result.changed:
            return result
        load = _new_load(result, edition, path)
        for row in [*create, *update]:
            row.load = load
        model.objects.filter(pk__in=gone).delete()
        model.objects.bulk_create(create, batch_size=batch_size)
        model.objects.bulk_update(update, [*fields, "load"], batch_size=batch_size)
    return result


def load_all(directory: Path | None = None, *, write: Write | None = None) -> list[LoadResult]:
    """Every dataset, regions first (the others are checked against the current regions)."""
    directory = directory or data_dir()
    steps: list[Callable[[], LoadResult]] = [
        lambda: load_regions(directory / REGION_FILE),
        lambda: load_boundaries(
            directory / KABKOTA_BOUNDARY_FILE, level=RegionLevel.REGENCY_CITY, dataset="batas_kabkota"
        ),
        lambda: load_boundaries(
            directory / KECAMATAN_BOUNDARY_FILE, level=RegionLevel.DISTRICT, dataset="batas_kecamatan"
        ),
        lambda: load_statistics(directory / STATISTIC_FILE),
        lambda: load_crosswalk(directory / CROSSWALK_FILE),
    ]
    results = []
    for step in steps:
        result = step()
        results.append(result)
        if write is not None:
            write(result.summary())
    return results
