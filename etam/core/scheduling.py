"""A small periodic scheduler on top of the task queue.

Modules register jobs that must run every N seconds (audit sealing, SLA escalation,
system datasets), either in their ``tasks.py`` (discovered automatically) or from
``AppConfig.ready``::

    from etam.core.scheduling import register_periodic
    register_periodic(escalate_overdue_cases, every_seconds=300)

``manage.py run_scheduler`` wakes up every few seconds and *enqueues* the due jobs; the
queue workers (``manage.py db_worker``) run them. Several schedulers may run at once (one
per machine, for availability): each due run is claimed with a conditional UPDATE of
``PeriodicTaskState.next_run_at`` in the database, so exactly one scheduler enqueues it.
Jobs must be idempotent (a crash between enqueue and commit on a non-database queue
backend can repeat a run; it can never skip one for longer than one interval).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from etam.core.models import PeriodicTaskState

logger = logging.getLogger("etam.scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Any  # a django_tasks Task
    every_seconds: int
    kwargs: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, PeriodicJob] = {}


def register_periodic(task: Any, every_seconds: int, *, name: str | None = None, **kwargs: Any) -> PeriodicJob:
    """Run ``task`` (a ``@task()``) every ``every_seconds`` seconds with ``kwargs``.

    Registering the same name again replaces the earlier registration (idempotent on reload).
    """
    if every_seconds < 1:
        raise ValueError("every_seconds must be at least 1")
    job = PeriodicJob(name=name or task.module_path, task=task, every_seconds=int(every_seconds), kwargs=kwargs)
    _REGISTRY[job.name] = job
    return job


def unregister_periodic(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered_jobs() -> list[PeriodicJob]:
    return sorted(_REGISTRY.values(), key=lambda job: job.name)


def discover() -> None:
    """Import every installed app's ``tasks`` module so their registrations run."""
    autodiscover_modules("tasks")


def _state_for(job: PeriodicJob, now: datetime) -> PeriodicTaskState:
    # get_or_create copes with two schedulers creating the row at the same moment.
    state, _created = PeriodicTaskState.objects.get_or_create(
        name=job.name, defaults={"every_seconds": job.every_seconds, "next_run_at": now}
    )
    if state.every_seconds != job.every_seconds:
        # The interval changed in code: keep the last run, move the next one accordingly.
        base = state.last_enqueued_at or now
        state.every_seconds = job.every_seconds
        state.next_run_at = min(state.next_run_at, base + timedelta(seconds=job.every_seconds))
        PeriodicTaskState.objects.filter(pk=state.pk).update(
            every_seconds=state.every_seconds, next_run_at=state.next_run_at
        )
    return state


def run_due(now: datetime | None = None) -> list[str]:
    """Enqueue every registered job whose time has come; return the names enqueued."""
    now = now or timezone.now()
    enqueued: list[str] = []
    for job in registered_jobs():
        state = _state_for(job, now)
        if state.next_run_at > now:
            continue
        with transaction.atomic():
            claimed = PeriodicTaskState.objects.filter(pk=state.pk, next_run_at__lte=now).update(
                next_run_at=now + timedelta(seconds=job.every_seconds), last_enqueued_at=now
            )
            if not claimed:
                continue  # another scheduler took this run
            # With the database queue backend this insert is part of the same transaction
            # as the claim: either both happen or neither.
            result = job.task.enqueue(**job.kwargs)
            PeriodicTaskState.objects.filter(pk=state.pk).update(last_result_id=str(result.id)[:64])
        logger.info("enqueued periodic job %s (result %s)", job.name, result.id)
        enqueued.append(job.name)
    return enqueued
