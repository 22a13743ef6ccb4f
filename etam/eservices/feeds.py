"""Seams to Satu Data (a system dataset) and SPBE evaluation (evidence suggestion rules).

Registered from ``EservicesConfig.ready`` only when the other module is installed.

- Satu Data gets aggregates only: applications per service per month per kab/kota with
  SLA compliance. No tracking number, name, NIK or answer leaves the module; the kab/kota
  is the one in the applicant's first address answer (the instansi's region when the form
  has no address field).
- Evaluation (PermenPANRB 59/2020) gets conservative suggestions, never above level 3:
  level 4–5 need integration and review evidence a case register cannot show by itself.
  An assessor accepts or rejects each suggestion.

  * Indicators 45–47 (Layanan Publik Sektor 1–3): the instansi's sectors ranked by the
    services that run end to end online (published form → online processing → an issued,
    signed document); level 3 when such a service completed a case in the period, level 2
    when applications are taken online but nothing was issued yet.
  * Indicator 28 (Manajemen Layanan SPBE): SLA tracking of the services — level 1 when
    services carry an SLA, 2 when closed cases are measured against it, 3 when per-state
    deadlines with escalation are in place and at least 80% of closed cases met the SLA.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q

FRAMEWORK_59_2020 = "permenpanrb-59-2020"
DATASET_KEY = "permohonan-layanan-publik-per-bulan"
SECTOR_INDICATORS = (45, 46, 47)
SERVICE_MANAGEMENT_INDICATOR = 28
SLA_TARGET_PERCENT = 80


# --- Satu Data -----------------------------------------------------------------------------------


def _address_fields(form: dict[str, Any]) -> list[str]:
    from etam.eservices.definitions import iter_fields

    return [f["name"] for _p, f, group in iter_fields(form) if f.get("type") == "address" and group is None]


def _regency(answers: dict[str, Any], names: list[str], fallback: str) -> str:
    for name in names:
        value = answers.get(name)
        if isinstance(value, dict) and isinstance(value.get("kabupaten_kota"), str) and value["kabupaten_kota"]:
            return value["kabupaten_kota"]
    return fallback


def application_month_rows() -> Iterable[Sequence[Any]]:
    """(kode_wilayah, bulan, instansi, opd, layanan, nama, sektor, diajukan, selesai, disetujui,
    tepat_waktu, persen_sla) — one row per service, month of submission and kab/kota."""
    from etam.eservices.models import Application, Service, ServiceVersion

    services = {
        s.pk: s
        for s in Service.objects.select_related("agency", "institution").only(
            "slug", "name", "sector", "agency__code", "institution__region_code"
        )
    }
    address_names: dict[int, list[str]] = {}
    outcomes: dict[int, dict[str, str]] = {}
    for version in ServiceVersion.objects.only("form", "workflow"):
        address_names[version.pk] = _address_fields(version.form)
        outcomes[version.pk] = {k: v.get("outcome", "") for k, v in version.workflow.get("states", {}).items()}
    counts: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    rows = (
        Application.objects.order_by()
        .values_list("service_id", "version_id", "submitted_at", "answers", "closed_at", "met_sla", "state")
        .iterator(chunk_size=2000)
    )
    for service_id, version_id, submitted_at, answers, closed_at, met_sla, state in rows:
        service = services[service_id]
        regency = _regency(answers or {}, address_names[version_id], service.institution.region_code)
        bucket = counts[(regency, submitted_at.strftime("%Y-%m"), service_id)]
        bucket[0] += 1
        if closed_at is not None:
            bucket[1] += 1
            if outcomes[version_id].get(state) == "approved":
                bucket[2] += 1
            if met_sla:
                bucket[3] += 1
    for (regency, month, service_id), (submitted, closed, approved, on_time) in sorted(
        counts.items(), key=lambda item: (item[0][0], item[0][1], services[item[0][2]].slug)
    ):
        service = services[service_id]
        yield (
            regency,
            month,
            service.institution.region_code,
            service.agency.code,
            service.slug,
            service.name,
            service.sector,
            submitted,
            closed,
            approved,
            on_time,
            "" if not closed else f"{100 * on_time / closed:.1f}",
        )


def register_with_opendata() -> None:
    try:
        from etam.opendata.registry import SystemColumn, region_column, register_system_dataset
    except ImportError:  # the other side is not there
        return
    register_system_dataset(  # the registry's defaults: Diskominfo, pemerintahan, monthly, per kabupaten/kota
        key=DATASET_KEY,
        title="Permohonan layanan publik elektronik per bulan per kabupaten/kota",
        description=(
            "Jumlah permohonan layanan publik berbasis elektronik di Etam per layanan, per bulan pengajuan dan "
            "per kabupaten/kota alamat pemohon, dengan jumlah yang selesai, disetujui, dan yang selesai dalam "
            "standar waktu pelayanan (SLA, hari kerja). Hanya angka agregat; tidak memuat data pribadi."
        ),
        tags=("layanan-publik", "spbe", "sla"),
        columns=[
            region_column(
                definition="Kode Kemendagri kabupaten/kota dari alamat pemohon (wilayah instansi bila formulir "
                "tidak menanyakan alamat).",
            ),
            SystemColumn("bulan", "string", title="Bulan pengajuan", definition="Bulan pengajuan (YYYY-MM)."),
            region_column(
                "kode_wilayah_instansi",
                title="Kode wilayah instansi",
                definition="Kode Kemendagri instansi penyelenggara layanan.",
            ),
            SystemColumn("kode_opd", "string", title="Kode OPD", definition="Kode OPD penyelenggara layanan."),
            SystemColumn("layanan", "string", title="Kode layanan", definition="Nama alamat (slug) layanan di Etam."),
            SystemColumn("nama_layanan", "string", title="Nama layanan"),
            SystemColumn("sektor", "string", title="Sektor", definition="Sektor pelayanan publik (Perpres 95/2018)."),
            SystemColumn("diajukan", "integer", title="Diajukan", unit="permohonan"),
            SystemColumn(
                "selesai", "integer", title="Selesai", unit="permohonan", definition="Ditutup (apa pun hasilnya)."
            ),
            SystemColumn("disetujui", "integer", title="Disetujui", unit="permohonan"),
            SystemColumn(
                "selesai_tepat_waktu",
                "integer",
                title="Selesai tepat waktu",
                unit="permohonan",
                definition="Selesai dalam standar waktu pelayanan (hari kerja, tanpa hari libur dan cuti bersama).",
            ),
            SystemColumn(
                "persen_sesuai_sla",
                "number",
                title="Kepatuhan SLA",
                unit="persen",
                definition="selesai_tepat_waktu / selesai x 100; kosong bila belum ada yang selesai.",
            ),
        ],
        rows=application_month_rows,
    )


# --- SPBE evaluation ------------------------------------------------------------------------------


def _period_applications(evaluation: Any) -> Any:
    from etam.eservices.models import Application

    return Application.objects.filter(
        institution_id=evaluation.institution_id, submitted_at__year=int(evaluation.period)
    )


def _end_to_end_services(evaluation: Any) -> list[dict[str, Any]]:
    """Active services of the instansi with a published version whose workflow issues a
    document, with the period's application and issued-document counts."""
    from etam.eservices.models import IssuedDocument, Service

    services = list(
        Service.objects.filter(
            institution_id=evaluation.institution_id,
            status=Service.Status.ACTIVE,
            published_version__isnull=False,
        )
        .select_related("published_version")
        .annotate(
            submitted=Count(
                "applications", filter=Q(applications__submitted_at__year=int(evaluation.period)), distinct=True
            )
        )
        .order_by("name")
    )
    issued = dict(
        IssuedDocument.objects.filter(
            application__service__in=services,
            status=IssuedDocument.Status.ISSUED,
            revoked_at__isnull=True,
            issued_on__year=int(evaluation.period),
        )
        .values_list("application__service_id")
        .annotate(n=Count("id"))
        .values_list("application__service_id", "n")
    )
    out = []
    for service in services:
        assert service.published_version is not None
        issues_document = any(a.get("issues_document") for a in service.published_version.workflow.get("actions", []))
        out.append(
            {
                "service": service,
                "issues_document": issues_document,
                "submitted": service.submitted,
                "issued": issued.get(service.pk, 0),
            }
        )
    return out


