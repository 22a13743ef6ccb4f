"""The staff pages drive the same services: register, issue a key, ask, decide, see the log."""

from __future__ import annotations

import pytest

from etam.interop.models import Agreement, Consumer, ConsumerKey, DataService
from tests.helpers import client_for
from tests.interop.test_gateway import call

pytestmark = pytest.mark.django_db


def test_the_agreement_cycle_through_the_pages(province, parties, provider_server):
    provider = client_for(province.admin_diskominfo)
    answer = provider.post(
        "/staf/interop/layanan/baru/",
        {
            "agency": province.diskominfo.pk,
            "code": "data-desa",
            "name": "Data desa",
            "description": "",
            "host": parties.host.pk,
            "path": "/desa",
            "method": "GET",
            "input_schema": "",
            "output_schema": "{}",
            "access": "terbatas",
            "quota_per_day": 10,
            "sla_response_ms": 500,
            "sla_availability": "99.5",
            "status": "aktif",
            "contact_name": "Aptika",
            "contact_email": "aptika@example.id",
        },
    )
    service = DataService.objects.get(code="data-desa")
    assert answer.status_code == 302 and answer["Location"] == f"/staf/interop/layanan/{service.pk}/"

    consumer_side = client_for(province.admin_dpmptsp)
    consumer_side.post(f"/staf/interop/konsumen/{parties.consumer.pk}/kunci/")
    page = consumer_side.get(f"/staf/interop/konsumen/{parties.consumer.pk}/")
    raw = page.context["new_key"]
    assert raw.startswith("etamx_") and raw in page.content.decode()
    assert consumer_side.get(f"/staf/interop/konsumen/{parties.consumer.pk}/").context["new_key"] is None  # shown once
    consumer_side.post(
        f"/staf/interop/konsumen/{parties.consumer.pk}/",
        {"service": service.pk, "purpose": "Peta desa", "legal_basis": "", "quota_per_day": "", "valid_until": ""},
    )
    agreement = Agreement.objects.get(service=service)
    assert agreement.status == Agreement.Status.REQUESTED

    listing = provider.get("/staf/interop/layanan/")
    assert "SiCantik DPMPTSP" in listing.content.decode()  # waiting for a decision
    refused = provider.post(f"/staf/interop/perjanjian/{agreement.pk}/putusan/", {"approve": "1", "reason": ""})
    assert refused.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.REQUESTED  # no reason, no decision
    provider.post(f"/staf/interop/perjanjian/{agreement.pk}/putusan/", {"approve": "1", "reason": "Untuk peta desa"})
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.APPROVED

    assert call("data-desa", raw).status_code == 200
    for side in (provider, consumer_side):
        log = side.get("/staf/interop/log/?service=data-desa").content.decode()
        assert "data-desa" in log and ">ok<" in log


def test_a_form_error_keeps_what_was_typed(province, parties):
    page = client_for(province.admin_dpmptsp).post(
        "/staf/interop/konsumen/baru/",
        {
            "agency": province.dpmptsp.pk,
            "name": "Sistem BKD",
            "kind": "instansi_luar",
            "organisation": "",
            "contact_name": "Pak Budi",
            "contact_email": "budi@example.id",
        },
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "Organisasi: sebutkan instansi luar" in body and 'value="Sistem BKD"' in body
    assert not Consumer.objects.filter(name="Sistem BKD").exists()
    assert ConsumerKey.objects.count() == 0
