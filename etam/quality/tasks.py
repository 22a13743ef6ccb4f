"""Background jobs of service quality (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def forward_complaints_to_lapor() -> int:
    """Hand queued complaints to SP4N-LAPOR! and read the stage of forwarded ones back."""
    from etam.quality.services import complaints_forward_queued, complaints_lapor_refresh

    return complaints_forward_queued() + complaints_lapor_refresh()
