"""Seams to Satu Data (system datasets) and SPBE evaluation (evidence suggestions).

Registered from ``InventoryConfig.ready`` only when the other module is installed and
its registry imports. Satu Data gets aggregates, never the per-application register
(docs/adr/0031-no-public-application-register.md). Evaluation suggestions are
conservative: they never propose above level 3, because levels 4–5 of 59/2020 need
review and integration evidence an inventory cannot show by itself; an assessor
accepts or rejects each one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

FRAMEWORK_59_2020 = "permenpanrb-59-2020"


# --- Satu Data providers -------------------------------------------------------------------------


def village_connectivity_rows() -> Iterable[Sequence[Any]]:
    from etam.inventory.models import AccessPoint, VillageConnectivity

    active = AccessPoint.objects.filter(village=OuterRef("pk"), status=AccessPoint.Status.ACTIVE)
    qs = (
        VillageConnectivity.objects.annotate(
            points=Count("access_points", filter=Q(access_points__status=AccessPoint.Status.ACTIVE)),
            has_point=Exists(active),
        )
        .order_by("region_code")
        .values_list("region_code", "name", "district_code", "regency_code", "coverage", "points", "in_programme")
    )
    for code, name, district, regency, coverage, points, in_programme in qs:
        yield (code, name, district, regency, coverage or "tidak_diketahui", points, in_programme)


def programme_progress_rows() -> Iterable[Sequence[Any]]:
    from etam.inventory.selectors import programme_progress

    for row in programme_progress():
        if row["target"]:
            yield (row["code"], row["name"], row["target"], row["connected"])


def application_summary_rows() -> Iterable[Sequence[Any]]:
    from etam.inventory.models import Application

    qs = (
        Application.objects.values_list("institution__region_code", "kind", "lifecycle", "hosting")
        .annotate(n=Count("id"))
        .order_by("institution__region_code", "kind", "lifecycle", "hosting")
    )
    yield from qs


def register_with_opendata() -> None:
    try:
        from etam.opendata.registry import SystemColumn, region_column, register_system_dataset
    except ImportError:  # the other side is not there yet
        return
    register_system_dataset(
        key="konektivitas-desa",
        title="Konektivitas desa/kelurahan Kalimantan Timur",
        description=(
            "Cakupan sinyal seluler dan titik akses internet publik aktif per desa/kelurahan, "
            "dari inventaris konektivitas Etam."
        ),
        agency_code="DISKOMINFO",
        topic="infrastruktur",
        update_frequency="monthly",
        spatial_level="desa_kelurahan",
        columns=[
            region_column(definition="Kode Kemendagri desa/kelurahan"),
            SystemColumn("nama", "string", title="Nama desa/kelurahan"),
            region_column("kode_kecamatan", title=""),
            region_column("kode_kabkota", title=""),
            SystemColumn("sinyal", "string", definition="tidak_ada, 2g, 3g, 4g, 5g atau tidak_diketahui"),
            SystemColumn("titik_akses_aktif", "integer", unit="titik"),
            SystemColumn("program_internet_desa", "boolean"),
        ],
        rows=village_connectivity_rows,
    )
    register_system_dataset(
        key="progres-internet-desa",
        title="Progres program Internet Desa per kabupaten",
        description="Desa sasaran dan desa yang sudah memiliki titik akses aktif program Internet Desa Gratis.",
        agency_code="DISKOMINFO",
        topic="infrastruktur",
        update_frequency="monthly",
        columns=[
            region_column(title="", definition="Kode Kemendagri kab/kota"),
            SystemColumn("nama", "string"),
            SystemColumn("target_desa", "integer", unit="desa"),
            SystemColumn("desa_terhubung", "integer", unit="desa"),
        ],
        rows=programme_progress_rows,
    )
    register_system_dataset(
        key="ringkasan-aplikasi-spbe",
        title="Ringkasan aplikasi SPBE per instansi",
        description="Jumlah aplikasi per instansi menurut jenis, status siklus hidup dan hosting.",
        agency_code="DISKOMINFO",
        topic="pemerintahan",
        update_frequency="monthly",
        columns=[
            region_column(title="", definition="Kode Kemendagri instansi"),
            SystemColumn("jenis", "string", definition="umum atau khusus"),
            SystemColumn("status", "string", definition="rencana, pengembangan, produksi, dihentikan"),
            SystemColumn("hosting", "string"),
            SystemColumn("jumlah", "integer", unit="aplikasi"),
        ],
        rows=application_summary_rows,
    )


# --- Evaluation suggestion rules --------------------------------------------------------------------


def _apps(institution_id: int) -> Any:
    from etam.inventory.models import Application, Lifecycle

    return Application.objects.filter(institution_id=institution_id, lifecycle=Lifecycle.PRODUCTION)


def _stepped(reached_two: bool, reached_three: bool) -> int:
    """Level 1 by default, 2 when the first bar is met, 3 when the second is met on top of it."""
    if not reached_two:
        return 1
    return 3 if reached_three else 2


def suggest_application_development(evaluation: Any, indicator: Any) -> Any:
    """Indicator 15 (Pembangunan Aplikasi SPBE)."""
    from etam.evaluation.registry import Proposal

    apps = _apps(evaluation.institution_id)
    total = apps.count()
    if not total:
        return None
    coded = apps.exclude(business_process_code="").count()
    integrated = apps.filter(Q(sso=True) | Q(uses_splp=True)).count()
    return Proposal.to_page(
        _stepped(coded / total >= 0.8, integrated / total >= 0.5),
        f"Inventaris: {total} aplikasi produksi; {coded} dipetakan ke kode proses bisnis arsitektur SPBE; "
        f"{integrated} memakai SSO atau SPLP.",
        "Inventaris aplikasi",
        "inventory:application_list",
    )


def suggest_data_centre(evaluation: Any, indicator: Any) -> Any:
    """Indicator 16 (Layanan Pusat Data)."""
    from etam.evaluation.registry import Proposal
    from etam.inventory.models import DataCentre

    centres = DataCentre.objects.filter(institution_id=evaluation.institution_id)
    operational = centres.filter(status=DataCentre.Status.OPERATIONAL)
    if not centres.exists():
        return None
    apps = _apps(evaluation.institution_id)
    total = apps.count()
    standard_hosted = apps.filter(Q(hosting="pdn") | ~Q(data_centre__tier="") & Q(data_centre__isnull=False)).count()
    has_operational = operational.exists()
    return Proposal.to_page(
        _stepped(
            has_operational,
            has_operational
            and operational.exclude(tier="").exists()
            and bool(total)
            and standard_hosted / total >= 0.5,
        ),
        f"Inventaris: {centres.count()} pusat data/ruang server ({operational.count()} operasional); "
        f"{standard_hosted} dari {total} aplikasi produksi di PDN atau pusat data bersertifikat tier.",
        "Infrastruktur",
        "inventory:datacentre_list",
    )


def suggest_intra_network(evaluation: Any, indicator: Any) -> Any:
    """Indicator 17 (Layanan Jaringan Intra)."""
    from etam.evaluation.registry import Proposal
    from etam.inventory.models import NetworkLink

    links = NetworkLink.objects.filter(institution_id=evaluation.institution_id, status=NetworkLink.Status.ACTIVE)
    count = links.count()
    if not count:
        return None
    level = 3 if links.filter(connects_to_jip=True).exists() else (2 if count >= 2 else 1)
    return Proposal.to_page(
        level,
        f"Inventaris: {count} tautan jaringan intra aktif; "
        f"{links.filter(connects_to_jip=True).count()} terhubung ke JIP.",
        "Infrastruktur",
        "inventory:datacentre_list",
    )


def suggest_service_bus(evaluation: Any, indicator: Any) -> Any:
    """Indicator 18 (Penggunaan Sistem Penghubung Layanan)."""
    from etam.evaluation.registry import Proposal

    apps = _apps(evaluation.institution_id)
    total = apps.count()
    splp = apps.filter(uses_splp=True).count()
    if not splp:
        return None
    level = 3 if total and splp / total >= 0.25 else 2
    return Proposal.to_page(
        level,
        f"Inventaris: {splp} dari {total} aplikasi produksi terhubung ke SPLP.",
        "Inventaris aplikasi",
        "inventory:application_list",
    )


def register_with_evaluation() -> None:
    try:
        from etam.evaluation.registry import register_indicator_rules
    except ImportError:
        return
    register_indicator_rules(
        FRAMEWORK_59_2020,
        [
            (15, "inventory.applications", suggest_application_development),
            (16, "inventory.data_centre", suggest_data_centre),
            (17, "inventory.intra_network", suggest_intra_network),
            (18, "inventory.service_bus", suggest_service_bus),
        ],
    )


def register_with_governance() -> None:
    """The new-application gate's duplicate check and planned entries (etam/inventory/governance_seam.py)."""
    from etam.inventory import governance_seam

    governance_seam.register_with_governance()
