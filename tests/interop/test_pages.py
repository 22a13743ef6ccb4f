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


def test_the_api_registers_a_service_and_a_consumer_and_issues_a_key(province, parties, provider_server):
    provider = client_for(province.admin_diskominfo)
    created = provider.post(
        "/api/v1/interop/services",
        {
            "agency_id": province.diskominfo.pk,
            "code": "data-sekolah",
            "name": "Data sekolah",
            "host_id": parties.host.pk,
            "path": "/sekolah",
            "access": "terbuka",
            "status": "aktif",
            "contact_name": "Aptika",
            "contact_email": "aptika@example.id",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["code"] == "data-sekolah"
    other_opd = client_for(province.admin_dpmptsp).post(
        "/api/v1/interop/services",
        {
            "agency_id": province.diskominfo.pk,
            "code": "x",
            "name": "x",
            "host_id": parties.host.pk,
            "path": "/x",
            "contact_name": "x",
            "contact_email": "x@example.id",
        },
        content_type="application/json",
    )
    assert other_opd.status_code == 404 and not DataService.objects.filter(code="x").exists()

    consumer_side = client_for(province.admin_dpmptsp)
    consumer = consumer_side.post(
        "/api/v1/interop/consumers",
        {
            "agency_id": province.dpmptsp.pk,
            "name": "Aplikasi PTSP",
            "contact_name": "A",
            "contact_email": "a@example.id",
        },
        content_type="application/json",
    ).json()
    key = consumer_side.post(f"/api/v1/interop/consumers/{consumer['id']}/keys").json()
    consumer_side.post(
        "/api/v1/interop/agreements",
        {"consumer_id": consumer["id"], "service_code": "data-sekolah", "purpose": "Daftar sekolah"},
        content_type="application/json",
    )
    assert call("data-sekolah", key["key"]).status_code == 200
    assert consumer_side.post(f"/api/v1/interop/keys/{key['id']}/revocation").status_code == 200
    assert call("data-sekolah", key["key"]).status_code == 401
    assert (
        client_for(province.admin_samarinda).post(f"/api/v1/interop/consumers/{consumer['id']}/keys").status_code == 404
    )
