"""Background jobs of the core module (django-tasks; see docs/adr/0002-task-queue.md)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from etam.core import audit
from etam.core.scheduling import register_periodic


@task()
def seal_audit_events() -> int:
    """Seal pending audit events; return how many were sealed.

    Idempotent: with nothing pending it does nothing, and two runs at once serialise on
    the sealer lock (the second finds nothing left).
    """
    sealed = 0
    while (seal := audit.seal_pending()) is not None:
        sealed += seal.event_count
    return sealed


if getattr(settings, "RQ_QUEUES", None):
    from etam.core import queue  # noqa: F401  (the abandoned-job sweep, docs/adr/0104)

register_periodic(seal_audit_events, every_seconds=getattr(settings, "AUDIT_SEAL_INTERVAL_SECONDS", 60))
