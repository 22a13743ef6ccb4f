"""Fixtures of the blank-spot tests: a small published service (no address, one optional
file) on the shared province, and helpers to build outbox items and signed bundles."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from etam.eservices import definitions, services
from etam.eservices.submission_form import FormData
from etam.offline import services as offline

NIK = "6472015708900001"  # Samarinda kecamatan 64.72.01, born 17-08-1990, female (+40)


def _t(text: str) -> dict[str, str]:
    return {"id": text, "en": text}


def definition(slug: str = "surat-keterangan-uji", extra_field: dict[str, Any] | None = None) -> dict[str, Any]:
    fields: list[dict[str, Any]] = [
        {"name": "nama", "type": "text", "label": _t("Nama lengkap"), "holder_name": True, "max_length": 150},
        {"name": "nik", "type": "nik", "label": _t("NIK")},
        {"name": "telepon", "type": "phone", "label": _t("Nomor HP")},
        {"name": "keperluan", "type": "long_text", "label": _t("Keperluan"), "max_length": 2000},
        {"name": "lampiran", "type": "file", "label": _t("Lampiran"), "required": False, "max_size_kb": 2048},
    ]
    if extra_field:
        fields.append(extra_field)
    return {
        "format": definitions.EXPORT_FORMAT,
        "service": {
            "code": "SKU",
            "slug": slug,
            "name": "Surat Keterangan Uji",
            "summary": "Layanan uji untuk modul luring.",
            "requirements": ["KTP"],
            "legal_basis": [],
            "fee": 0,
            "sla_days": 5,
            "output_document": "Surat Keterangan",
            "sector": "komunikasi_informasi",
            "contact": "",
        },
        "form": {"pages": [{"id": "data", "title": _t("Data pemohon"), "fields": fields}]},
        "workflow": definitions.default_workflow(verify_sla=2, approve_sla=2),
        "document_template": {"title": "Surat Keterangan", "number_prefix": "SKU", "body": ["Untuk {holder}."]},
    }


@pytest.fixture
def service(province):
    return services.service_import(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, document=definition(), publish=True
    )


def new_version(province, service, extra_field):
    """Publish a changed form (version n+1); the earlier one becomes superseded."""
    document = definition(extra_field=extra_field)
    version = services.version_create(
        actor=province.admin_dpmptsp,
        service=service,
        form=document["form"],
        workflow=document["workflow"],
        document_template=document["document_template"],
    )
    services.version_publish(actor=province.admin_dpmptsp, version=version)
    service.refresh_from_db()
    return version


def pairs(**overrides: str) -> list[list[str]]:
    values = {"nama": "Siti Rahmawati", "nik": NIK, "telepon": "081234567890", "keperluan": "Melamar kerja"}
    values.update(overrides)
    return [[k, v] for k, v in values.items()]


def intake(actor, service, key=None, version=None, assisted=None, **kwargs):
    return offline.application_intake(
        actor=actor,
        service_id=service.pk,
        version_number=version,
        fields=FormData.from_pairs(kwargs.pop("fields", None) or pairs()),
        idempotency_key=key or str(uuid.uuid4()),
        assisted=assisted,
        **kwargs,
    )


def assisted_info(**overrides: Any) -> dict[str, Any]:
    info = {
        "citizen_name": "Abdul Rahman",
        "nik": "6472011708900002",
        "phone": "081298765432",
        "consent": True,
        "consent_text": "Warga setuju.",
        "consent_at": "2026-03-01T09:00:00+08:00",
        "place": "Kantor Desa Long Apari",
    }
    info.update(overrides)
    return info


def pdf_bytes(size: int = 3000) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 9)


class Device:
    """An officer's device: an Ed25519 key pair, registered on the server."""

    def __init__(self, officer) -> None:
        self.officer = officer
        self.private = Ed25519PrivateKey.generate()
        raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key = offline.device_key_register(
            actor=officer, public_key=base64.urlsafe_b64encode(raw).decode().rstrip("="), label="Laptop desa"
        )

    def bundle(self, items: list[dict[str, Any]], officer_id: int | None = None) -> bytes:
        payload = json.dumps(
            {
                "bundle_id": str(uuid.uuid4()),
                "created_at": "2026-03-02T10:00:00+08:00",
                "officer": officer_id or self.officer.pk,
                "items": items,
            }
        ).encode()
        signature = self.private.sign(payload)
        return json.dumps(
            {
                "format": offline.BUNDLE_FORMAT,
                "key_id": self.key.key_id,
                "payload": base64.b64encode(payload).decode(),
                "signature": base64.urlsafe_b64encode(signature).decode().rstrip("="),
            }
        ).encode()


def bundle_item(service, key=None, name="Abdul Rahman", with_file=False, **overrides: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "key": key or str(uuid.uuid4()),
        "service": service.pk,
        "service_name": service.name,
        "version": service.published_version.number,
        "fields": pairs(nama=name, **overrides),
        "files": {},
        "assisted": assisted_info(citizen_name=name),
    }
    if with_file:
        content = pdf_bytes()
        item["files"]["lampiran"] = {
            "name": "ktp.pdf",
            "type": "application/pdf",
            "sha256": hashlib.sha256(content).hexdigest(),
            "data": base64.b64encode(content).decode(),
        }
    return item
