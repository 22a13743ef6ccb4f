"""Demo content: an application inventory for the province and two kab/kota (Samarinda,
Kutai Kartanegara) with a few true duplicates and an in-house complaint app that
duplicates SP4N-LAPOR!, a few data centres and links, and connectivity for every desa.

What is real and what is not: the Internet Desa targets and the per-regency counts of
connected desa are the figures published at the end of August 2025 (domain brief §4.5).
*Which* desa are connected, every cellular-coverage value, and all applications and
infrastructure are invented for the demo; villages are marked ``is_demo``.
Idempotent: running it twice changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from django.db import transaction

from etam.core.models import Agency, Institution
from etam.inventory.models import (
    AccessPoint,
    Application,
    DataCentre,
    NationalApplication,
    NetworkLink,
    ProgrammeTarget,
    VillageConnectivity,
)

# (kab/kota, target desa, connected at end-Aug 2025) — Diskominfo Kaltim via the domain brief §4.5.
PROGRAMME = [
    ("64.01", 139, 90),
    ("64.02", 193, 117),
    ("64.03", 100, 58),
    ("64.07", 190, 64),
    ("64.08", 139, 85),
    ("64.09", 30, 23),
    ("64.11", 50, 4),
]
PROGRAMME_SOURCE = "Diskominfo Kaltim, progres Internet Desa Gratis akhir Agustus 2025 (domain brief §4.5)"

# (instansi, OPD code, name, acronym, purpose, kind, national code, bp code, hosting, lifecycle)
APPLICATIONS = [
    (
        "64",
        "DISKOMINFO",
        "SRIKANDI Pemprov Kaltim",
        "",
        "Tata naskah dinas elektronik dan arsip dinamis.",
        "umum",
        "srikandi",
        "09.06",
        "pdn",
        "produksi",
    ),
    (
        "64",
        "DPMPTSP",
        "SICANTIK Kaltim",
        "SICANTIK",
        "Pelayanan perizinan dan non perizinan terpadu satu pintu secara elektronik bagi pelaku usaha.",
        "khusus",
        "",
        "02.01",
        "pusat_data_sendiri",
        "produksi",
    ),
    (
        "64",
        "DPMPTSP",
        "Lapor DPMPTSP",
        "LAPOR-DPM",
        "Kanal pengaduan masyarakat tentang pelayanan perizinan: warga "
        "menyampaikan aduan dan keluhan, ditindaklanjuti petugas.",
        "khusus",
        "",
        "",
        "pusat_data_sendiri",
        "produksi",
    ),
    (
        "64",
        "DINKES",
        "SI Rujukan Pasien Kaltim",
        "SIRUPA",
        "Rujukan pasien antar puskesmas dan rumah sakit, ketersediaan tempat tidur dan status rujukan.",
        "khusus",
        "",
        "04.01",
        "cloud",
        "produksi",
    ),
    (
        "64",
        "BKD",
        "SIMPEG Kaltim",
        "SIMPEG",
        "Data kepegawaian ASN: riwayat jabatan, kenaikan pangkat, mutasi dan pensiun pegawai.",
        "khusus",
        "",
        "09.06",
        "pusat_data_sendiri",
        "produksi",
    ),
    (
        "64",
        "BAPENDA",
        "e-Samsat Kaltim",
        "ESAMSAT",
        "Pembayaran pajak kendaraan bermotor secara daring dan pengesahan STNK.",
        "khusus",
        "",
        "09.02",
        "pusat_data_sendiri",
        "produksi",
    ),
    (
        "64",
        "DISDIKBUD",
        "Beasiswa Kaltim Tuntas",
        "BKT",
        "Pendaftaran dan seleksi beasiswa mahasiswa berprestasi dan kurang mampu.",
        "khusus",
        "",
        "06.01",
        "cloud",
        "produksi",
    ),
    (
        "64",
        "BPBD",
        "SI Kebencanaan Kaltim",
        "SIKENCANA",
        "Pelaporan kejadian bencana banjir dan tanah longsor, logistik dan pengungsi.",
        "khusus",
        "",
        "05.02",
        "pusat_data_sendiri",
        "pengembangan",
    ),
    (
        "64.72",
        "DPMPTSP",
        "SIMPATI Samarinda",
        "SIMPATI",
        "Pelayanan perizinan terpadu satu pintu secara elektronik bagi pelaku usaha Kota Samarinda.",
        "khusus",
        "",
        "02.01",
        "pusat_data_sendiri",
        "produksi",
    ),
    (
        "64.72",
        "DISKOMINFO",
        "Aduan Samarinda",
        "ADUAN",
        "Pengelolaan aduan dan keluhan warga kota serta tindak lanjut laporan masyarakat.",
        "khusus",
        "",
        "",
        "cloud",
        "produksi",
    ),
    (
        "64.72",
        "DINKES",
        "e-Rujukan Samarinda",
        "ERUJUK",
        "Rujukan pasien dari puskesmas ke rumah sakit dan status ketersediaan tempat tidur.",
        "khusus",
        "",
        "04.01",
        "cloud",
        "pengembangan",
    ),
    (
        "64.72",
        "DISKOMINFO",
        "SP4N-LAPOR! Samarinda",
        "",
        "Instans SP4N-LAPOR! Kota Samarinda.",
        "umum",
        "sp4n-lapor",
        "",
        "pdn",
        "produksi",
    ),
    (
        "64.02",
        "DPMPTSP",
        "Perizinan Online Kukar",
        "SIPOL",
        "Pelayanan perizinan usaha terpadu satu pintu secara daring bagi pelaku usaha Kutai Kartanegara.",
        "khusus",
        "",
        "02.01",
        "cloud",
        "produksi",
    ),
    (
        "64.02",
        "BAPPEDA",
        "e-Musrenbang Kukar",
        "EMUSREN",
        "Usulan musyawarah perencanaan pembangunan dari desa dan kecamatan.",
        "khusus",
        "",
        "09.05",
        "pusat_data_sendiri",
        "produksi",
    ),
    (
        "64.02",
        "DISKOMINFO",
        "Kukar Idaman Desa",
        "KIDES",
        "Profil desa, data penduduk desa dan potensi desa.",
        "khusus",
        "",
        "09.01",
        "pusat_data_sendiri",
        "rencana",
    ),
]


def _coverage_for(rng: random.Random, regency: str, is_kelurahan: bool) -> str:
    if is_kelurahan or regency in {"64.71", "64.72", "64.74"}:
        return rng.choice(["4g", "4g", "4g", "5g"])
    weights = {"64.11": (0.55, 0.15, 0.15, 0.15), "64.07": (0.35, 0.15, 0.2, 0.3)}.get(regency, (0.15, 0.1, 0.2, 0.55))
    return rng.choices(["tidak_ada", "2g", "3g", "4g"], weights=weights)[0]


def load_connectivity(write: Callable[[str], None]) -> None:
    from etam.inventory.imports import ensure_villages

    created = ensure_villages()
    for regency, target, connected in PROGRAMME:
        ProgrammeTarget.objects.update_or_create(
            regency_code=regency,
            defaults={
                "target_villages": target,
                "reported_connected": connected,
                "reported_on": date(2025, 8, 31),
                "source": PROGRAMME_SOURCE,
            },
        )
    if AccessPoint.objects.exists() or VillageConnectivity.objects.exclude(coverage="").exists():
        write(f"inventory: connectivity already present ({created} new villages)")
        return
    rng = random.Random(64)  # noqa: S311 (demo data)
    villages = list(VillageConnectivity.objects.order_by("region_code"))
    for v in villages:
        v.coverage = _coverage_for(rng, v.regency_code, v.is_kelurahan)
        v.in_programme = not v.is_kelurahan and v.regency_code in {r for r, _t, _c in PROGRAMME}
        v.is_demo = True
    VillageConnectivity.objects.bulk_update(villages, ["coverage", "in_programme", "is_demo"], batch_size=500)
    points = []
    providers = [
        ("Telkom", "fiber"),
        ("Telkomsel", "nirkabel"),
        ("PLN Icon Plus", "fiber"),
        ("Comtelindo", "nirkabel"),
        ("Telkom", "satelit"),
        ("Telkom", "vsat"),
    ]
    for regency, _target, connected in PROGRAMME:
        desa = [v for v in villages if v.regency_code == regency and not v.is_kelurahan]
        # Villages without signal are served first in the demo (the programme's own priority).
        desa.sort(key=lambda v: (v.coverage != "tidak_ada", rng.random()))
        for v in desa[:connected]:
            provider, tech = rng.choice(providers if v.coverage != "tidak_ada" else providers[4:])
            points.append(
                AccessPoint(
                    village=v,
                    site="Kantor desa",
                    programme=AccessPoint.Programme.INTERNET_DESA,
                    provider=provider,
                    technology=tech,
                    bandwidth_mbps=rng.choice([50, 100, 100, 200]),
                    power=AccessPoint.Power.SOLAR if tech in {"satelit", "vsat"} and rng.random() < 0.5 else "pln",
                    installed_on=date(2025, rng.randint(5, 8), rng.randint(1, 28)),
                    status=AccessPoint.Status.ACTIVE,
                )
            )
    AccessPoint.objects.bulk_create(points, batch_size=500)
    write(f"inventory: connectivity for {len(villages)} villages, {len(points)} access points (demo)")


def load_inventory(write: Callable[[str], None]) -> None:
    institutions = {i.region_code: i for i in Institution.objects.filter(region_code__in=["64", "64.72", "64.02"])}
    agencies = {
        (a.institution.region_code, a.code): a
        for a in Agency.objects.filter(institution__region_code__in=list(institutions)).select_related("institution")
    }
    nationals = {n.code: n for n in NationalApplication.objects.all()}
    dcs = {}
    for region, name, kind, tier, std in [
        ("64", "Pusat Data Pemprov Kaltim (Diskominfo)", "pusat_data", "tier_2", "ANSI/TIA-942"),
        ("64.72", "Ruang Server Balai Kota Samarinda", "ruang_server", "", ""),
        ("64.02", "Ruang Server Diskominfo Kukar", "ruang_server", "", ""),
    ]:
        if region in institutions:
            dcs[region], _ = DataCentre.objects.get_or_create(
                institution=institutions[region],
                name=name,
                defaults={
                    "kind": kind,
                    "tier": tier,
                    "standard": std,
                    "rack_capacity": 12,
                    "racks_used": 7,
                    "location": "demo",
                    "status": "operasional",
                },
            )
    if "64" in institutions and "64" in dcs:
        for name, a, b, mbps, provider in [
            ("Intra Kaltim: Kantor Gubernur – Pusat Data", "Kantor Gubernur", "Pusat Data Diskominfo", 1000, "Telkom"),
            (
                "Intra Kaltim: Pusat Data – Samsat Samarinda",
                "Pusat Data Diskominfo",
                "UPTD Samsat Samarinda",
                200,
                "PLN Icon Plus",
            ),
        ]:
            NetworkLink.objects.get_or_create(
                institution=institutions["64"],
                name=name,
                defaults={
                    "endpoint_a": a,
                    "endpoint_b": b,
                    "bandwidth_mbps": mbps,
                    "provider": provider,
                    "data_centre": dcs["64"],
                    "connects_to_jip": True,
                },
            )
    created = 0
    for region, code, name, acronym, purpose, kind, national, bp, hosting, lifecycle in APPLICATIONS:
        agency = agencies.get((region, code))
        if agency is None or Application.objects.filter(agency=agency, name=name).exists():
            continue
        Application.objects.create(
            institution=agency.institution,
            agency=agency,
            name=name,
            acronym=acronym,
            purpose=purpose,
            kind=kind,
            national_application=nationals.get(national) if national else None,
            raa_code="01.02" if kind == "umum" else "02.02",
            business_process_code=bp,
            hosting=hosting,
            data_centre=dcs.get(region) if hosting == "pusat_data_sendiri" else None,
            lifecycle=lifecycle,
            technology="demo",
            sso=kind == "umum",
        )
        created += 1
    write(f"inventory: {created} demo applications")


def load(write: Callable[[str], None]) -> None:
    from etam.inventory.services import duplicates_refresh

    with transaction.atomic():
        load_connectivity(write)
        load_inventory(write)
        counts = duplicates_refresh(actor=None)
    write(f"inventory: duplicate detection {counts}")
