"""Every interop permission refuses the wrong user, and nothing changes (no row, no audit event)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from etam.core.models import AuditEvent
from etam.interop import services
from etam.interop.models import Agreement, Consumer, ConsumerKey, DataService, ProviderHost
from tests.helpers import client_for
from tests.interop.conftest import make_consumer, make_service

pytestmark = pytest.mark.django_db


def refused(action):
    counts = [m.objects.count() for m in (AuditEvent, DataService, Consumer, ConsumerKey, Agreement, ProviderHost)]
    with pytest.raises(PermissionDenied):
        action()
    assert counts == [
        m.objects.count() for m in (AuditEvent, DataService, Consumer, ConsumerKey, Agreement, ProviderHost)
    ]


def test_only_a_super_admin_registers_a_provider_host(province):
    for user in (province.admin_kaltim, province.coordinator_kaltim, province.admin_diskominfo):
        refused(lambda user=user: services.host_register(actor=user, base_url="https://api.example.id"))


def test_a_service_is_registered_only_for_an_opd_one_manages(province, parties):
    for user in (
        province.admin_dpmptsp,
        province.producer_diskominfo,
        province.admin_samarinda,
        province.officer_dpmptsp,
    ):
        refused(
            lambda user=user: services.service_register(
                actor=user,
                agency=province.diskominfo,
                code="x",
                name="x",
                host=parties.host,
                path="/x",
                contact_name="x",
                contact_email="x@example.id",
            )
        )
    refused(lambda: services.service_update(actor=province.admin_dpmptsp, service=parties.service, name="Diubah"))


def test_consumers_keys_and_requests_belong_to_the_consumers_opd(province, parties):
    refused(lambda: make_consumer(province, "x", actor=province.admin_diskominfo))
    refused(lambda: services.consumer_key_issue(actor=province.admin_diskominfo, consumer=parties.consumer))
    refused(
        lambda: services.agreement_request(
            actor=province.admin_samarinda, consumer=parties.consumer, service=parties.service, purpose="x"
        )
    )
    key, _raw = services.consumer_key_issue(actor=province.admin_dpmptsp, consumer=parties.consumer)
    refused(lambda: services.consumer_key_revoke(actor=province.admin_samarinda, key=key))


def test_only_the_provider_decides_and_only_the_parties_revoke(province, parties):
    agreement = services.agreement_request(
        actor=province.admin_dpmptsp, consumer=parties.consumer, service=parties.service, purpose="x"
    )
    for user in (province.admin_dpmptsp, province.admin_samarinda, province.steward_kaltim):
        refused(lambda user=user: services.agreement_decide(actor=user, agreement=agreement, approve=True, reason="ok"))
    refused(lambda: services.agreement_revoke(actor=province.admin_samarinda, agreement=agreement, reason="x"))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.REQUESTED


def test_staff_pages_refuse_the_wrong_user(province, parties):
    assert client_for(province.citizen).get("/staf/interop/layanan/").status_code == 403
    assert client_for(province.officer_dpmptsp).get("/staf/interop/log/").status_code == 403
    other = client_for(province.admin_samarinda)
    assert other.get(f"/staf/interop/konsumen/{parties.consumer.pk}/").status_code == 404
    before = ConsumerKey.objects.count()
    assert other.post(f"/staf/interop/konsumen/{parties.consumer.pk}/kunci/").status_code == 404
    assert ConsumerKey.objects.count() == before


def test_the_public_catalogue_lists_only_active_open_services(province, parties, client):
    make_service(province, parties.host, code="terbuka-aktif", access="terbuka")
    make_service(province, parties.host, code="terbuka-draf", access="terbuka", status="draf")
    listed = {s["code"] for s in client.get("/api/v1/interop/services").json()}
    assert listed == {"terbuka-aktif"}  # the restricted fixture service is not public
    assert client.get("/api/v1/interop/services/bapenda-pajak").status_code == 404
    document = client.get("/api/v1/interop/services/terbuka-aktif/openapi.json").json()
    assert document["openapi"].startswith("3.") and "/terbuka-aktif" in document["paths"]
    assert document["components"]["securitySchemes"]["consumerKey"]["name"] == "X-Consumer-Key"
    page = client.get("/interoperabilitas/")
    assert page.status_code == 200 and b"terbuka-aktif" in page.content and b"bapenda-pajak" not in page.content
