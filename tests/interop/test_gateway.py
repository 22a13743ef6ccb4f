"""The gateway: the whole agreement cycle, every refusal, the provider's failures (issue 16)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from etam.core.models import AuditEvent
from etam.interop import ledger, services
from etam.interop.models import Agreement, Exchange
from tests.interop.conftest import make_service

pytestmark = pytest.mark.django_db


def call(code, key, *, method="get", query="", body=None):
    client = Client()
    url = f"/api/v1/interop/gateway/{code}" + (f"?{query}" if query else "")
    headers = {"HTTP_X_CONSUMER_KEY": key} if key is not None else {}
    if method == "post":
        return client.post(url, data=json.dumps(body or {}), content_type="application/json", **headers)
    return client.get(url, **headers)


def approved(province, parties, **kwargs):
    agreement = services.agreement_request(
        actor=province.admin_dpmptsp, consumer=parties.consumer, service=parties.service, purpose="Cek pajak", **kwargs
    )
    return services.agreement_decide(
        actor=province.admin_diskominfo, agreement=agreement, approve=True, reason="Sesuai kebutuhan"
    )


def test_the_agreement_cycle_from_request_to_a_logged_exchange(province, parties, provider_server):
    _key, raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    refused = call("bapenda-pajak", raw)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "no_agreement"
    assert provider_server.hits == []

    agreement = services.agreement_request(
        actor=province.admin_dpmptsp, consumer=parties.consumer, service=parties.service, purpose="Cek pajak"
    )
    assert agreement.status == Agreement.Status.REQUESTED
    assert call("bapenda-pajak", raw).status_code == 403  # still waiting for the provider

    services.agreement_decide(actor=province.admin_diskominfo, agreement=agreement, approve=True, reason="OK")
    answer = call("bapenda-pajak", raw, query="nop=6472&tahun=2026")
    assert answer.status_code == 200
    body = answer.json()
    assert body["path"] == "/pajak?nop=6472&tahun=2026"
    assert body["exchange"] == answer["X-Etam-Exchange-Id"]
    assert provider_server.hits == ["/pajak?nop=6472&tahun=2026"]

    entry = Exchange.objects.get(exchange_id=answer["X-Etam-Exchange-Id"])
    assert (entry.consumer, entry.service, entry.agreement) == (parties.consumer, parties.service, agreement)
    assert entry.outcome == "ok" and entry.status_code == 200
    assert len(entry.request_digest) == 64 and len(entry.response_digest) == 64
    assert "6472" not in json.dumps(ledger.hashed_content(entry))  # digests, not the data
    assert ledger.verify().ok


def test_an_open_service_is_granted_on_request(province, parties):
    service = make_service(province, parties.host, code="wilayah", access="terbuka", quota_per_day=7)
    agreement = services.agreement_request(
        actor=province.admin_dpmptsp, consumer=parties.consumer, service=service, purpose="Kode wilayah"
    )
    assert agreement.status == Agreement.Status.APPROVED and agreement.quota_per_day == 7


@pytest.mark.parametrize("offered", [None, "", "rahasia", "etamx_", "etamx_abcd_wrong-secret"])
def test_a_missing_or_unknown_key_is_refused_and_logged(province, parties, provider_server, offered):
    approved(province, parties)
    answer = call("bapenda-pajak", offered)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_key"
    assert provider_server.hits == []
    entry = Exchange.objects.get()
    assert entry.consumer is None and entry.outcome == "invalid_key" and entry.status_code == 401


def test_a_revoked_key_and_a_revoked_agreement_are_refused_at_once(province, parties, provider_server):
    agreement = approved(province, parties)
    key, raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    _other, raw2 = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    assert call("bapenda-pajak", raw).status_code == 200
    services.consumer_key_revoke(actor=province.admin_dpmptsp, key=key)
    assert call("bapenda-pajak", raw).json()["error"]["code"] == "key_revoked"
    assert call("bapenda-pajak", raw2).status_code == 200  # rotation: the new key goes on working
    services.agreement_revoke(actor=province.admin_diskominfo, agreement=agreement, reason="Kebutuhan selesai")
    assert call("bapenda-pajak", raw2).json()["error"]["code"] == "no_agreement"
    assert len(provider_server.hits) == 2


def test_the_quota_is_counted_per_agreement(province, parties, provider_server):
    approved(province, parties, quota_per_day=2)
    _key, raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    assert [call("bapenda-pajak", raw).status_code for _ in range(2)] == [200, 200]
    refused = call("bapenda-pajak", raw)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "quota_exceeded"
    assert int(refused["Retry-After"]) >= 1
    assert len(provider_server.hits) == 2


def test_the_wrong_method_and_an_unknown_service(province, parties, provider_server):
    approved(province, parties)
    _key, raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    assert call("bapenda-pajak", raw, method="post").json()["error"]["code"] == "method_not_allowed"
    assert call("tidak-ada", raw).status_code == 404
    assert provider_server.hits == []


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/broken", 503, "provider_unavailable"),
        ("/forbidden", 502, "provider_error"),
        ("/not-json", 502, "provider_malformed"),
    ],
)
def test_a_failing_provider_is_answered_in_the_envelope(province, parties, path, status, code):
    parties.service.path = path
    parties.service.save()
    approved(province, parties)
    _key, raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    answer = call("bapenda-pajak", raw)
    assert answer.status_code == status and answer.json()["error"]["code"] == code
    assert Exchange.objects.get().outcome == code


def test_a_slow_provider_times_out(province, parties, settings):
    settings.INTEROP_PROVIDER_TIMEOUT = 1.0
    settings.INTEROP_PROVIDER_ATTEMPTS = 1
    parties.service.path = "/slow"
    parties.service.save()
    approved(province, parties)
    _key, raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    answer = call("bapenda-pajak", raw)
    assert answer.status_code == 504 and answer.json()["error"]["code"] == "provider_timeout"


def test_the_breaker_stops_calling_a_provider_that_keeps_failing(province, parties, provider_server, settings):
    settings.INTEROP_PROVIDER_ATTEMPTS = 1
    parties.service.path = "/broken"
    parties.service.save()
    approved(province, parties, quota_per_day=50)
    _key, raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    for _ in range(7):
        assert call("bapenda-pajak", raw).status_code == 503
    assert len(provider_server.hits) == 5  # fail_max: the last two never left the node


def test_a_private_address_needs_the_admins_allowance_in_production(province, parties, provider_server, settings):
    settings.INTEROP_REFUSE_PRIVATE_ADDRESSES = True
    approved(province, parties)
    _key, raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    answer = call("bapenda-pajak", raw)
    assert answer.status_code == 502 and answer.json()["error"]["code"] == "provider_address_refused"
    assert provider_server.hits == []
    parties.host.allow_private_address = True
    parties.host.save()
    assert call("bapenda-pajak", raw).status_code == 200


def test_a_post_service_forwards_the_json_body(province, parties, provider_server):
    service = make_service(province, parties.host, code="cek-nib", path="/nib", method="POST", access="terbuka")
    services.agreement_request(actor=province.admin_dpmptsp, consumer=parties.consumer, service=service, purpose="NIB")
    _key, raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    answer = call("cek-nib", raw, method="post", body={"nib": "1234567890123"})
    assert answer.status_code == 200 and json.loads(answer.json()["received"]) == {"nib": "1234567890123"}


def test_bad_input_names_the_field_and_saves_nothing(province, parties):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.agreement_request(
            actor=province.admin_dpmptsp, consumer=parties.consumer, service=parties.service, purpose=" "
        )
    assert "purpose" in error.value.message_dict
    agreement = services.agreement_request(
        actor=province.admin_dpmptsp, consumer=parties.consumer, service=parties.service, purpose="Cek"
    )
    with pytest.raises(ValidationError) as error:
        services.agreement_decide(actor=province.admin_diskominfo, agreement=agreement, approve=True, reason="")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.agreement_request(
            actor=province.admin_dpmptsp, consumer=parties.consumer, service=parties.service, purpose="Lagi"
        )
    assert "service" in error.value.message_dict  # one live agreement per system and service
    with pytest.raises(ValidationError) as error:
        make_service(province, parties.host, code="x", path="pajak")
    assert "path" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.host_register(actor=province.superadmin, base_url="ftp://example.id/path")
    assert "base_url" in error.value.message_dict
    assert AuditEvent.objects.count() == before + 1  # only the one agreement that was valid
