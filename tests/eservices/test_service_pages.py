"""The staff pages that create, edit and import a service: a service refusal lands on the form
(field by field, unknown fields form-wide: core.formerrors.call_service), never as a 500."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from etam.eservices import demo_definitions
from etam.eservices import services as eservices
from etam.eservices.models import Service

pytestmark = pytest.mark.django_db


def _admin(province):
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(province.admin_dpmptsp)
    return client


def _fields(province, **overrides):
    data = {
        "agency": province.dpmptsp.pk,
        "name": "Izin Reklame",
        "code": "IRK",
        "summary": "Izin memasang reklame.",
        "eligibility": "",
        "requirements": "",
        "legal_basis": "",
        "fee": "0",
        "sla_days": "5",
        "output_document": "Surat izin",
        "sector": "pekerjaan_usaha",
    }
    data.update(overrides)
    return data


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("layanan.json", content, content_type="application/json")


def test_an_admin_creates_then_edits_a_service(province):
    client = _admin(province)
    response = client.post(reverse("eservices:service_new"), _fields(province))
    service = Service.objects.get(code="IRK")
    assert response.status_code == 302 and response.url == reverse("eservices:service_edit", args=[service.pk])
    response = client.post(reverse("eservices:service_edit", args=[service.pk]), _fields(province, name="Izin Baliho"))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Izin Baliho"


def test_a_service_refusal_on_a_field_the_form_lacks_is_shown_form_wide(province, monkeypatch):
    client = _admin(province)
    client.post(reverse("eservices:service_new"), _fields(province))
    service = Service.objects.get(code="IRK")

    def refuse(**kwargs):
        raise ValidationError({"slug": ["Nama alamat: sudah dipakai layanan lain."]})

    monkeypatch.setattr(eservices, "service_update", refuse)
    response = client.post(reverse("eservices:service_edit", args=[service.pk]), _fields(province, name="Baru"))
    assert response.status_code == 200
    assert "Nama alamat: sudah dipakai layanan lain." in response.content.decode()
    service.refresh_from_db()
    assert service.name == "Izin Reklame"


def test_import_reads_a_definition_and_refuses_a_broken_file(province):
    client = _admin(province)
    document = json.dumps(demo_definitions.as_export(demo_definitions.izin_penelitian())).encode()
    broken = client.post(
        reverse("eservices:service_import"),
        {"agency": province.dpmptsp.pk, "definition": _upload(b"{bukan json")},
    )
    assert broken.status_code == 200
    assert broken.context["form"].errors["definition"][0].startswith("Definisi layanan:")
    assert not Service.objects.exists()
    response = client.post(
        reverse("eservices:service_import"), {"agency": province.dpmptsp.pk, "definition": _upload(document)}
    )
    assert response.status_code == 302
    assert Service.objects.filter(agency=province.dpmptsp).count() == 1
