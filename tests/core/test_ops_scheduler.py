"""The periodic scheduler: due jobs are enqueued once, however many schedulers run."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from etam.core import audit, scheduling
from etam.core.models import AuditEvent, PeriodicTaskState

pytestmark = pytest.mark.django_db


@task()
def ping(word: str = "pong") -> str:
    return word


@pytest.fixture
def registry():
    saved = dict(scheduling._REGISTRY)
    scheduling._REGISTRY.clear()
    yield scheduling
    scheduling._REGISTRY.clear()
    scheduling._REGISTRY.update(saved)


def _queued(name):
    return DBTaskResult.objects.filter(task_path=name).count()


def test_due_job_is_enqueued_once_per_interval(registry):
    registry.register_periodic(ping, every_seconds=60, word="hello")
    start = timezone.now()
    assert registry.run_due(start) == ["tests.core.test_ops_scheduler.ping"]
    assert _queued("tests.core.test_ops_scheduler.ping") == 1
    # A second scheduler (or the next tick) before the interval has passed: nothing.
    assert registry.run_due(start + timedelta(seconds=59)) == []
    assert _queued("tests.core.test_ops_scheduler.ping") == 1
    assert registry.run_due(start + timedelta(seconds=60)) == ["tests.core.test_ops_scheduler.ping"]
    assert _queued("tests.core.test_ops_scheduler.ping") == 2
    state = PeriodicTaskState.objects.get(name="tests.core.test_ops_scheduler.ping")
    assert state.last_enqueued_at == start + timedelta(seconds=60)
    assert state.next_run_at == start + timedelta(seconds=120)
    row = DBTaskResult.objects.get(pk=state.last_result_id)
    assert row.args_kwargs == {"args": [], "kwargs": {"word": "hello"}}


def test_two_schedulers_racing_for_the_same_run_enqueue_it_once(registry):
    registry.register_periodic(ping, every_seconds=30)
    now = timezone.now()
    registry.run_due(now - timedelta(seconds=31))  # creates the state; first run
    assert _queued("tests.core.test_ops_scheduler.ping") == 1
    # Both schedulers read the state before either claims it...
    stale = PeriodicTaskState.objects.get()
    with mock.patch.object(scheduling, "_state_for", return_value=stale):
        first = registry.run_due(now)
        second = registry.run_due(now)
    # ...but only the conditional UPDATE of one of them succeeds.
    assert first == ["tests.core.test_ops_scheduler.ping"]
    assert second == []
    assert _queued("tests.core.test_ops_scheduler.ping") == 2


def test_failed_enqueue_releases_the_claim(registry):
    registry.register_periodic(ping, every_seconds=30)
    now = timezone.now()
    with mock.patch.object(type(ping), "enqueue", side_effect=RuntimeError("queue down")), pytest.raises(RuntimeError):
        registry.run_due(now)
    state = PeriodicTaskState.objects.get()
    assert state.last_enqueued_at is None
    assert state.next_run_at <= now
    assert registry.run_due(now) == ["tests.core.test_ops_scheduler.ping"]


def test_changed_interval_moves_the_next_run(registry):
    registry.register_periodic(ping, every_seconds=3600)
    now = timezone.now()
    registry.run_due(now)
    registry.register_periodic(ping, every_seconds=60)
    assert registry.run_due(now + timedelta(seconds=61)) == ["tests.core.test_ops_scheduler.ping"]


def test_register_rejects_a_zero_interval(registry):
    with pytest.raises(ValueError):
        registry.register_periodic(ping, every_seconds=0)


# The worker closes connections between jobs (close_old_connections), which ends a test
# transaction on PostgreSQL, so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_run_scheduler_once_enqueues_audit_sealing_and_the_worker_seals(province):
    with transaction.atomic():
        for i in range(3):
            audit.record(actor=province.superadmin, action="core.test", target=province.kaltim, after={"i": i})
    out = StringIO()
    call_command("run_scheduler", once=True, stdout=out)
    assert "periodic: etam.core.tasks.seal_audit_events every 60s" in out.getvalue()
    assert "enqueued etam.core.tasks.seal_audit_events" in out.getvalue()
    # A second scheduler started at the same moment enqueues nothing more.
    call_command("run_scheduler", once=True, stdout=StringIO())
    assert _queued("etam.core.tasks.seal_audit_events") == 1
    ours = AuditEvent.objects.filter(action="core.test")
    assert ours.filter(seal__isnull=True).count() == 3
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)
    # Other modules' periodic jobs (e.g. Satu Data system datasets) run in the same batch
    # and may write events after the seal; ours were written before it and are sealed.
    assert ours.filter(seal__isnull=True).count() == 0
    assert audit.verify().ok
