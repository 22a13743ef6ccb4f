"""Seams to Satu Data (a system dataset) and the evaluation (a suggestion rule); registered from
``QualityConfig.ready`` only when the other module is installed.

- Satu Data: the IKM per service and year, only for groups with at least
  ``privacy.MIN_RESPONDENTS`` respondents (ADR 0137); aggregates only, no comment or profile.
- Evaluation, PermenPANRB 8/2026 indicator 20 (Pengelolaan Kepuasan Pengguna), never above
  level 3: 1 when OPDs ran the survey in the year, 2 when at least one OPD has enough
  respondents for an index, 3 when follow-up plans for the lowest elements exist and at least
  half of them are moving (in progress or done). An assessor accepts or rejects it.
"""

from __future__ import annotations

from typing import Any

DATASET_KEY = "ikm-layanan-publik-per-tahun"
FRAMEWORK_8_2026 = "permenpanrb-8-2026"
SATISFACTION_INDICATOR = 20


def public_sample_pages() -> list[str]:
    """The page budget's sample of the parameterised public pages (etam.web.budget)."""
    from django.urls import reverse

    from etam.quality import selectors

    service = selectors.demo_services().first()
    return [reverse("quality:standard", args=[service.slug])] if service else []


def register_with_opendata() -> None:
    from etam.opendata.registry import SystemColumn, register_system_dataset
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
            SystemColumn(
                "kode_wilayah",
                "string",
                title="Kode wilayah instansi",
                reference="kode_wilayah",
                definition="Kode Kemendagri instansi penyelenggara layanan.",
            ),
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
    from django.urls import reverse

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
    return Proposal(level=level, rationale=rationale, links=[("Hasil survei kepuasan", reverse("quality:results"))])


def register_with_evaluation() -> None:
    from etam.evaluation.registry import SuggestionRule, register_suggestion_rule

    register_suggestion_rule(
        SuggestionRule(
            code="quality.satisfaction_management",
            framework_code=FRAMEWORK_8_2026,
            indicator_number=SATISFACTION_INDICATOR,
            suggest=suggest_satisfaction_management,
            label="Survei Kepuasan Masyarakat dan tindak lanjutnya",
        )
    )


def register_with_eservices() -> None:
    """A finished case invites its applicant to the satisfaction survey (the link goes into the notification)."""
    from etam.eservices.hooks import register_case_finished
    from etam.quality.services import invitation_for_case

    register_case_finished(invitation_for_case)
