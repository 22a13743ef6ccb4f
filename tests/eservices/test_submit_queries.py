"""Round trips of one API submission (bearer token, Idempotency-Key): pinned."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from etam.core import audit
from etam.core.models import ApiToken, AuditEvent
from etam.core.models.people import hash_token
from tests.eservices.conftest import info_answers

pytestmark = pytest.mark.django_db

RAW = "etam_abcdefghijklmnopqrstuvwxyz0123456789"


def test_one_submission_costs_seven_statements(province, info_service):
    ApiToken.objects.create(user=province.citizen, name="t", prefix=RAW[:12], key_hash=hash_token(RAW))
    client = Client()
    answers = info_answers()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {RAW}", "content_type": "application/json"}
    warm = client.post(
        "/api/v1/applications", {"service": info_service.pk, "answers": answers}, HTTP_IDEMPOTENCY_KEY="a", **headers
    )
    assert warm.status_code == 201, warm.content
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            "/api/v1/applications",
            {"service": info_service.pk, "answers": {**answers, "tujuan": "lain"}},
            HTTP_IDEMPOTENCY_KEY="b",
            **headers,
        )
    assert response.status_code == 201, response.content
    statements = [
        q["sql"].split()[0] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    # token (+ user, + "has active grants"), service, then in one transaction: the case,
    # its timeline event, the applicant's notification, the number, the audit event.
    # (On PostgreSQL the first submission of a process checks its OPD's sequence once.)
    expected = ["SELECT", "SELECT", "INSERT", "INSERT", "INSERT", "UPDATE", "INSERT"]
    if connection.vendor == "postgresql" and statements[5] == "SELECT":
        expected.insert(5, "SELECT")
    if connection.vendor == "sqlite":  # the counter row, then the number onto the case
        expected.insert(5, "UPDATE")
    assert statements == expected, statements
    number = response.json()["tracking_number"]
    assert number.endswith("-000002") and warm.json()["tracking_number"].endswith("-000001")


def test_audit_event_is_one_insert_and_verifies(province):
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        event = audit.record(actor=province.admin_kaltim, action="core.test", target=province.dpmptsp, after={"a": 1})
    assert [q["sql"].split()[0] for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))] == [
        "INSERT"
    ]
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.content_hash == audit.content_hash_of(stored) and audit.hash_matches(stored)
    # Events written before (hash over the content *and* the id) still verify.
    AuditEvent.objects.filter(pk=event.pk).update(content_hash=audit.content_hash_of(stored, with_id=True))
    audit.seal_pending()
    assert audit.verify().ok
    # An edit is caught whichever form the hash has.
    AuditEvent.objects.filter(pk=event.pk).update(action="core.forged")
    assert not audit.verify().ok
