"""Seam to SPBE evaluation: levels suggested from what an instansi publishes on Satu Data.

Registered from ``OpendataConfig.ready`` only when ``etam.evaluation`` is installed.

PermenPANRB 59/2020 indicator 43, *Tingkat Kematangan Layanan Data Terbuka* (domain Layanan
SPBE, technical-function scale: 1 Informasi, 2 Interaksi, 3 Transaksi, 4 Kolaborasi,
5 Optimum):

- public published datasets of the instansi that visitors search and download in four
  formats, with a CKAN-compatible API and a DCAT catalogue → level 2 (Interaksi);
- and at least one of them went the whole cycle (validated upload, walidata review) and
  every reviewed public dataset meets the data standard (description, MS-Keg activity
  title, a definition for every column) → level 3 (Transaksi: validation, approval and
  analysis in one process).

Like the other platform rules it stops at 3: Kolaborasi (harvesting by the national Satu
Data Indonesia portal, use by other systems) and Optimum (reviewed and improved) need proof
only people can supply. An assessor accepts or rejects every suggestion.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

FRAMEWORK_59_2020 = "permenpanrb-59-2020"
OPEN_DATA_SERVICE = 43  # Tingkat Kematangan Layanan Data Terbuka


def suggest_open_data_service(evaluation: Any, indicator: Any) -> Any:
    from etam.evaluation.registry import Proposal
    from etam.opendata.models import Access, Dataset
    from etam.opendata.services import standard_problems

    public = (
        Dataset.objects.filter(
            agency__institution_id=evaluation.institution_id,
            access=Access.PUBLIC,
            published_version__isnull=False,
        )
        .select_related("published_version__dataset")
        .order_by("pk")
    )
    datasets = list(public)
    if not datasets:
        return None
    reviewed = [d for d in datasets if not d.is_system]
    meeting_standard = [d for d in reviewed if d.published_version and not standard_problems(d.published_version)]
    opds = len({d.agency_id for d in datasets})
    level = 3 if reviewed and len(meeting_standard) == len(reviewed) else 2
    rationale = _(
        "Satu Data on Etam: %(public)s public dataset(s) of %(institution)s published by %(opds)s OPD(s), "
        "searchable and downloadable as CSV, JSON, XLSX and Parquet, served by the CKAN-compatible API "
        "and the DCAT catalogue; %(reviewed)s went through the walidata review, %(standard)s of them with "
        "complete SDI metadata (MS-Keg, MS-Var)."
    ) % {
        "public": len(datasets),
        "institution": evaluation.institution,
        "opds": opds,
        "reviewed": len(reviewed),
        "standard": len(meeting_standard),
    }
    links = [
        (_("Satu Data catalogue"), reverse("opendata:search")),
        (_("DCAT catalogue"), reverse("opendata:catalog", args=["ttl"])),
        (_("CKAN-compatible API"), "/api/3/action/package_list"),
    ]
    return Proposal(level=level, rationale=rationale, links=links)


def register_with_evaluation() -> None:
    from etam.evaluation.registry import register_indicator_rules

    register_indicator_rules(
        FRAMEWORK_59_2020,
        [
            (
                OPEN_DATA_SERVICE,
                "opendata.open_data_service",
                suggest_open_data_service,
                "Layanan Data Terbuka dari dataset Satu Data yang terbit",
            )
        ],
    )
