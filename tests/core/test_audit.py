import pytest
from django.db import transaction

from etam.core import audit
from etam.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(n, province):
    with transaction.atomic():
        return [
            audit.record(actor=province.admin_kaltim, action="core.test", target=province.dpmptsp, after={"i": i})
            for i in range(n)
        ]


def test_untouched_trail_verifies(province):
    _events(3, province)
    audit.seal_pending()
    _events(2, province)
    report = audit.verify()
    assert report.ok, report.problems
    assert report.unsealed_events == 2
    assert report.seals_checked == 1


def test_edited_event_is_detected(province):
    events = _events(3, province)
    audit.seal_pending()
    AuditEvent.objects.filter(pk=events[1].pk).update(action="core.forged")
    report = audit.verify()
    assert not report.ok
    assert any(f"event {events[1].pk}" in p for p in report.problems)


def test_deleted_event_is_detected(province):
    events = _events(3, province)
    audit.seal_pending()
    AuditEvent.objects.filter(pk=events[0].pk).delete()
    assert not audit.verify().ok


def test_swapped_events_with_recomputed_hashes_are_detected(province):
    a, b = _events(2, province)[:2]
    audit.seal_pending()
    # A forger swaps the content of two events and recomputes both content hashes.
    AuditEvent.objects.filter(pk=a.pk).update(changes=b.changes)
    AuditEvent.objects.filter(pk=b.pk).update(changes=a.changes)
    for event in AuditEvent.objects.filter(pk__in=[a.pk, b.pk]):
        AuditEvent.objects.filter(pk=event.pk).update(content_hash=audit.content_hash_of(event))
    report = audit.verify()
    assert not report.ok
    assert any("digest mismatch" in p for p in report.problems)


@pytest.mark.django_db(transaction=True)
def test_record_refuses_outside_a_transaction(province):
    with pytest.raises(RuntimeError):
        audit.record(actor=province.admin_kaltim, action="core.test", target=province.dpmptsp)


# --- Tamper tests through the command an operator runs -------------------------------

from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402

from etam.core.context import RequestContext, current_request  # noqa: E402
from etam.core.models import AuditSeal  # noqa: E402


