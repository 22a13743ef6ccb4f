"""The seams to other apps: the e-services hooks (NIK verification after a submission, and its
badge beside the case's state in the officer's inbox)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def register_with_eservices() -> None:
    from etam.eservices import hooks

    hooks.register_case_submitted(_on_case_submitted)
    hooks.register_case_badges(_nik_badges)


def _on_case_submitted(case: Any) -> None:
    from etam.interop.services.nik import nik_verification_request

    nik_verification_request(
        application_id=case.application_id,
        agency_id=case.agency_id,
        institution_id=case.institution_id,
        nik=case.nik,
        full_name=case.full_name,
        birth_date=case.birth_date,
    )


def _nik_badges(application_ids: list[int]) -> dict[int, list[Any]]:
    from etam.eservices.hooks import Badge
    from etam.interop.selectors import nik_statuses

    labels = {
        "tertunda": (_("NIK verification pending"), "warn"),
        "tidak_tersedia": (_("NIK verification pending"), "warn"),
        "terverifikasi": (_("NIK verified"), "ok"),
        "tidak_cocok": (_("NIK data do not match Dukcapil"), "warn"),
    }
    return {pk: [Badge(*labels[status])] for pk, status in nik_statuses(application_ids).items() if status in labels}
