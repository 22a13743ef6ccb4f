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


def test_one_submission_costs_four_statements_on_postgresql(province, info_service):
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
    # token (+ user, + "has active grants"), then on PostgreSQL: the id and number (one
    # statement, which also spots a retried key and checks that the process's copy of the
    # service is current — ADR 0169; was a query of its own) and ONE statement writing the
    # case, its timeline event, the applicant's notification and the audit event (ADR 0059,
    # 0093). SQLite: the service check, then one transaction with the number (counter
    # upsert), case, event, notification and audit event.
    if connection.vendor == "postgresql":
        expected = ["SELECT", "WITH", "WITH"]
    else:
        expected = ["SELECT", "SELECT", "INSERT", "INSERT", "INSERT", "INSERT", "INSERT"]
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


def _submit(client, service, answers, key):
    return client.post(
        "/api/v1/applications",
        {"service": service.pk, "answers": answers},
        HTTP_AUTHORIZATION=f"Bearer {RAW}",
        HTTP_IDEMPOTENCY_KEY=key,
        content_type="application/json",
    )


def test_one_statement_path_writes_what_the_transactional_path_writes(province, info_service):
    """Both write paths (PostgreSQL's one statement, the ORM transaction) leave the same rows."""
    from etam.eservices import services
    from etam.eservices.models import Application, ApplicationEvent, NotificationDelivery

    ApiToken.objects.create(user=province.citizen, name="t", prefix=RAW[:12], key_hash=hash_token(RAW))
    response = _submit(Client(), info_service, info_answers(), "one")
    assert response.status_code == 201, response.content
    api_case = Application.objects.get(tracking_number=response.json()["tracking_number"])
    web_case = services.application_submit(
        actor=province.citizen, service=info_service, answers=api_case.all_answers(), idempotency_key="two"
    ).application
    web_case.refresh_from_db()

    def shape(case):
        events = list(ApplicationEvent.objects.filter(application=case).values("kind", "to_state", "actor_id"))
        outbox = sorted(NotificationDelivery.objects.filter(application=case).values_list("event", "channel"))
        audits = list(
            AuditEvent.objects.filter(object_type="eservices.application", object_id=str(case.pk)).values(
                "action", "object_repr", "institution_id", "agency_id", "changes"
            )
        )
        for row in audits:
            assert row.pop("object_repr") == case.tracking_number
        return {
            "state": case.state,
            "answers": case.all_answers(),
            "holder": case.holder_name,
            "due": (case.due_date, case.service_due_date),
            "digests": (case.nik_digest, case.phone_digest),
            "events": events,
            "outbox": outbox,
            "audits": audits,
        }

    assert shape(api_case) == shape(web_case)
    for event in AuditEvent.objects.filter(object_id__in=[str(api_case.pk), str(web_case.pk)]):
        assert audit.hash_matches(event)
    assert int(web_case.tracking_number[-6:]) == int(api_case.tracking_number[-6:]) + 1


def test_retry_returns_the_first_case_and_takes_no_number(province, info_service):
    ApiToken.objects.create(user=province.citizen, name="t", prefix=RAW[:12], key_hash=hash_token(RAW))
    client = Client()
    first = _submit(client, info_service, info_answers(), "same")
    again = _submit(client, info_service, info_answers(), "same")
    other = _submit(client, info_service, info_answers(), "next")
    assert first.status_code == again.status_code == other.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["tracking_number"] == first.json()["tracking_number"]
    assert again.json()["receipt_secret"] == first.json()["receipt_secret"]
    # The retry burned no number: the next case is the very next one.
    assert int(other.json()["tracking_number"][-6:]) == int(first.json()["tracking_number"][-6:]) + 1
    assert AuditEvent.objects.filter(action="eservices.application_submit").count() == 2


def test_cached_service_follows_closing_and_renaming(province, info_service):
    from etam.eservices.models import Service

    ApiToken.objects.create(user=province.citizen, name="t", prefix=RAW[:12], key_hash=hash_token(RAW))
    client = Client()
    assert _submit(client, info_service, info_answers(), "k1").status_code == 201
    info_service.agency.code = "BARU"
    info_service.agency.save()
    renamed = _submit(client, info_service, info_answers(), "k2")
    assert renamed.status_code == 201 and "-BARU-" in renamed.json()["tracking_number"]
    Service.objects.filter(pk=info_service.pk).update(status=Service.Status.RETIRED)  # no save(): no stamp change
    closed = _submit(client, info_service, info_answers(), "k3")
    assert closed.status_code == 422 and "body.service" in closed.content.decode()


def test_a_stale_copy_of_the_service_takes_no_number_and_is_reloaded(province, info_service):
    """The process's copy is checked by the statement that takes the number (ADR 0169): a
    change made without touching ``updated_at`` still counts, nothing is taken for the
    stale attempt, and the answer carries the current name."""
    from etam.eservices.models import Service

    ApiToken.objects.create(user=province.citizen, name="t", prefix=RAW[:12], key_hash=hash_token(RAW))
    client = Client()
    first = _submit(client, info_service, info_answers(), "s1")
    assert first.status_code == 201, first.content
    Service.objects.filter(pk=info_service.pk).update(name="Informasi Publik (baru)")  # no save()
    second = _submit(client, info_service, info_answers(), "s2")
    assert second.status_code == 201, second.content
    assert second.json()["service_name"] == "Informasi Publik (baru)"
    assert int(second.json()["tracking_number"][-6:]) == int(first.json()["tracking_number"][-6:]) + 1
    assert AuditEvent.objects.filter(action="eservices.application_submit").count() == 2