def _sector_ranking(evaluation: Any) -> list[tuple[str, list[dict[str, Any]]]]:
    by_sector: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in _end_to_end_services(evaluation):
        if item["submitted"] or item["issued"]:
            by_sector[item["service"].sector].append(item)

    def weight(entry: tuple[str, list[dict[str, Any]]]) -> tuple[int, int, int, str]:
        sector, items = entry
        complete = sum(1 for i in items if i["issues_document"] and i["issued"])
        return (-complete, -sum(i["issued"] for i in items), -sum(i["submitted"] for i in items), sector)

    return sorted(by_sector.items(), key=weight)


def _service_links(items: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    from django.urls import reverse

    links = [
        (f"Layanan: {i['service'].name}", reverse("eservices:service_detail", args=[i["service"].slug])) for i in items
    ]
    links.append(("Statistik layanan (SLA, penyelesaian)", reverse("eservices:statistics")))
    return links


def suggest_public_service_sector(evaluation: Any, indicator: Any) -> Any:
    """Indicators 45, 46, 47: the n-th sector by services running end to end online."""
    from etam.eservices.models import Sector
    from etam.evaluation.registry import Proposal

    position = SECTOR_INDICATORS.index(int(indicator.number))
    ranking = _sector_ranking(evaluation)
    if position >= len(ranking):
        return None
    sector, items = ranking[position]
    complete = [i for i in items if i["issues_document"] and i["issued"]]
    level = 3 if complete else 2
    sector_label = str(dict(Sector.choices).get(sector, sector))
    described = "; ".join(
        f"{i['service'].name}: {i['submitted']} permohonan daring, {i['issued']} dokumen bertanda tangan elektronik"
        for i in items
    )
    if complete:
        rationale = (
            f"Sektor {sector_label} ({sector}): {len(complete)} layanan berjalan daring dari ujung ke ujung pada "
            f"{evaluation.period} (formulir daring, pemrosesan dengan SLA, dokumen keluaran ber-QR yang dapat "
            f"diverifikasi). {described}."
        )
    else:
        rationale = (
            f"Sektor {sector_label} ({sector}): permohonan diterima dan diproses daring pada {evaluation.period}, "
            f"tetapi belum ada dokumen keluaran elektronik yang terbit. {described}."
        )
    return Proposal(level=level, rationale=rationale, links=_service_links(items))


def suggest_service_management(evaluation: Any, indicator: Any) -> Any:
    """Indicator 28 (Manajemen Layanan SPBE) from the SLA tracking of public services."""
    from etam.eservices.models import ApplicationEvent, Service
    from etam.evaluation.registry import Proposal

    services = list(
        Service.objects.filter(
            institution_id=evaluation.institution_id,
            status=Service.Status.ACTIVE,
            published_version__isnull=False,
        ).select_related("published_version")
    )
    if not services:
        return None
    with_sla = [s for s in services if s.sla_days]
    per_state = [
        s
        for s in services
        if s.published_version is not None
        and any(st.get("sla_days") for st in s.published_version.workflow.get("states", {}).values())
    ]
    applications = _period_applications(evaluation)
    figures = applications.aggregate(
        closed=Count("id", filter=Q(closed_at__isnull=False, met_sla__isnull=False)),
        met=Count("id", filter=Q(met_sla=True)),
        open=Count("id", filter=Q(closed_at__isnull=True)),
    )
    escalated = ApplicationEvent.objects.filter(
        application__in=applications, kind=ApplicationEvent.Kind.ESCALATED
    ).count()
    closed, met = figures["closed"], figures["met"]
    percent = round(100 * met / closed) if closed else None
    level = 1 if with_sla else 0
    if level and closed:
        level = 2
        if per_state and percent is not None and percent >= SLA_TARGET_PERCENT:
            level = 3
    if level == 0:
        return None
    rationale = (
        f"{len(with_sla)} dari {len(services)} layanan aktif memiliki standar waktu (SLA, hari kerja); "
        f"{len(per_state)} dengan tenggat per tahap dan eskalasi otomatis ke admin OPD. "
        f"Tahun {evaluation.period}: {closed} permohonan selesai terukur SLA"
        + (f", {met} tepat waktu ({percent}%)" if closed else "")
        + f"; {figures['open']} masih berjalan; {escalated} eskalasi tercatat."
    )
    from django.urls import reverse

    links = [
        ("Statistik layanan (kepatuhan SLA)", reverse("eservices:statistics")),
        ("Kotak masuk petugas (tenggat per tahap)", reverse("eservices:inbox")),
    ]
    return Proposal(level=level, rationale=rationale, links=links)


def register_with_evaluation() -> None:
    try:
        from etam.evaluation.registry import register_indicator_rules
    except ImportError:  # the other side is not there
        return
    sectors = [
        (
            number,
            f"eservices.public_service_sector_{position}",
            suggest_public_service_sector,
            f"Layanan Publik Sektor {position} dari layanan yang berjalan daring dari ujung ke ujung",
        )
        for position, number in enumerate(SECTOR_INDICATORS, start=1)
    ]
    register_indicator_rules(
        FRAMEWORK_59_2020,
        [
            *sectors,
            (
                SERVICE_MANAGEMENT_INDICATOR,
                "eservices.service_management",
                suggest_service_management,
                "Manajemen Layanan SPBE dari pelacakan SLA layanan publik",
            ),
        ],
    )
