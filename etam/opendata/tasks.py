"""Background jobs of Satu Data."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_system_datasets() -> dict[str, bool]:
    """Rebuild every registered system dataset; publishes only what changed (idempotent)."""
    from etam.opendata.system import refresh_all

    return refresh_all()
