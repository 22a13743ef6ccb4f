"""Fixtures of the electronic-services tests: published demo services on the shared province."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from etam.eservices import definitions, demo_definitions, services

# A real NIK shape: kecamatan 64.72.01 (Samarinda; current code), born 17-08-1990, female (+40).
NIK_WOMAN = "6472015708900001"
NIK_MAN = "6472011708900002"


def publish(actor, agency, definition):
    return services.service_import(
        actor=actor, agency=agency, document=demo_definitions.as_export(definition), publish=True
    )


@pytest.fixture(autouse=True)
def _dpmptsp_admin_signs(request):
    """In these tests the DPMPTSP admin (the approver) is also its signing official."""
    if "province" in request.fixturenames:
        from tests.conftest import make_signatory

        province = request.getfixturevalue("province")
        make_signatory(province.admin_dpmptsp, province.dpmptsp)


@pytest.fixture
def research_service(province):
    definition = demo_definitions.izin_penelitian()
    return publish(province.admin_dpmptsp, province.dpmptsp, definition)


@pytest.fixture
def info_service(province):
    """A service with no file fields (quick to submit)."""
    definition = demo_definitions.informasi_publik()
    definition["service"]["slug"] = "informasi-publik-uji"
    return publish(province.admin_dpmptsp, province.dpmptsp, definition)


def pdf_upload(name="surat.pdf", size=2000):
    body = b"%PDF-1.4\n" + b"0" * max(0, size - 9)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def address(kab="64.72", kec="64.72.01", desa=None):
    from etam.core.models import Region

    desa = desa or Region.objects.current().filter(parent_code=kec).order_by("code").values_list("code", flat=True)[0]
    return {"kabupaten_kota": kab, "kecamatan": kec, "desa_kelurahan": desa, "jalan": "Jl. Gajah Mada No. 1"}


def info_answers(**overrides):
    answers = {
        "nama": "Siti Rahmawati",
        "nik": NIK_WOMAN,
        "telepon": "+6281234567890",
        "email": "siti@example.id",
        "alamat": address(),
        "rincian": "Data realisasi anggaran dinas tahun 2025",
        "tujuan": "Penelitian skripsi",
        "cara_memperoleh": ["salinan_elektronik"],
    }
    answers.update(overrides)
    return answers


@pytest.fixture
def submitted(province, info_service):
    return services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())


@pytest.fixture
def case_file(province, submitted):
    """A file row attached to the ``submitted`` case (no bytes stored; for access checks)."""
    from etam.eservices.models import UploadedFile

    return UploadedFile.objects.create(
        owner=province.citizen,
        application=submitted.application,
        field_path="x",
        original_name="a.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
        file="eservices/berkas/x",
    )


def enrol_official(pki=None, nik=None, passphrase=None, name="Admin DPMPTSP"):
    """Register the fixture official at the (local demo) signing service."""
    from etam.eservices.signing.signer import get_signer
    from tests.conftest import OFFICIAL_NIK, OFFICIAL_PASSPHRASE

    target = pki or get_signer().pki
    target.enrol(nik=nik or OFFICIAL_NIK, name=name, passphrase=passphrase or OFFICIAL_PASSPHRASE)
    return target


def drive(application, actor, *actions, reason="alasan"):
    for action in actions:
        application = services.application_act(actor=actor, application=application, action=action, reason=reason)
    return application


__all__ = ["NIK_MAN", "NIK_WOMAN", "address", "drive", "enrol_official", "info_answers", "io", "pdf_upload", "publish"]


def new_version(province, service, *, publish):
    """A new version of `service` (same form, verification SLA 9 days); published if asked. Returns (old, new)."""
    old = service.published_version
    version = services.version_create(
        actor=province.admin_dpmptsp,
        service=service,
        form=old.form,
        workflow=definitions.default_workflow(verify_sla=9),
        document_template=old.document_template,
    )
    if publish:
        services.version_publish(actor=province.admin_dpmptsp, version=version)
        service.refresh_from_db()
    return old, version
