"""The exchange log verifies, and fails after each kind of tampering; receipts check out."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from etam.interop import ledger, services
from etam.interop.models import Exchange
from tests.interop.conftest import make_consumer
from tests.interop.test_gateway import approved, call

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(province, parties):
    approved(province, parties, quota_per_day=50)
    _key, raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    answers = [call("bapenda-pajak", raw, query=f"n={n}") for n in range(4)]
    call("bapenda-pajak", "etamx_nope_nope")  # a refusal is an entry too
    assert all(a.status_code == 200 for a in answers)
    return raw, [a["X-Etam-Exchange-Id"] for a in answers]


def test_an_untouched_log_verifies(logged, capsys):
    report = ledger.verify()
    assert report.ok and report.entries == 5
    call_command("interop_verify")
    assert "5 entries" in capsys.readouterr().out


def test_an_edited_entry_is_found(logged):
    entry = Exchange.objects.order_by("id")[1]
    Exchange.objects.filter(pk=entry.pk).update(status_code=404)
    report = ledger.verify()
    assert [p for p in report.problems if f"#{entry.pk} " in p and "diubah" in p]
    with pytest.raises(CommandError):
        call_command("interop_verify")


def test_a_deleted_entry_is_found(logged):
    entries = list(Exchange.objects.order_by("id"))
    entries[2].delete()
    report = ledger.verify()
    assert any(f"#{entries[3].pk} " in p and "tidak menyambung" in p for p in report.problems)


def test_deleting_the_newest_entry_is_found(logged):
    Exchange.objects.order_by("-id").first().delete()
    report = ledger.verify()
    assert any("ujung rantai" in p for p in report.problems)


def test_reordered_entries_are_found(logged):
    first, second = list(Exchange.objects.order_by("id")[:2])
    columns = [
        f.attname for f in Exchange._meta.concrete_fields if f.attname not in ("id", "exchange_id", "entry_hash")
    ]
    a = {c: getattr(first, c) for c in columns}
    b = {c: getattr(second, c) for c in columns}
    # Swap everything but the unique columns, as a reordering by hand would.
    Exchange.objects.filter(pk=first.pk).update(**b, entry_hash="x" * 64)
    Exchange.objects.filter(pk=second.pk).update(**a, entry_hash=first.entry_hash)
    Exchange.objects.filter(pk=first.pk).update(entry_hash=second.entry_hash)
    assert not ledger.verify().ok


def test_a_forged_signature_is_found(logged):
    entry = Exchange.objects.order_by("id").first()
    Exchange.objects.filter(pk=entry.pk).update(signature="A" * 86)
    assert any("tanda tangan" in p for p in ledger.verify().problems)


def test_the_consumer_fetches_a_receipt_that_checks_out_with_the_node_key(logged, province, parties):
    raw, ids = logged
    client = Client()
    receipt = client.get(f"/api/v1/interop/exchanges/{ids[0]}/receipt", HTTP_X_CONSUMER_KEY=raw).json()
    node_key = client.get("/api/v1/interop/node-key").json()["public_key"]
    assert ledger.receipt_valid(receipt, node_key)
    assert not ledger.receipt_valid({**receipt, "status_code": 500}, node_key)
    # Another system's key does not see it.
    other = make_consumer(province, "Lain")
    _k, other_raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=other)
    assert client.get(f"/api/v1/interop/exchanges/{ids[0]}/receipt", HTTP_X_CONSUMER_KEY=other_raw).status_code == 404
    assert client.get(f"/api/v1/interop/exchanges/{ids[0]}/receipt").status_code == 401


def test_both_sides_see_the_exchange_and_nobody_else(logged, province):
    from tests.helpers import client_for

    _raw, ids = logged
    for user in (province.admin_diskominfo, province.admin_dpmptsp, province.admin_kaltim):
        listed = client_for(user).get("/api/v1/interop/exchanges").json()
        assert ids[0] in {row["exchange_id"] for row in listed["results"]}
        assert client_for(user).get(f"/api/v1/interop/exchanges/{ids[0]}/receipt").status_code == 200
    for user in (province.admin_samarinda, province.officer_dpmptsp, province.citizen):
        listed = client_for(user).get("/api/v1/interop/exchanges").json()
        assert listed["count"] == 0
        assert client_for(user).get(f"/api/v1/interop/exchanges/{ids[0]}/receipt").status_code == 404


def test_the_exchange_list_filters_by_outcome_service_and_date(logged, province):
    from tests.helpers import client_for

    client = client_for(province.admin_diskominfo)

    def count(query):
        return client.get(f"/api/v1/interop/exchanges?{query}").json()["count"]

    everything = client.get("/api/v1/interop/exchanges").json()
    (outcome,) = {row["outcome"] for row in everything["results"]}
    assert everything["count"] == 4
    assert count(f"outcome={outcome}&service=bapenda-pajak&until=2999-12-31") == 4
    assert count("outcome=tidak-ada") == count("service=tidak-ada") == count("since=2999-01-01") == 0
