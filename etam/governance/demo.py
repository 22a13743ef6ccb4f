"""Demo content of the governance module (order 70, after the inventory): proposals in several
states (one flagged as a duplicate of SICANTIK), requests, risks with treatment and monitoring,
a BSSN checklist, incidents and an audit. Written through the services, as the demo users."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from etam.core.demo import demo_agency, demo_institution, demo_user
from etam.governance import services
from etam.governance.models import ControlArea, ServiceRequest
from etam.governance.registry import catalogue

NEEDS = {
    "legal_basis": "Permen Komdigi 6/2025; Perda Kaltim tentang pelayanan publik",
    "problem": "Berkas masih dikirim manual; temuan audit Inspektorat 2025: status permohonan tidak terlacak",
    "audit_findings": "LHP Inspektorat 2025",
    "scope": "Seluruh layanan DPMPTSP Provinsi Kalimantan Timur",
    "cost_benefit": "Rp 450 juta; waktu layanan turun dari 14 ke 5 hari kerja",
    "initial_risk": "Duplikasi dengan aplikasi perizinan yang ada; ketersediaan server",
}


def _proposal(actor: Any, agency: Any, title: str, **fields: Any) -> Any:
    return services.request_file(
        actor=actor,
        agency=agency,
        kind="aplikasi_baru",
        title=title,
        description=f"Usulan pembangunan aplikasi: {fields['name']}",
        proposal={**NEEDS, **fields},
    )


def load(log: Callable[[str], None]) -> None:
    opd, diskominfo = demo_user("admin_dpmptsp"), demo_user("koordinator_kaltim")
    dpmptsp, kaltim = demo_agency("DPMPTSP"), demo_institution()
    cat = catalogue()
    if None in (opd, diskominfo, dpmptsp, kaltim) or cat is None:
        log("governance: demo users or inventory missing, skipped")
        return
    if ServiceRequest.objects.filter(agency=dpmptsp).exists():
        log("governance: demo content already present")
        return
    assert opd is not None and diskominfo is not None and kaltim is not None and dpmptsp is not None
    apps = {a.acronym or a.name: a for a in cat.applications(diskominfo).filter(agency=dpmptsp)}
    sicantik = apps.get("SICANTIK")

    _proposal(
        opd,
        dpmptsp,
        "Usulan aplikasi perizinan usaha terpadu",
        name="Aplikasi Perizinan Usaha Terpadu",
        purpose="Pelayanan perizinan dan non perizinan terpadu satu pintu secara elektronik bagi pelaku usaha.",
        business_process_code="02.01",
        raa_code="02.01",
    )
    approved = _proposal(
        opd,
        dpmptsp,
        "Usulan aplikasi antrean layanan",
        name="Antrean Daring DPMPTSP",
        purpose="Pengambilan nomor antrean tatap muka dan jadwal konsultasi di mal pelayanan publik.",
        raa_code="02.02",
    )
    services.proposal_decide(
        actor=diskominfo,
        proposal=approved.proposal,
        decision="setujui",
        reason="Tidak ada aplikasi antrean di inventaris; dibangun di atas SSO provinsi.",
    )
    reuse = _proposal(
        opd,
        dpmptsp,
        "Usulan aplikasi izin reklame",
        name="Izin Reklame Online",
        purpose="Permohonan izin reklame oleh pelaku usaha secara elektronik.",
    )
    if sicantik is not None:
        services.proposal_decide(
            actor=diskominfo,
            proposal=reuse.proposal,
            decision="pakai_ulang",
            reason="Izin reklame ditambahkan sebagai jenis izin di SICANTIK.",
            reuse_application_id=sicantik.pk,
        )
    hosting = services.request_file(
        actor=opd, agency=dpmptsp, kind="hosting", title="VM untuk SICANTIK", description="4 vCPU, 16 GB RAM"
    )
    services.request_assign(actor=diskominfo, request=hosting, assignee=diskominfo)
    services.request_comment(actor=diskominfo, request=hosting, body="Dijadwalkan minggu depan di Pusat Data Pemprov.")
    domain = services.request_file(
        actor=opd,
        agency=dpmptsp,
        kind="domain",
        title="Subdomain antrean",
        description="antrean.dpmptsp.kaltimprov.go.id",
    )
    services.request_close(actor=diskominfo, request=domain, status="selesai", note="Subdomain aktif.")

    year = timezone.localdate().year
    services.risk_context_save(
        actor=diskominfo,
        institution=kaltim,
        year=year,
        data={
            "appetite": 10,
            "appetite_statement": "Risiko SPBE sampai level Rendah (besaran ≤ 10) diterima tanpa penanganan khusus.",
            "likelihood_criteria": "1 hampir tidak terjadi … 5 hampir pasti terjadi (frekuensi per tahun)",
            "impact_criteria": "1 tidak signifikan … 5 sangat signifikan (layanan berhenti > 3 hari)",
        },
    )
    risks = []
    for title, category, area, likelihood, impact in (
        ("Layanan perizinan berhenti karena server tunggal", "infrastruktur", "layanan_organisasi", 4, 4),
        ("Kebocoran data pemohon izin", "keamanan", "hukum", 3, 5),
        ("Integrasi OSS pusat tertunda", "proyek", "kinerja", 2, 2),
    ):
        risks.append(
            services.risk_create(
                actor=opd,
                agency=dpmptsp,
                data={
                    "title": title,
                    "category": category,
                    "impact_area": area,
                    "asset_kind": "aplikasi" if sicantik else "proses",
                    "application": sicantik,
                    "asset_reference": "Proses perizinan",
                    "causes": "Belum ada cadangan dan prosedur",
                    "consequences": "Pelaku usaha tidak terlayani",
                    "owner": opd,
                    "likelihood": likelihood,
                    "impact": impact,
                },
            )
        )
    today = timezone.localdate()
    services.treatment_add(
        actor=opd, risk=risks[0], action="Replikasi ke PDN dan uji pemulihan", owner=opd, due_on=today + timedelta(60)
    )
    services.monitoring_record(
        actor=opd, risk=risks[0], data={"period": today, "likelihood": 2, "impact": 4, "note": "Replikasi berjalan"}
    )
    services.treatment_add(
        actor=opd, risk=risks[1], action="Enkripsi berkas dan audit akses", owner=opd, due_on=today + timedelta(30)
    )

    if sicantik is not None:
        statuses = ["terpenuhi", "terpenuhi", "sebagian", "terpenuhi", "belum", "sebagian", "terpenuhi"]
        for i, area in enumerate(ControlArea.values):
            status = statuses[i % len(statuses)] if i < 11 else "belum"
            services.control_set(
                actor=opd,
                application=sicantik,
                area=area,
                status=status,
                evidence="" if status == "belum" else f"Dokumen uji {area} 2026",
            )
        breach = services.incident_report(
            actor=opd,
            agency=dpmptsp,
            data={
                "title": "Berkas pemohon dapat diunduh tanpa login",
                "description": "Tautan berkas lampiran tidak memeriksa sesi.",
                "severity": "tinggi",
                "application": sicantik,
                "detected_at": timezone.now() - timedelta(days=3),
                "personal_data": True,
            },
        )
        services.incident_update(
            actor=opd,
            incident=breach,
            note="Subjek data dan Komdigi diberi tahu; tautan ditutup.",
            status="ditangani",
            notified_at=timezone.now() - timedelta(days=1),
        )
        services.incident_report(
            actor=opd,
            agency=dpmptsp,
            data={
                "title": "Percobaan login berulang",
                "description": "Ratusan percobaan login dari satu alamat.",
                "severity": "sedang",
                "application": sicantik,
                "detected_at": timezone.now() - timedelta(hours=5),
            },
        )
        engagement = services.audit_create(
            actor=diskominfo,
            institution=kaltim,
            data={
                "title": f"Audit keamanan aplikasi {year}",
                "year": year,
                "scope": "Audit keamanan aplikasi perizinan",
                "auditor": "Inspektorat Provinsi",
            },
        )
        services.audit_advance(actor=diskominfo, engagement=engagement)
        services.finding_add(
            actor=diskominfo,
            engagement=engagement,
            agency=dpmptsp,
            data={
                "title": "Log akses tidak disimpan",
                "recommendation": "Simpan log akses 1 tahun",
                "application": sicantik,
                "risk": risks[1],
            },
        )
        services.processing_save(
            actor=opd,
            application=sicantik,
            data={
                "name": "Pendaftaran pemohon izin",
                "purpose": "Memproses permohonan izin usaha",
                "legal_basis": "tugas_publik",
                "data_categories": "Nama, NIK, alamat, nomor telepon, NIB",
                "recipients": "DPMPTSP; OSS Kementerian Investasi",
                "retention": "5 tahun setelah izin berakhir",
            },
        )
    services.dpo_save(
        actor=diskominfo,
        institution=kaltim,
        data={"name": "Pejabat PDP Diskominfo Kaltim", "email": "ppdp@kaltimprov.go.id", "phone": "0541-000000"},
    )
    log("governance: 5 requests (3 proposals), 3 risks, checklist, 2 incidents, 1 audit")
