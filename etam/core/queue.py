"""The task queue on Redis: django-tasks' RQ backend, as Etam runs it (docs/adr/0104).

Imported only when ``RQ_QUEUES`` is set (django_rq refuses to load without it).

Two things on top of ``django_tasks_rq``:

* ``RQBackend.enqueue`` with Redis unreachable logs and answers a FAILED result instead of
  raising, so a citizen whose submission committed never sees a 500 from an after-commit
  enqueue. Every job Etam enqueues from a request has a periodic sweep behind it (the
  notification outbox, the duplicate refresh, the audit sealer), so the work is picked up
  when Redis returns; the scheduler's own enqueue is retried on its next due run.
* ``requeue_abandoned_jobs`` (periodic, every 30 s): a worker killed mid-job leaves the job
  in RQ's started registry until its heartbeat expires; RQ then moves it to the failed
  registry as ``AbandonedJobError``. This puts such jobs back on their queue. Jobs are
  idempotent (each module's ``tasks.py`` says why), so running one again is safe.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django_tasks import task
from django_tasks.base import TaskError, TaskResult, TaskResultStatus
from django_tasks.utils import get_module_path, get_random_id
from django_tasks_rq.backend import Job
from django_tasks_rq.backend import RQBackend as _BaseRQBackend
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from etam.core.scheduling import register_periodic

logger = logging.getLogger(__name__)

ABANDONED = "AbandonedJobError"


class QueueUnavailable(Exception):
    """Redis did not answer when a job was enqueued."""


class RQBackend(_BaseRQBackend):
    def enqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult:
        try:
            return super().enqueue(task, args, kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            logger.error(
                "queue: Redis unreachable, %s not enqueued (%s); its periodic sweep will pick the work up",
                task.module_path,
                exc.__class__.__name__,
            )
            return TaskResult(
                task=task,
                id=get_random_id(),
                status=TaskResultStatus.FAILED,
                enqueued_at=None,
                started_at=None,
                last_attempted_at=None,
                finished_at=None,
                args=list(args),
                kwargs=kwargs,
                backend=self.alias,
                errors=[TaskError(exception_class_path=get_module_path(QueueUnavailable), traceback="")],
                worker_ids=[],
            )


def uses_rq() -> bool:
    return bool(getattr(settings, "RQ_QUEUES", None))


def _abandoned(job: Any) -> bool:  # an rq Job (fetched through django_tasks_rq's class)
    if any(path.endswith(ABANDONED) for path in job.meta.get("_django_tasks_rq_exceptions", [])):
        return True
    latest = job.latest_result()
    return latest is not None and ABANDONED in (latest.exc_string or "")


def requeue_abandoned() -> int:
    """Move the jobs whose worker died back onto their queue; return how many."""
    if not uses_rq():
        return 0
    import django_rq
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    requeued = 0
    for name in settings.RQ_QUEUES:
        queue = django_rq.get_queue(name, job_class=Job)
        StartedJobRegistry(queue=queue, job_class=Job).cleanup()  # expired heartbeats -> failed, as AbandonedJobError
        failed = FailedJobRegistry(queue=queue, job_class=Job)
        for job_id in failed.get_job_ids():
            job = queue.fetch_job(job_id)
            if job is not None and _abandoned(job):
                job.meta.pop("_django_tasks_rq_exceptions", None)
                job.save_meta()
                failed.requeue(job_id)
                logger.warning("queue: job %s (%s) was abandoned by a dead worker; requeued", job_id, job.func_name)
                requeued += 1
    return requeued


@task()
def requeue_abandoned_jobs() -> int:
    """Idempotent: a job already requeued is no longer in the failed registry."""
    return requeue_abandoned()


if uses_rq():
    register_periodic(requeue_abandoned_jobs, every_seconds=30)
