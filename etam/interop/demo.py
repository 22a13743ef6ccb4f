"""Demo content: Etam's own public APIs as the first entries of the catalogue (provided by
Diskominfo Kaltim through the node), one restricted service, and a consumer system of Kutai
Kartanegara with one approved and one pending agreement. Idempotent."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from etam.core.models import Agency
from etam.interop.models import Agreement, Consumer, DataService, ProviderHost

OWN_APIS = [
    # code, name, path, description, access
    (
        "etam-wilayah",
        "Kode wilayah Kalimantan Timur",
        "/api/v1/regions",
        "Kode wilayah Kemendagri: provinsi, kabupaten/kota, kecamatan, desa/kelurahan.",
        "terbuka",
    ),
    (
        "etam-opd",
        "Daftar perangkat daerah",
        "/api/v1/organisations/opd",
        "OPD Pemprov Kaltim dan kabupaten/kota di Etam.",
        "terbuka",
    ),
    (
        "etam-satu-data",
        "Katalog Satu Data Kaltim",
        "/api/v1/datasets/",
        "Dataset terbitan walidata dengan metadata standar Satu Data Indonesia.",
        "terbuka",
    ),
    (
        "etam-layanan",
        "Katalog layanan publik elektronik",
        "/api/v1/services",
        "Layanan publik berbasis elektronik, persyaratan dan standar waktu.",
        "terbuka",
    ),
    (
        "etam-aplikasi-umum",
        "Daftar Aplikasi Umum nasional",
        "/api/v1/inventory/national-applications",
        "Referensi Aplikasi Umum untuk analisis duplikasi aplikasi.",
        "terbatas",
    ),
]
REGION_SCHEMA = {"type": "object", "properties": {"level": {"type": "string"}, "parent": {"type": "string"}}}


def load(write: Callable[[str], None]) -> None:
    provider = Agency.objects.filter(institution__region_code="64", code="DISKOMINFO").first()
    consumer_agency = Agency.objects.filter(institution__region_code="64.02", code="DISKOMINFO").first()
    if provider is None or consumer_agency is None:
        write("interop: Diskominfo Kaltim or Kukar missing; skipped")
        return
    with transaction.atomic():
        host, _ = ProviderHost.objects.get_or_create(
            base_url=settings.ESERVICES_PUBLIC_BASE_URL.rstrip("/"),
            defaults={"allow_private_address": True, "note": "Etam sendiri (demo)"},
        )
        services = {}
        for code, name, path, description, access in OWN_APIS:
            services[code], _ = DataService.objects.get_or_create(
                code=code,
                defaults={
                    "agency": provider,
                    "institution_id": provider.institution_id,
                    "name": name,
                    "description": description,
                    "host": host,
                    "path": path,
                    "input_schema": REGION_SCHEMA if code == "etam-wilayah" else {},
                    "output_schema": {"type": "array"} if code != "etam-satu-data" else {"type": "object"},
                    "access": access,
                    "status": DataService.Status.ACTIVE,
                    "contact_name": "Bidang Aplikasi Informatika Diskominfo Kaltim",
                    "contact_email": "aptika@diskominfo.kaltimprov.go.id",
                },
            )
        consumer, _ = Consumer.objects.get_or_create(
            name="SIMPEL Kukar",
            agency=consumer_agency,
            defaults={
                "institution_id": consumer_agency.institution_id,
                "kind": Consumer.Kind.REGENCY,
                "contact_name": "Diskominfo Kukar",
                "contact_email": "aptika@kukarkab.go.id",
            },
        )
        for code, status in (
            ("etam-wilayah", Agreement.Status.APPROVED),
            ("etam-aplikasi-umum", Agreement.Status.REQUESTED),
        ):
            Agreement.objects.get_or_create(
                consumer=consumer,
                service=services[code],
                defaults={
                    "purpose": "Sinkronisasi kode wilayah dan referensi aplikasi untuk SIMPEL Kukar",
                    "quota_per_day": 5000,
                    "status": status,
                    "decided_at": timezone.now() if status == Agreement.Status.APPROVED else None,
                    "decision_reason": "Layanan terbuka" if status == Agreement.Status.APPROVED else "",
                },
            )
    write(f"interop: {len(services)} services, 1 consumer system")
