"""Seams to Satu Data (a system dataset) and the evaluation (a suggestion rule); registered from
``QualityConfig.ready`` only when the other module is installed.

- Satu Data: the IKM per service and year, only for groups with at least
  ``privacy.MIN_RESPONDENTS`` respondents (ADR 0137); aggregates only, no comment or profile.
- Evaluation, PermenPANRB 8/2026 indicator 20 (Pengelolaan Kepuasan Pengguna), never above
  level 3: 1 when OPDs ran the survey in the year, 2 when at least one OPD has enough
  respondents for an index, 3 when follow-up plans for the lowest elements exist and at least
  half of them are moving (in progress or done). An assessor accepts or rejects it.
- Evaluation, PermenPANRB 8/2026 indicators 2 (Manajemen Layanan Digital Pemerintah) and 17
  (Portal Layanan Digital Pemerintah): the SLA fulfilment and the usage per service, from
  eservices' own statistics (``etam.eservices.stats.breakdown``), never above level 3 (ADR 0162).
"""

from __future__ import annotations

from typing import Any

DATASET_KEY = "ikm-layanan-publik-per-tahun"
FRAMEWORK_8_2026 = "permenpanrb-8-2026"
SATISFACTION_INDICATOR = 20
SERVICE_MANAGEMENT_INDICATOR = 2
PORTAL_INDICATOR = 17
SLA_TARGET_PERCENT = 80
LISTED_SERVICES = 10


def public_sample_pages() -> list[str]:
    """The page budget's sample of the parameterised public pages (etam.web.budget)."""
    from django.urls import reverse

    from etam.quality import selectors

    service = selectors.demo_services().first()
    return [reverse("quality:standard", args=[service.slug])] if service else []


def register_with_opendata() -> None:
    from etam.opendata.registry import SystemColumn, region_column, register_system_dataset
    from etam.quality import selectors

    register_system_dataset(
        key=DATASET_KEY,
        title="Indeks Kepuasan Masyarakat (IKM) layanan publik per tahun",
        description=(
            "Indeks Kepuasan Masyarakat per layanan publik dan tahun, dihitung menurut PermenPANRB 14/2017 "
            "(sembilan unsur, bobot 1/9, konversi x25) dari survei daring dan kuesioner kertas di Etam. "
            "Layanan dengan kurang dari 10 responden dalam setahun tidak dimuat. Hanya angka agregat."
        ),
        agency_code="DISKOMINFO",
        topic="pemerintahan",
        update_frequency="monthly",
        spatial_level="kabupaten_kota",
        tags=("layanan-publik", "skm", "ikm"),
        columns=[
            region_column(title="Kode wilayah instansi", definition="Kode Kemendagri instansi penyelenggara layanan."),
            SystemColumn("tahun", "integer", title="Tahun", definition="Tahun pengisian kuesioner."),
            SystemColumn("kode_opd", "string", title="Kode OPD"),
            SystemColumn("layanan", "string", title="Kode layanan", definition="Nama alamat (slug) layanan di Etam."),
            SystemColumn("nama_layanan", "string", title="Nama layanan"),
            SystemColumn("responden", "integer", title="Responden", unit="orang"),
            SystemColumn("ikm", "number", title="IKM", definition="Indeks Kepuasan Masyarakat 25–100, dua desimal."),
            SystemColumn("mutu", "string", title="Mutu pelayanan", definition="A, B, C atau D (PermenPANRB 14/2017)."),
        ],
        rows=selectors.yearly_service_rows,
    )


def suggest_satisfaction_management(evaluation: Any, indicator: Any) -> Any:
    from etam.evaluation.registry import Proposal
    from etam.quality import selectors

    try:
        year = int(evaluation.period)
    except (TypeError, ValueError):
        return None
    facts = selectors.management_facts(evaluation.institution_id, year)
    if not facts.agencies_surveyed:
        return None
    level = 1
    if facts.agencies_with_index:
        level = 2
        if facts.plans and 2 * facts.plans_moving >= facts.plans:
            level = 3
    rationale = (
        f"Tahun {year}: {facts.agencies_surveyed} OPD menjalankan Survei Kepuasan Masyarakat di Etam, "
        f"{facts.agencies_with_index} dengan responden cukup untuk IKM; {facts.plans} rencana tindak lanjut "
        f"unsur terendah, {facts.plans_moving} berjalan atau selesai."
    )
    return Proposal.to_page(level, rationale, "Hasil survei kepuasan", "quality:results")


def _year(evaluation: Any) -> int | None:
    try:
        return int(evaluation.period)
    except (TypeError, ValueError):
        return None


def _service_evidence(institution_id: int, year: int) -> tuple[list[Any], Any, list[str]]:
    """The published services, the year's cases and one line per service with its usage and SLA
    fulfilment (the busiest first), read through eservices' statistics."""
    from etam.eservices.stats import breakdown
    from etam.quality import selectors

    applications = selectors.year_applications(institution_id, year)
    rows = sorted(breakdown(applications, "service"), key=lambda r: (-r.submitted, r.label))
    lines = [
        f"{r.label}: {r.submitted} permohonan, {r.completed} selesai"
        + (f", {r.sla_percent}% tepat waktu" if r.sla_percent is not None else "")
        + (f", median {r.median_days} hari kerja" if r.median_days is not None else "")
        for r in rows[:LISTED_SERVICES]
    ]
    if len(rows) > LISTED_SERVICES:
        lines.append(f"dan {len(rows) - LISTED_SERVICES} layanan lain")
    return selectors.published_services(institution_id), rows, lines


