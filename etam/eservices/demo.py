"""Demo content of the electronic-services module (loader order 30).

Five services across sectors (Izin Penelitian — DPMPTSP; Legalisir Ijazah and PPDB —
Disdikbud; Permohonan Informasi Publik — PPID/Diskominfo; Rekomendasi Izin Klinik —
Dinkes), officer accounts for the OPDs the core demo leaves without one, and demo
cases in several states for the two demo citizens. Idempotent: a service is looked up by
its slug, cases are created only for a service that has none yet.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from etam.core import audit
from etam.core.models import Agency, Role, RoleGrant, User
from etam.eservices import demo_definitions, services
from etam.eservices.models import Application, Service

Write = Callable[[str], None]

# (OPD code, definition factory)
SERVICES: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    ("DPMPTSP", demo_definitions.izin_penelitian),
    ("DISDIKBUD", demo_definitions.legalisir_ijazah),
    ("DISDIKBUD", demo_definitions.ppdb_sma_smk),
    ("DISKOMINFO", demo_definitions.informasi_publik),
    ("DINKES", demo_definitions.rekomendasi_klinik),
]

# Officers for OPDs the core demo has none for: (email local part, name, role, OPD code)
OFFICERS = [
    ("admin.disdikbud", "Admin Disdikbud Kaltim", Role.AGENCY_ADMIN, "DISDIKBUD"),
    ("petugas.disdikbud", "Petugas Layanan Disdikbud", Role.SERVICE_OFFICER, "DISDIKBUD"),
    ("admin.diskominfo", "Admin PPID Diskominfo Kaltim", Role.AGENCY_ADMIN, "DISKOMINFO"),
    ("admin.dinkes", "Admin Dinkes Kaltim", Role.AGENCY_ADMIN, "DINKES"),
]

# The demo signing officials' passphrase at the in-process signing service (demo mode only).
DEMO_SIGNING_PASSPHRASE = "tte-demo-kaltim"  # noqa: S105 (demo mode only)

DEMO_NIKS = ["6472014412950003", "6472011203880004", "6471052506010005", "6402071708920006"]


def _agency(code: str) -> Agency | None:
    return Agency.objects.filter(institution__region_code="64", code=code).first()


def _officers(write: Write) -> dict[str, User]:
    from etam.core.demo import (
        DEMO_EMAIL_DOMAIN,
        DEMO_PASSWORD,
        demo_passwords_allowed,
        renew_previous_demo_password,
    )

    password = make_password(DEMO_PASSWORD) if demo_passwords_allowed() else None
    previous: dict[str, bool] = {}
    out: dict[str, User] = {}
    for local, name, role, code in OFFICERS:
        agency = _agency(code)
        if agency is None:
            continue
        email = f"{local}@{DEMO_EMAIL_DOMAIN}"
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, full_name=name, kind=User.Kind.STAFF)
            if password:
                user.password = password
            else:
                user.set_unusable_password()
            user.save()
            audit.record(actor=None, action="eservices.demo_account_create", target=user, after={"email": email})
            write(f"  akun petugas demo / demo officer: {email}")
        elif password:
            renew_previous_demo_password(user, password, previous)
        if not RoleGrant.objects.active().filter(user=user, role=role, agency=agency).exists():
            grant = RoleGrant.objects.create(user=user, role=role, agency=agency, institution=agency.institution)
            audit.record(actor=None, action="core.role_grant_create", target=grant, after={"role": role})
        out[f"{role}:{code}"] = user
    return out


def _system_admin() -> User | None:
    grant = RoleGrant.objects.active().filter(role=Role.SUPER_ADMIN).select_related("user").first()
    return grant.user if grant else None


def _demo_pdf(title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.drawString(72, 770, title)
    pdf.drawString(72, 750, "Berkas contoh untuk demo Etam.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _attach_files(citizen: User, form: dict[str, Any], answers: dict[str, Any]) -> None:
    store = services.file_store_for(citizen)
    for page in form["pages"]:
        for spec in page["fields"]:
            if spec["type"] == "file":
                upload = ContentFile(_demo_pdf(spec["name"]), name=f"{spec['name']}.pdf")
                answers[spec["name"]] = store.save(spec["name"], upload, "pdf")


def _address(kab: str = "64.72", kec: str = "64.72.01") -> dict[str, str]:
    from etam.core.models import Region

    desa = (
        Region.objects.current().filter(parent_code=kec).order_by("code").values_list("code", flat=True).first() or ""
    )
    return {"kabupaten_kota": kab, "kecamatan": kec, "desa_kelurahan": desa, "jalan": "Jl. Pahlawan No. 12"}


def demo_answers(slug: str, citizen: User, index: int) -> dict[str, Any]:
    base = {
        "nama": citizen.full_name.replace(" (demo)", ""),
        "nik": DEMO_NIKS[index % len(DEMO_NIKS)],
        "telepon": citizen.phone or "+6281234500099",
        "alamat": _address(),
    }
    if citizen.email:
        base["email"] = citizen.email
    today = timezone.localdate()
    per_service: dict[str, dict[str, Any]] = {
        "izin-penelitian": {
            "judul": "Pemanfaatan data terbuka untuk perencanaan layanan air bersih di Samarinda",
            "lembaga": "Universitas Mulawarman",
            "jenjang": "s2",
            "mulai": (today + timedelta(days=14)).isoformat(),
            "selesai": (today + timedelta(days=104)).isoformat(),
            "lokasi": "PDAM Tirta Kencana, Kota Samarinda",
            "ada_tim": False,
        },
        "legalisir-ijazah": {
            "nomor_ijazah": f"DN-16 Ma 00{index}4521",
            "tahun_lulus": 2012 + index,
            "sekolah": "SMA Negeri 1 Samarinda",
            "jumlah": 3,
        },
        "ppdb-sma-smk": {
            "nama": ["Andi Pratama", "Nur Aisyah", "Rizky Ramadhan", "Dewi Lestari"][index % 4],
            "nik": ["6472011506100007", "6472015203110008", "6472012011100009", "6472016607100010"][index % 4],
            "tanggal_lahir": ["2010-06-15", "2011-03-12", "2010-11-20", "2010-07-26"][index % 4],
            "jenis_kelamin": ["l", "p", "l", "p"][index % 4],  # as the NIK's digits 7-8 say
            "asal_sekolah": "SMP Negeri 2 Samarinda",
            "domisili": {"kabupaten_kota": "64.72", "kecamatan": "64.72.01"},
            "jalur": "domisili",
        },
        "permohonan-informasi-publik": {
            "rincian": "Daftar aplikasi layanan publik yang dikelola Pemprov Kaltim tahun 2025 "
            "beserta OPD pengelolanya.",
            "tujuan": "Bahan kajian keterbukaan informasi di lembaga swadaya masyarakat.",
            "cara_memperoleh": ["salinan_elektronik"],
        },
        "rekomendasi-izin-klinik": {
            "nama_klinik": "Klinik Utama Mahakam Sehat",
            "lokasi_klinik": _address(),
            "jumlah_tempat_tidur": 10,
            "tenaga": [
                {"nama": "dr. Hendra Wijaya, Sp.PD", "profesi": "dokter_spesialis", "nomor_str": "6401234567890"},
                {"nama": "Ns. Maria Ulfa", "profesi": "perawat", "nomor_str": "6409876543210"},
            ],
        },
    }
    answers = {**base, **per_service.get(slug, {})}
    if slug == "ppdb-sma-smk":
        answers.pop("alamat", None)
        answers.pop("email", None)
        from etam.eservices.formengine import source_choices

        schools = source_choices({"choices_source": "sekolah_sma_smk_negeri", "filter_by": "domisili"}, answers)
        answers["pilihan_1"] = schools[index % len(schools)][0]
    return answers


# Path through the default workflow to reach each demo state, by the acting role.
PATHS: list[list[tuple[str, str]]] = [
    [],  # diajukan
    [("officer", "mulai_verifikasi")],  # verifikasi
    [("officer", "mulai_verifikasi"), ("officer", "minta_perbaikan")],  # perlu perbaikan
    [("officer", "mulai_verifikasi"), ("officer", "verifikasi_lengkap")],  # persetujuan
    [("officer", "mulai_verifikasi"), ("officer", "verifikasi_lengkap"), ("admin", "setujui")],  # selesai
    [("officer", "mulai_verifikasi"), ("officer", "tolak")],  # ditolak
]
REASONS = {
    "minta_perbaikan": "Surat pengantar belum ditandatangani pimpinan lembaga. Mohon unggah ulang.",
    "tolak": "Permohonan tidak memenuhi persyaratan: lokasi di luar kewenangan provinsi.",
}


def _cases(
    service: Service, officer: User, admin: User, citizens: list[User], write: Write, *, passphrase: str = ""
) -> None:
    if Application.objects.filter(service=service).exists():
        return
    version = service.published_version
    assert version is not None
    made = 0
    for index, path in enumerate(PATHS):
        citizen = citizens[index % len(citizens)]
        answers = demo_answers(service.slug, citizen, index)
        _attach_files(citizen, version.form, answers)
        submitted_at = timezone.now() - timedelta(days=12 - index * 2)
        submission = services.application_submit(actor=citizen, service=service, answers=answers, now=submitted_at)
        application = submission.application
        for who, action in path:
            actor = admin if who == "admin" else officer
            with transaction.atomic():
                application = services.application_act(
                    actor=actor,
                    application=application,
                    action=action,
                    reason=REASONS.get(action, ""),
                    passphrase=passphrase if action == "setujui" else "",
                )
        made += 1
    write(f"  {service.name}: {made} permohonan demo / demo applications")


def load(write: Write) -> None:
    admin_user = _system_admin()
    if admin_user is None:
        write("  layanan: tidak ada super admin untuk memuat demo / no super admin to load the demo")
        return
    with transaction.atomic():
        officers = _officers(write)
    citizens = [
        u for u in User.objects.filter(kind=User.Kind.CITIZEN, email__endswith="@demo.etam.test").order_by("id")
    ] + list(User.objects.filter(kind=User.Kind.CITIZEN, phone="+6281234500001"))
    for code, factory in SERVICES:
        agency = _agency(code)
        if agency is None:
            write(f"  layanan: OPD {code} tidak ada / missing agency {code}")
            continue
        definition = factory()
        service = Service.objects.filter(slug=definition["service"]["slug"]).first()
        if service is None:
            service = services.service_import(
                actor=admin_user, agency=agency, document=demo_definitions.as_export(definition), publish=True
            )
            write(f"  layanan / service: {service.name}")
        officer = (
            officers.get(f"{Role.SERVICE_OFFICER}:{code}")
            or officers.get(f"{Role.AGENCY_ADMIN}:{code}")
            or _core_user("petugas_dpmptsp" if code == "DPMPTSP" else None)
            or admin_user
        )
        admin = (
            officers.get(f"{Role.AGENCY_ADMIN}:{code}")
            or _core_user("admin_dpmptsp" if code == "DPMPTSP" else None)
            or admin_user
        )
        signing = _make_signatory(admin, agency, definition["document_template"], write)
        if citizens:
            _cases(service, officer, admin, citizens, write, passphrase=signing)


def _make_signatory(user: User, agency: Agency, template: dict[str, Any], write: Write) -> str:
    """Give the approving admin the penandatangan grant and a signing identity, and (in
    demo mode, signing locally) a certificate at the in-process signing service.
    Returns the passphrase to sign with, or "" (documents then wait in "to sign")."""
    from django.conf import settings

    from etam.core.demo import demo_passwords_allowed
    from etam.core.models import SigningIdentity

    if not RoleGrant.objects.active().filter(user=user, role=Role.SIGNATORY, agency=agency).exists():
        grant = RoleGrant.objects.create(user=user, role=Role.SIGNATORY, agency=agency, institution=agency.institution)
        audit.record(actor=None, action="core.role_grant_create", target=grant, after={"role": Role.SIGNATORY})
    # A made-up NIK per official (kecamatan 64.72.01, born 01-01-1975, a running number).
    nik = f"6472010101750{user.pk % 1000:03d}"
    identity, created = SigningIdentity.objects.get_or_create(
        user=user,
        defaults={
            "nik": nik,
            "nip": f"19750101200001{1000 + user.pk % 9000:04d}",
            "position": template.get("signatory_title") or f"Kepala {agency.name}",
        },
    )
    if created:
        audit.record(actor=None, action="core.signing_identity_create", target=user, after={"user": user.pk})
    if not demo_passwords_allowed() or settings.ESERVICES_SIGNER != "local":
        return ""
    from etam.eservices.signing.signer import get_signer

    local = get_signer().pki  # type: ignore[attr-defined]
    if not local.is_enrolled(str(identity.nik)):
        local.enrol(nik=str(identity.nik), name=str(user), passphrase=DEMO_SIGNING_PASSPHRASE)
        write(f"  penandatangan demo / demo signing official: {user} (passphrase {DEMO_SIGNING_PASSPHRASE})")
    return DEMO_SIGNING_PASSPHRASE


def _core_user(key: str | None) -> User | None:
    if key is None:
        return None
    from etam.core.demo import demo_user

    return demo_user(key)


# ----------------------------------------------------------------- page-budget samples


def public_sample_pages() -> list[str]:
    """Public pages with parameters, for the shell's page-budget test."""
    from etam.core.models import Agency as AgencyModel
    from etam.eservices.models import ServiceVersion

    service = Service.objects.filter(status=Service.Status.ACTIVE, published_version__isnull=False).first()
    if service is None:
        agency = AgencyModel.objects.order_by("id").first()
        if agency is None:
            return []
        definition = demo_definitions.izin_penelitian()
        meta = definition["service"]
        service = Service.objects.create(
            agency=agency,
            institution_id=agency.institution_id,
            slug="contoh-anggaran-halaman",
            code=meta["code"],
            name=meta["name"],
            summary=meta["summary"],
            requirements="\n".join(meta["requirements"]),
            legal_basis="\n".join(meta["legal_basis"]),
            sla_days=meta["sla_days"],
            sector=meta["sector"],
            output_document=meta["output_document"],
            status=Service.Status.ACTIVE,
        )
        version = ServiceVersion.objects.create(
            service=service,
            number=1,
            status=ServiceVersion.Status.PUBLISHED,
            form=definition["form"],
            workflow=definition["workflow"],
            document_template=definition["document_template"],
        )
        Service.objects.filter(pk=service.pk).update(published_version=version)
    return [reverse("eservices:service_detail", args=[service.slug])]
