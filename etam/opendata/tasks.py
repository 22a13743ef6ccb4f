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


@task()
def warm_parquet_copy(name: str) -> str:
    """Pre-fetch a just-published Parquet file into this node's local read-through copy
    (idempotent; a missed run only means the first query downloads it, ADR 0101)."""
    from etam.opendata import parquetstore

    return parquetstore.warm(name)
