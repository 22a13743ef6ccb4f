"""Satu Data demo content (order 40), from the reference data shipped in etam/core/data.

Four datasets across three OPDs of the provincial instansi, each with full metadata:
- population and area per kab/kota (Bappeda; published, with an MS-Ind indicator);
- schools by kab/kota, form and status (Disdikbud; published, from the 2019 school list);
- desa and kelurahan per kecamatan (Bappeda; submitted, waiting for the walidata);
- schools per kecamatan with NPSN counts (Disdikbud; published but restricted).
Plus the system dataset of OPDs per instansi. Idempotent: an existing slug is left alone.
Goes through the services (same checks, same audit events) as the demo walidata/produsen.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile

from etam.core.models import Agency, Role, RoleGrant, User
from etam.opendata import services, system
from etam.opendata.models import Dataset, IndicatorMetadata


def _data(name: str) -> Path:
    return Path(settings.SHARED_DATA_DIR) / name


def _rows(name: str) -> list[dict[str, str]]:
    with open(_data(name), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _person(role: str) -> User | None:
    grant = RoleGrant.objects.active().filter(role=role).select_related("user").order_by("id").first()
    if grant is None:
        grant = RoleGrant.objects.active().filter(role=Role.SUPER_ADMIN).select_related("user").first()
    return grant.user if grant else None


def _csv(header: list[str], rows: list[list[Any]]) -> ContentFile:
    return ContentFile(services.csv_bytes(header, rows), name="data.csv")


def _publish(
    *,
    slug: str,
    agency: Agency,
    producer: Any,
    steward: Any,
    fields: dict[str, Any],
    tags: list[str],
    header: list[str],
    rows: list[list[Any]],
    columns: dict[str, dict[str, Any]],
    activity: dict[str, Any],
    stop_at: str = "published",
    change_note: str = "Rilis awal",
) -> Dataset:
    dataset = services.dataset_create(actor=producer, agency=agency, tags=tags, slug=slug, **fields)
    services.activity_update(actor=producer, dataset=dataset, **activity)
    version = services.version_upload(
        actor=producer, dataset=dataset, upload=_csv(header, rows), change_note=change_note, inline=True
    )
    version = services.columns_update(actor=producer, version=version, changes=columns, inline=True)
    if stop_at in ("submitted", "published"):
        services.version_submit(actor=producer, version=version)
    if stop_at == "published":
        services.version_publish(actor=steward, version=version, comment="Sesuai standar data")
    return dataset


def load(write: Callable[[str], None]) -> None:
    steward = _person(Role.DATA_STEWARD)
    superadmin = _person(Role.SUPER_ADMIN)
    if steward is None or superadmin is None:
        write("opendata: no walidata or super admin yet; skipped")
        return
    agencies = {a.code: a for a in Agency.objects.filter(institution__region_code="64")}
    bappeda = agencies.get("BAPPEDA") or agencies.get("DISKOMINFO")
    disdik = agencies.get("DISDIKBUD") or agencies.get("DISKOMINFO")
    if bappeda is None or disdik is None:
        write("opendata: provincial OPDs missing; skipped")
        return
    producer = superadmin  # holds every grant; the demo produsen accounts are OPD-scoped elsewhere
    contact = {"contact_name": "Walidata Diskominfo Kaltim", "contact_email": "satudata@kaltimprov.go.id"}
    created = 0

    if not Dataset.objects.filter(slug="penduduk-luas-kabupaten-kota").exists():
        stats = _rows("kaltim_kabkota_penduduk_luas.csv")
        header = [
            "kode_wilayah",
            "nama_wilayah",
            "luas_km2",
            "penduduk_laki_laki",
            "penduduk_perempuan",
            "penduduk_total",
        ]
        body = [
            [r["kode"], r["nama"], r["luas_km2"], r["penduduk_laki_laki"], r["penduduk_perempuan"], r["penduduk_total"]]
            for r in stats
            if r["kode"] != "64"
        ]
        dataset = _publish(
            slug="penduduk-luas-kabupaten-kota",
            agency=bappeda,
            producer=producer,
            steward=steward,
            fields={
                "title": "Jumlah penduduk dan luas wilayah per kabupaten/kota, 2024",
                "description": "Jumlah penduduk menurut jenis kelamin (Dukcapil, semester II 2024) dan luas "
                "wilayah (BIG 2024) untuk 10 kabupaten/kota di Kalimantan Timur.",
                "topic": "kependudukan",
                "update_frequency": "semiannual",
                "spatial_code": "64",
                "spatial_level": "kabupaten_kota",
                "temporal_start": date(2024, 7, 1),
                "temporal_end": date(2024, 12, 31),
                **contact,
            },
            tags=["penduduk", "luas-wilayah", "kabupaten-kota"],
            header=header,
            rows=body,
            columns={
                "kode_wilayah": {"title": "Kode wilayah", "definition": "Kode Kemendagri kabupaten/kota"},
                "nama_wilayah": {"title": "Kabupaten/kota", "definition": "Nama kabupaten/kota"},
                "luas_km2": {"title": "Luas", "unit": "km²", "definition": "Luas wilayah daratan", "minimum": 0},
                "penduduk_laki_laki": {"title": "Laki-laki", "unit": "jiwa", "definition": "Penduduk laki-laki"},
                "penduduk_perempuan": {"title": "Perempuan", "unit": "jiwa", "definition": "Penduduk perempuan"},
                "penduduk_total": {"title": "Jumlah penduduk", "unit": "jiwa", "definition": "Jumlah penduduk"},
            },
            activity={
                "activity_title": "Kompilasi data kependudukan dan luas wilayah",
                "year": 2024,
                "statistic_type": "sektoral",
                "collection_method": "kompilasi",
                "sector": "Kependudukan",
                "responsible_unit": "Bidang Statistik, Bappeda",
                "coverage_area": "Provinsi Kalimantan Timur",
                "presentation_level": "Kabupaten/kota",
                "processing_stages": "Kompilasi dari Dukcapil dan BIG; pemeriksaan kode wilayah.",
            },
        )
        IndicatorMetadata.objects.create(
            dataset=dataset,
            name="Kepadatan penduduk",
            column_name="penduduk_total",
            definition="Banyaknya penduduk per kilometer persegi luas wilayah.",
            method="penduduk_total / luas_km2",
            measure="Rasio",
            unit="jiwa/km²",
            estimation_level="Kabupaten/kota",
        )
        created += 1

    schools = _rows("kaltim_sekolah_2019.csv")
    if not Dataset.objects.filter(slug="sekolah-kabupaten-kota-bentuk-status").exists():
        counts = Counter((r["kode_kabkota_kemendagri"], r["bentuk"], r["status"]) for r in schools)
        _publish(
            slug="sekolah-kabupaten-kota-bentuk-status",
            agency=disdik,
            producer=producer,
            steward=steward,
            fields={
                "title": "Jumlah sekolah menurut kabupaten/kota, bentuk dan status, 2019",
                "description": "Jumlah satuan pendidikan (SD, SMP, SMA, SMK, SLB...) menurut bentuk dan status "
                "(negeri/swasta) per kabupaten/kota, dari daftar sekolah Kemendikbud 2019.",
                "topic": "pendidikan",
                "update_frequency": "annual",
                "spatial_code": "64",
                "spatial_level": "kabupaten_kota",
                **contact,
            },
            tags=["sekolah", "pendidikan"],
            header=["kode_wilayah", "bentuk", "status", "jumlah_sekolah"],
            rows=[[k, b, s, n] for (k, b, s), n in sorted(counts.items())],
            columns={
                "kode_wilayah": {"title": "Kode wilayah", "definition": "Kode Kemendagri kabupaten/kota"},
                "bentuk": {"title": "Bentuk", "definition": "Bentuk satuan pendidikan (SD, SMP, SMA, SMK, ...)"},
                "status": {"title": "Status", "definition": "Negeri atau swasta"},
                "jumlah_sekolah": {"title": "Jumlah sekolah", "unit": "sekolah", "definition": "Banyaknya sekolah"},
            },
            activity={
                "activity_title": "Pendataan satuan pendidikan",
                "year": 2019,
                "statistic_type": "sektoral",
                "collection_method": "kompilasi",
                "sector": "Pendidikan",
            },
        )
        created += 1

    if not Dataset.objects.filter(slug="sekolah-per-kecamatan-terbatas").exists():
        per_kec = Counter(r["kode_kecamatan_kemendagri"] for r in schools if r["kode_kecamatan_kemendagri"])
        _publish(
            slug="sekolah-per-kecamatan-terbatas",
            agency=disdik,
            producer=producer,
            steward=steward,
            fields={
                "title": "Jumlah sekolah per kecamatan (internal)",
                "description": "Rekap internal jumlah sekolah per kecamatan untuk perencanaan; akses terbatas.",
                "topic": "pendidikan",
                "update_frequency": "annual",
                "spatial_code": "64",
                "spatial_level": "kecamatan",
                "access": "restricted",
                **contact,
            },
            tags=["sekolah", "kecamatan"],
            header=["kode_kecamatan", "jumlah_sekolah"],
            rows=[[k, n] for k, n in sorted(per_kec.items())],
            columns={
                "kode_kecamatan": {"title": "Kode kecamatan", "definition": "Kode Kemendagri kecamatan"},
                "jumlah_sekolah": {"title": "Jumlah sekolah", "unit": "sekolah", "definition": "Banyaknya sekolah"},
            },
            activity={"activity_title": "Rekap sekolah per kecamatan", "year": 2019},
        )
        created += 1

    if not Dataset.objects.filter(slug="desa-kelurahan-per-kecamatan").exists():
        regions = _rows("kaltim_kode_wilayah_kemendagri_2025.csv")
        kinds = Counter((r["kode_induk"], r["jenis"]) for r in regions if r["tingkat"] == "desa_kelurahan")
        kecamatan = [r for r in regions if r["tingkat"] == "kecamatan"]
        _publish(
            slug="desa-kelurahan-per-kecamatan",
            agency=bappeda,
            producer=producer,
            steward=steward,
            fields={
                "title": "Jumlah desa dan kelurahan per kecamatan, 2025",
                "description": "Jumlah desa dan kelurahan di setiap kecamatan menurut Kepmendagri 300.2.2-2430/2025.",
                "topic": "pemerintahan",
                "update_frequency": "annual",
                "spatial_code": "64",
                "spatial_level": "kecamatan",
                **contact,
            },
            tags=["desa", "kelurahan", "kecamatan", "wilayah"],
            header=["kode_kecamatan", "nama_kecamatan", "jumlah_desa", "jumlah_kelurahan"],
            rows=[
                [k["kode"], k["nama"], kinds[(k["kode"], "Desa")], kinds[(k["kode"], "Kelurahan")]] for k in kecamatan
            ],
            columns={
                "kode_kecamatan": {"title": "Kode kecamatan", "definition": "Kode Kemendagri kecamatan"},
                "nama_kecamatan": {"title": "Kecamatan", "definition": "Nama kecamatan"},
                "jumlah_desa": {"title": "Desa", "unit": "desa", "definition": "Banyaknya desa"},
                "jumlah_kelurahan": {"title": "Kelurahan", "unit": "kelurahan", "definition": "Banyaknya kelurahan"},
            },
            activity={"activity_title": "Kompilasi kode wilayah administrasi", "year": 2025},
            stop_at="submitted",
        )
        created += 1

    published = system.refresh_all()
    write(f"opendata: {created} demo datasets created; system datasets refreshed: {published}")