def run_verify(*args):
    """(exit code, stdout, stderr) of ``manage.py audit_verify``."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _sealed_trail(province, batches=(3, 2, 2)):
    """Several seals, so tampering can hit the middle and the end of the chain."""
    events = []
    for size in batches:
        events += _events(size, province)
        audit.seal_pending()
    return events


def test_untouched_trail_passes_audit_verify_with_counts(province):
    _sealed_trail(province)
    _events(1, province)  # one still pending
    code, out, err = run_verify()
    assert code == 0, err
    assert "events checked: 8" in out
    assert "seals checked: 3" in out
    assert "unsealed events: 1" in out
    assert "problems: 0" in out
    assert "audit trail intact" in out
    assert err == ""


def test_audit_verify_fails_on_edited_event(province):
    events = _sealed_trail(province)
    AuditEvent.objects.filter(pk=events[4].pk).update(changes={"before": {}, "after": {"i": 99}})
    code, _out, err = run_verify()
    assert code == 1
    assert f"event {events[4].pk}: content does not match its hash" in err


def test_audit_verify_fails_on_edited_event_with_recomputed_hash(province):
    events = _sealed_trail(province)
    AuditEvent.objects.filter(pk=events[4].pk).update(object_repr="someone else")
    forged = AuditEvent.objects.get(pk=events[4].pk)
    AuditEvent.objects.filter(pk=forged.pk).update(content_hash=audit.content_hash_of(forged))
    code, _out, err = run_verify()
    assert code == 1
    seal_id = AuditEvent.objects.get(pk=events[4].pk).seal_id
    assert f"seal {seal_id}: digest mismatch" in err


def test_audit_verify_fails_on_deleted_event(province):
    events = _sealed_trail(province)
    seal_id = events[1].seal_id or AuditEvent.objects.get(pk=events[1].pk).seal_id
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    code, _out, err = run_verify()
    assert code == 1
    assert f"seal {seal_id}: holds 2 events, sealed 3" in err


def test_audit_verify_fails_on_reordered_events(province):
    events = _sealed_trail(province)
    a = AuditEvent.objects.get(pk=events[0].pk)
    b = AuditEvent.objects.get(pk=events[2].pk)
    # Swap every column of two rows (content and hash): each row is self-consistent,
    # only the order the seal committed to has changed.
    columns = ["occurred_at", "action", "object_id", "object_repr", "changes", "content_hash"]
    values_a = {c: getattr(a, c) for c in columns}
    values_b = {c: getattr(b, c) for c in columns}
    AuditEvent.objects.filter(pk=a.pk).update(**values_b)
    AuditEvent.objects.filter(pk=b.pk).update(**values_a)
    code, _out, err = run_verify()
    assert code == 1
    assert "digest mismatch" in err


def test_audit_verify_fails_on_forged_seal(province):
    """A forger who edits an event, fixes its hash and recomputes the seal digest still
    fails: the HMAC key is not in the database."""
    events = _sealed_trail(province, batches=(3,))
    AuditEvent.objects.filter(pk=events[0].pk).update(action="core.nothing_happened")
    forged = AuditEvent.objects.get(pk=events[0].pk)
    AuditEvent.objects.filter(pk=forged.pk).update(content_hash=audit.content_hash_of(forged))
    seal = AuditSeal.objects.get()
    members = list(seal.events.order_by("id").values_list("id", "content_hash"))
    AuditSeal.objects.filter(pk=seal.pk).update(digest=audit._seal_digest(audit.GENESIS, members, "guessed-key"))
    code, _out, err = run_verify()
    assert code == 1
    assert f"seal {seal.pk}: digest mismatch" in err
    # The same forgery made WITH the real key would pass: the key is what protects the chain.
    AuditSeal.objects.filter(pk=seal.pk).update(digest=audit._seal_digest(audit.GENESIS, members))
    assert run_verify()[0] == 0


def test_audit_verify_fails_on_deleted_seal_in_the_middle(province):
    _sealed_trail(province)
    first, middle, last = AuditSeal.objects.order_by("id")
    # Remove the middle seal and its events, then re-link the chain around the hole.
    # (Raw delete: the ORM's PROTECT would refuse; the database's deferred FK check does not
    # fire because the hole is closed before commit.)
    AuditEvent.objects.filter(seal=middle).delete()
    AuditSeal.objects.filter(pk=middle.pk)._raw_delete(using="default")
    AuditSeal.objects.filter(pk=last.pk).update(previous=first)
    code, _out, err = run_verify()
    assert code == 1
    assert f"seal {last.pk}: digest mismatch" in err


def test_audit_verify_fails_on_deleted_seal_at_the_end_given_the_logged_head(province, caplog):
    _sealed_trail(province)
    head = AuditSeal.objects.order_by("-id").first()
    # The sealer logs each head, so it is known outside the database.
    assert any(f"audit seal #{head.pk} digest={head.digest}" in r.getMessage() for r in caplog.records)
    assert run_verify(f"--expect-seal={head.pk}:{head.digest}")[0] == 0
    # Truncate: unlink the events of the last seal and delete it.
    AuditEvent.objects.filter(seal=head).update(seal=None)
    AuditSeal.objects.filter(pk=head.pk).delete()
    code, _out, err = run_verify(f"--expect-seal={head.pk}:{head.digest}")
    assert code == 1
    assert f"seal {head.pk}: recorded outside the database but missing" in err


def test_audit_verify_rejects_a_malformed_expected_seal(province):
    with pytest.raises(CommandError):
        call_command("audit_verify", "--expect-seal=not-a-seal", stdout=StringIO(), stderr=StringIO())


def test_event_moved_between_seals_is_detected(province):
    events = _sealed_trail(province)
    seals = list(AuditSeal.objects.order_by("id"))
    AuditEvent.objects.filter(pk=events[0].pk).update(seal=seals[1])
    code, _out, err = run_verify()
    assert code == 1
    assert f"seal {seals[0].pk}: holds 2 events, sealed 3" in err


@override_settings(AUDIT_SEAL_KEY="new-key-after-rotation", AUDIT_SEAL_KEY_FALLBACKS=["old-key"])
def test_seals_made_with_a_retired_key_still_verify(province):
    with override_settings(AUDIT_SEAL_KEY="old-key"):
        _sealed_trail(province, batches=(2,))
    _sealed_trail(province, batches=(2,))
    assert audit.verify().ok
    with override_settings(AUDIT_SEAL_KEY_FALLBACKS=[]):
        assert not audit.verify().ok


def test_ipv6_and_mapped_addresses_hash_as_stored(province):
    for address in ("2001:0db8:0000:0000:0000:0000:0000:0001", "::ffff:10.0.0.7", "not-an-ip"):
        token = current_request.set(RequestContext(ip_address=address, user_agent="x" * 300, request_id="r"))
        try:
            _events(1, province)
        finally:
            current_request.reset(token)
    assert list(AuditEvent.objects.order_by("id").values_list("ip_address", flat=True)) == [
        "2001:db8::1",
        "10.0.0.7",
        None,
    ]
    audit.seal_pending()
    report = audit.verify()
    assert report.ok, report.problems


def test_token_actor_is_labelled_with_the_token(province):
    user = province.admin_kaltim

    class _Token:
        prefix = "etam_abc1234"

    user._etam_api_token = _Token()
    with transaction.atomic():
        event = audit.record(actor=user, action="core.test", target=province.dpmptsp)
    assert event.actor_label == "Admin Kaltim [token etam_abc1234]"
    assert event.actor_id == user.pk


# --- The sealing job through the real task queue --------------------------------------


# The worker closes connections between jobs (close_old_connections), which ends a test
# transaction on PostgreSQL, so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_seal_job_runs_through_the_database_queue(province):
    from django_tasks_db.models import DBTaskResult

    from etam.core.tasks import seal_audit_events

    _events(4, province)
    assert AuditEvent.objects.filter(seal__isnull=True).count() == 4
    result = seal_audit_events.enqueue()
    assert DBTaskResult.objects.filter(pk=result.id, status="READY").exists()
    assert AuditEvent.objects.filter(seal__isnull=True).count() == 4  # nothing ran yet
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)
    assert AuditEvent.objects.filter(seal__isnull=True).count() == 0
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == 4
    assert audit.verify().ok


def test_concurrent_sealers_do_not_fork_the_chain(province):
    # Two sealers in a row (the second finds the first's seal as head) never fork.
    _events(2, province)
    first = audit.seal_pending()
    _events(1, province)
    second = audit.seal_pending()
    assert second.previous_id == first.pk
    assert audit.seal_pending() is None
    assert connection.vendor in {"sqlite", "postgresql"}
