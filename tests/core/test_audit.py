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
