"""Fixtures of the governance tests: applications in the inventory to gate against."""

from __future__ import annotations

import pytest

from etam.governance import services
from tests.inventory.factories import ApplicationFactory, DataCentreFactory


@pytest.fixture
def apps_kaltim(province):
    """Applications of DPMPTSP and Disdikbud (Kaltim) and of DPMPTSP Samarinda."""
    return {
        "perizinan": ApplicationFactory(
            agency=province.dpmptsp,
            name="Sistem Perizinan Online Terpadu",
            acronym="SIPOT",
            purpose="Pengajuan izin usaha, pelacakan berkas perizinan dan penerbitan surat izin usaha secara daring",
            business_process_code="02.05.01",
        ),
        "sekolah": ApplicationFactory(
            agency=province.disdikbud,
            name="Data Pokok Sekolah Menengah",
            purpose="Pencatatan data siswa, guru dan sarana sekolah menengah atas",
        ),
        "smr": ApplicationFactory(agency=province.dpmptsp_smr, name="Perizinan Samarinda", purpose="Izin kota"),
        "dc": DataCentreFactory(institution=province.kaltim, agency=province.dpmptsp, name="Ruang server DPMPTSP"),
    }


NEEDS = {
    "name": "Aplikasi Perizinan Usaha Daring",
    "purpose": "Pengajuan izin usaha, pelacakan berkas perizinan dan penerbitan surat izin usaha secara daring",
    "legal_basis": "Perda Kaltim tentang Perizinan",
    "problem": "Berkas izin masih manual; temuan audit 2025: pelacakan tidak ada",
    "audit_findings": "LHP Inspektorat 2025 no. 12",
    "scope": "Perizinan usaha tingkat provinsi",
    "cost_benefit": "Biaya Rp 500 juta; waktu proses turun 50%",
    "initial_risk": "Risiko duplikasi dengan aplikasi perizinan yang ada",
    "raa_code": "02.01",
    "business_process_code": "02.05.01",
}


def file_proposal(province, **overrides):
    """DPMPTSP files a new-application proposal (``NEEDS``; ``overrides`` replace its fields)."""
    return services.request_file(
        actor=province.admin_dpmptsp,
        agency=province.dpmptsp,
        kind="aplikasi_baru",
        title="Usulan aplikasi perizinan",
        description="Usulan pembangunan aplikasi baru",
        proposal={**NEEDS, **overrides},
    )


def risk_data(province, apps, **overrides):
    """A valid risk of DPMPTSP on its licensing application; ``overrides`` replace fields."""
    return {
        "title": "Layanan perizinan tidak tersedia",
        "category": "layanan",
        "impact_area": "layanan_organisasi",
        "asset_kind": "aplikasi",
        "application": apps["perizinan"],
        "causes": "Server tunggal tanpa cadangan",
        "consequences": "Pemohon tidak dapat mengajukan izin",
        "owner": province.admin_dpmptsp,
        "likelihood": 4,
        "impact": 3,
        **overrides,
    }


def make_risk(province, apps, **overrides):
    """``risk_data`` registered by the DPMPTSP admin."""
    return services.risk_create(
        actor=province.admin_dpmptsp, agency=province.dpmptsp, data=risk_data(province, apps, **overrides)
    )
