"""Background jobs of the interoperability node (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def verify_nik(check_id: int) -> str:
    """Ask Dukcapil about one case's NIK (idempotent: a check already answered is left alone)."""
    from etam.interop.services.nik import nik_verification_run

    check = nik_verification_run(check_id)
    return check.status if check else "gone"


@task()
def retry_nik_verifications() -> int:
    from etam.interop.services.nik import nik_verifications_retry_due

    return nik_verifications_retry_due()