def _links() -> list[tuple[str, str]]:
    from django.urls import reverse

    return [
        ("Statistik layanan", reverse("eservices:statistics")),
        ("Hasil survei kepuasan", reverse("quality:results")),
    ]


def suggest_service_management(evaluation: Any, indicator: Any) -> Any:
    """Indicator 2: 1 when published services carry an SLA, 2 when the year's closed cases are
    measured against it, 3 when at least 80% met it and the units also ran the satisfaction survey."""
    from etam.evaluation.registry import Proposal
    from etam.quality import selectors

    year = _year(evaluation)
    if year is None:
        return None
    services, _rows, lines = _service_evidence(evaluation.institution_id, year)
    with_sla = [s for s in services if s.sla_days]
    if not with_sla:
        return None
    closed, met = selectors.sla_totals(selectors.year_applications(evaluation.institution_id, year))
    percent = round(100 * met / closed) if closed else None
    surveyed = selectors.management_facts(evaluation.institution_id, year).agencies_surveyed
    level = 1
    if closed:
        level = 3 if percent is not None and percent >= SLA_TARGET_PERCENT and surveyed else 2
    rationale = (
        f"Tahun {year}: {len(with_sla)} dari {len(services)} layanan daring memiliki SLA; "
        f"{closed} permohonan selesai diukur terhadap SLA"
        + (f", {percent}% tepat waktu" if percent is not None else "")
        + f"; {surveyed} OPD menjalankan Survei Kepuasan Masyarakat. "
        + "; ".join(lines)
    )
    return Proposal(level=level, rationale=rationale.strip(), links=_links())


def suggest_portal_usage(evaluation: Any, indicator: Any) -> Any:
    """Indicator 17: 1 when services are published on the portal, 2 when applications were
    submitted online in the year, 3 when at least half of the published services were used and
    cases were completed online."""
    from etam.evaluation.registry import Proposal

    year = _year(evaluation)
    if year is None:
        return None
    services, rows, lines = _service_evidence(evaluation.institution_id, year)
    if not services:
        return None
    published = {s.pk for s in services}
    used = [r for r in rows if r.key in published and r.submitted]
    completed = sum(r.completed for r in rows)
    level = 1
    if used:
        level = 3 if 2 * len(used) >= len(services) and completed else 2
    rationale = (
        f"Tahun {year}: {len(services)} layanan diterbitkan di portal layanan Etam, {len(used)} di antaranya "
        f"menerima permohonan daring; {sum(r.submitted for r in rows)} permohonan, {completed} selesai. "
        + "; ".join(lines)
    )
    return Proposal(level=level, rationale=rationale.strip(), links=_links())


def register_with_evaluation() -> None:
    from etam.evaluation.registry import register_indicator_rules

    register_indicator_rules(
        FRAMEWORK_8_2026,
        [
            (
                SERVICE_MANAGEMENT_INDICATOR,
                "quality.service_management",
                suggest_service_management,
                "Pemenuhan SLA layanan publik daring",
            ),
            (
                PORTAL_INDICATOR,
                "quality.portal_usage",
                suggest_portal_usage,
                "Penggunaan layanan publik daring per layanan",
            ),
            (
                SATISFACTION_INDICATOR,
                "quality.satisfaction_management",
                suggest_satisfaction_management,
                "Survei Kepuasan Masyarakat dan tindak lanjutnya",
            ),
        ],
    )


def register_with_eservices() -> None:
    """A finished case invites its applicant to the satisfaction survey (the link goes into the notification)."""
    from etam.eservices.hooks import register_case_finished, register_case_links, register_composer_sections
    from etam.quality.services import invitation_for_case

    register_case_finished(invitation_for_case)
    register_case_links(survey_link_for_case)
    register_composer_sections(standard_in_composer)
    from etam.eservices.notifications import register_staff_message
    from etam.quality.services.complaints import NEW_COMPLAINT_EVENT

    register_staff_message(NEW_COMPLAINT_EVENT)


def survey_link_for_case(application: Any) -> list[Any]:
    """The applicant's case page shows the survey while the case's invitation is unanswered."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from etam.eservices.hooks import CaseLink
    from etam.quality import selectors

    if not selectors.open_invitation_exists(application.pk):
        return []
    url = reverse("quality:case_survey", args=[application.pk])
    return [CaseLink(_("Rate our service: satisfaction survey (2 minutes)"), url)]


def standard_in_composer(actor: Any, service: Any, version: Any) -> list[Any]:
    """The composer of a draft links to the standar pelayanan of that draft (admin OPD only; ADR 0163)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from etam.core.permissions import has_perm
    from etam.eservices.hooks import ComposerSection
    from etam.quality import permissions, selectors

    if not has_perm(actor, permissions.MANAGE_STANDARD, service):
        return []
    row = selectors.standard_for(service, version)
    if row is None:
        summary = _("Not written yet: the public page shows only what the service itself holds.")
    elif row.version_id == version.pk:
        summary = _("Written for this draft; it becomes public when the draft is published.")
    else:
        summary = _("Carried over from version %(n)s until you save it for this draft.") % {"n": row.version.number}
    url = reverse("quality:standard_version", args=[service.pk, version.number])
    return [ComposerSection(_("Service standard (14 components)"), url, _("Edit the service standard"), summary)]
