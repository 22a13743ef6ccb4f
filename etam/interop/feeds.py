"""The seams to other apps: the e-services hooks (NIK verification after a submission, and its
badge beside the case's state in the officer's inbox)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def register_with_eservices() -> None:
    from etam.eservices import hooks

    hooks.register_case_submitted(_on_case_submitted)
    hooks.register_case_badges(_nik_badges)


def register_with_quality() -> None:
    """Complaints filed in Etam go on to SP4N-LAPOR! through the connector (ADR 0154)."""
    from etam.quality import lapor as complaints_seam

    complaints_seam.register_connector(send=_send_complaint, stage=_complaint_stage)


def _send_complaint(outgoing: Any) -> str | None:
    from etam.interop.connectors import lapor

    return lapor.forward_complaint(
        lapor.Complaint(
            reference=outgoing.reference,
            title=outgoing.title,
            body=outgoing.body,
            category=outgoing.category,
            agency_name=outgoing.agency_name,
            filed_at=outgoing.filed_at,
        )
    )


def _complaint_stage(tracking_id: str) -> str | None:
    from etam.interop.connectors import lapor

    status = lapor.complaint_status(tracking_id)
    return status.stage if status else None


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
