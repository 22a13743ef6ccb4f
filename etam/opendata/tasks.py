"""Background jobs of Satu Data."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_system_datasets() -> dict[str, bool]:
    """Rebuild every registered system dataset; publishes only what changed (idempotent)."""
    from etam.opendata.system import refresh_all

    return refresh_all()


@task()
def validate_version(version_id: int, run: int) -> str:
    """Validate an uploaded version off the request path (see services.version_validate_job)."""
    from etam.opendata.services import version_validate_job

    return version_validate_job(version_id=version_id, run=run)
