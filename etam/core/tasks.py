"""Background jobs of the core module (django-tasks; see docs/adr/0002-task-queue.md)."""

from __future__ import annotations

from django_tasks import task

from etam.core import audit


@task()
def seal_audit_events() -> int:
    """Seal pending audit events. Idempotent: with nothing pending it does nothing."""
    sealed = 0
    while (seal := audit.seal_pending()) is not None:
        sealed += seal.event_count
    return sealed
