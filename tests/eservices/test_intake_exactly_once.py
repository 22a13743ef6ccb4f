"""Exactly-once intake under concurrent retries, on PostgreSQL (issue 19, docs/adr/0148).

A citizen's phone resends the same submission (same Idempotency-Key) several times at once,
as happens when the opening-minute burst makes answers slow. Both writers of the one submit
path are raced: the one-statement path (API: no draft) and the transactional one (web form:
draft cleared). Each retry must get the same tracking number and receipt code, the tracking
page must accept them at once, and exactly one case, one timeline event, one audit event and
one set of notifications must exist.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from etam.core.models import AuditEvent
from etam.eservices import demo_definitions, selectors, services
from etam.eservices.models import Application, ApplicationEvent, Service
from tests.eservices.conftest import info_answers, publish
from tests.helpers import run_threads

pytestmark = pytest.mark.django_db(transaction=True)
RETRIES = 6


@pytest.fixture
def pg_service(province) -> Service:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (DATABASE_URL); SQLite's test database serialises them")
    return publish(province.admin_dpmptsp, province.dpmptsp, demo_definitions.informasi_publik())


def _race(actor, service: Service, *, key: str, from_draft: bool) -> list[tuple[str, str, bool] | Exception]:
    results: list[tuple[str, str, bool] | Exception] = []
    barrier = threading.Barrier(RETRIES)

    def attempt() -> None:
        try:
            barrier.wait(timeout=10)
            submission = services.application_submit(
                actor=actor, service=service, answers=info_answers(), idempotency_key=key, from_draft=from_draft
            )
            results.append((submission.application.tracking_number, submission.receipt_secret, submission.created))
        except Exception as exc:  # reported by the assertions below
            results.append(exc)
        finally:
            connection.close()

    run_threads(attempt, RETRIES, timeout=60)
    return results


@pytest.mark.parametrize("from_draft", [False, True], ids=["one-statement", "transaction"])
def test_concurrent_retries_store_one_case(province, pg_service, from_draft):
    results = _race(province.citizen, pg_service, key="retry-ppdb-0800", from_draft=from_draft)

    assert len(results) == RETRIES
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = {number for number, _secret, _created in results}  # type: ignore[misc]
    secrets = {secret for _number, secret, _created in results}  # type: ignore[misc]
    assert len(numbers) == 1 and len(secrets) == 1
    assert sum(1 for *_rest, created in results if created) == 1  # type: ignore[misc]

    case = Application.objects.get()
    (number,) = numbers
    assert case.tracking_number == number
    assert ApplicationEvent.objects.filter(application=case, kind=ApplicationEvent.Kind.SUBMITTED).count() == 1
    assert AuditEvent.objects.filter(action="eservices.application_submit").count() == 1
    # The receipt works on the tracking page at once, for every retry's answer.
    (secret,) = secrets
    found = selectors.status_lookup(number, secret)
    assert found is not None and found.pk == case.pk


def test_distinct_keys_are_distinct_cases(province, pg_service):
    first = _race(province.citizen, pg_service, key="retry-a", from_draft=False)
    second = _race(province.citizen, pg_service, key="retry-b", from_draft=False)
    assert not [r for r in first + second if isinstance(r, Exception)]
    assert Application.objects.count() == 2
    assert AuditEvent.objects.filter(action="eservices.application_submit").count() == 2
