"""Background jobs of the inventory (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_duplicates(application_ids: list[int] | None = None) -> dict[str, int]:
    """Re-run duplicate detection for the given applications (or all). Idempotent: running it
    twice leaves the same flags."""
    from etam.inventory.services import duplicates_refresh

    return duplicates_refresh(actor=None, application_ids=application_ids)
