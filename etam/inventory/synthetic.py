"""A generated inventory with planted duplicates, to measure duplicate detection.

Each generated application performs one *function*: an object of work in a domain
(with its business-process code) for a particular target group. Two applications are
true duplicates exactly when they perform the same function; they are then written
differently (another name style, action synonym, sentence template, filler words,
sometimes no process code or a different dataset). Hard negatives come for free:
many functions share their object ("bantuan alat" for fishers vs for farmers) or their
target group, and every region's applications mention the region.

Some applications paraphrase a national Aplikasi Umum (complaints, official letters,
procurement, staffing...): those are planted duplicates of that national application.

Deterministic for a given seed. Pure Python: used by tests, the benchmark and nothing else.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from etam.inventory.duplicates import AppRecord, NationalRecord
from etam.inventory.national_seed import NATIONAL_APPLICATIONS

# Per business-process code: heads (kinds of work) and nouns (what it is about). An object
# of work is "head noun" ("izin tambang", "data tambang", "pengawasan tambang"...), so
# different functions share heads, nouns or target groups, as real inventories do.
DOMAINS: dict[str, tuple[list[str], list[str]]] = {
    "04.01": (["stok", "antrean", "rujukan", "klaim"], ["obat", "vaksin", "pasien", "darah", "alat kesehatan", "gizi"]),
    "04.02": (["bantuan", "penyaluran", "verifikasi"], ["sembako", "rumah layak huni", "sosial tunai", "disabilitas"]),
    "06.01": (["beasiswa", "penerimaan", "sertifikasi"], ["siswa", "guru", "perpustakaan", "sekolah swasta"]),
    "06.02": (
        ["pelatihan", "penempatan", "sertifikasi kompetensi"],
        ["tenaga kerja", "juru las", "operator alat berat"],
    ),
    "02.02": (["harga", "distribusi", "cadangan"], ["beras", "cabai", "minyak goreng", "gula pasir", "daging sapi"]),
    "02.03": (
        ["pembinaan", "permodalan", "pemasaran"],
        ["koperasi", "usaha mikro", "kerajinan rotan", "ekonomi kreatif"],
    ),
    "02.05": (["tangkapan", "budidaya", "izin kapal"], ["ikan", "udang", "rumput laut", "kepiting bakau"]),
    "02.11": (
        ["promosi", "kunjungan", "pengelolaan"],
        ["destinasi wisata", "homestay", "festival budaya", "desa wisata"],
    ),
    "03.01": (["kondisi", "pemeliharaan", "pembangunan"], ["jalan provinsi", "jembatan", "irigasi", "drainase"]),
    "03.04": (["perizinan", "pengawasan", "jadwal"], ["trayek angkutan", "kapal penyeberangan", "terminal", "parkir"]),
    "03.06": (["sertifikasi", "sengketa", "pengadaan"], ["tanah", "lahan transmigrasi", "ganti rugi lahan"]),
    "05.02": (["peringatan dini", "pelaporan kejadian", "logistik"], ["banjir", "kebakaran hutan", "tanah longsor"]),
    "07.01": (["izin", "pengawasan", "reklamasi"], ["tambang batubara", "galian pasir", "sumur minyak"]),
    "07.05": (
        ["pemantauan", "izin", "pengaduan"],
        ["kualitas udara", "limbah b3", "bank sampah", "kualitas air sungai"],
    ),
    "09.01": (["pemilihan", "profil", "dana"], ["kepala desa", "badan permusyawaratan desa", "lembaga adat"]),
    "09.02": (
        ["pembayaran", "penagihan", "pendataan"],
        ["pajak kendaraan", "pajak air permukaan", "retribusi pasar", "barang milik daerah"],
    ),
    "09.05": (["usulan", "monitoring", "evaluasi"], ["musrenbang", "proyek strategis", "dana alokasi khusus"]),
    "09.06": (["presensi", "perjalanan dinas", "diklat"], ["pegawai honorer", "tenaga kontrak", "pejabat fungsional"]),
    "09.07": (["agenda", "notulen", "protokol"], ["rapat pimpinan", "kunjungan kerja", "upacara"]),
}

OBJECTS: list[tuple[str, str, str]] = [
    (bp, f"{head} {noun}", noun) for bp, (heads, nouns) in DOMAINS.items() for head in heads for noun in nouns
]

GROUPS: list[str] = [
    "nelayan tradisional pesisir",
    "petani padi sawah",
    "siswa sekolah menengah kejuruan",
    "mahasiswa perguruan tinggi",
    "warga lanjut usia",
    "ibu hamil dan menyusui",
    "pelaku usaha mikro kecil",
    "investor penanaman modal asing",
    "wisatawan mancanegara",
    "penyandang disabilitas netra",
    "pegawai honorer daerah",
    "masyarakat hukum adat dayak",
    "kader posyandu balita",
    "sekolah dasar terpencil",
    "pedagang pasar tradisional",
    "sopir angkutan kota",
    "pemuda karang taruna",
    "atlet berprestasi daerah",
    "guru honorer sekolah",
    "peternak sapi potong",
    "pekebun kelapa sawit rakyat",
    "perajin anyaman rotan",
    "warga transmigrasi baru",
    "korban banjir musiman",
    "anak yatim piatu",
    "veteran pejuang kemerdekaan",
    "penyuluh pertanian lapangan",
    "bidan praktik desa",
    "pengemudi ojek daring",
    "buruh pabrik pengolahan",
    "pekerja migran purna",
    "santri pondok pesantren",
    "koperasi wanita produktif",
    "badan usaha milik desa",
    "penghuni rumah susun sewa",
    "pengungsi bencana alam",
    "pemandu wisata bersertifikat",
    "kontraktor jasa konstruksi",
    "pemilik kapal motor",
    "penambang rakyat kecil",
]

ACTIONS: list[list[str]] = [
    ["pengelolaan", "manajemen", "penatausahaan"],
    ["pendataan", "inventarisasi", "pencatatan"],
    ["pemantauan", "monitoring", "pengawasan"],
    ["pendaftaran", "registrasi", "pengajuan"],
]

TEMPLATES = [
    "Aplikasi untuk {action} {object} bagi {group} di {region}.",
    "{Action} {object} {group} secara daring, {region}.",
    "Sistem informasi {action} {object} untuk {group}; dipakai oleh OPD di {region}.",
    "Layanan {action} {object} yang ditujukan kepada {group} di wilayah {region}, termasuk laporan berkala.",
    "Memudahkan {action} {object} untuk {group} dengan dasbor dan rekap per bulan ({region}).",
]

FILLERS = [
    "",
    "",
    " Terhubung dengan SPLP.",
    " Dilengkapi notifikasi WhatsApp.",
    " Tersedia versi Android.",
    " Mendukung tanda tangan elektronik.",
    " Data dapat diunduh dalam format Excel.",
]

NAME_STYLES = [
    "SI {short}",
    "e-{short}",
    "Sistem Informasi {title}",
    "{short} Online",
    "Aplikasi {title}",
    "SIM {short}",
    "{short} Mobile",
]

REGIONS = [
    "Provinsi Kalimantan Timur",
    "Kabupaten Paser",
    "Kabupaten Kutai Kartanegara",
    "Kabupaten Berau",
    "Kabupaten Kutai Barat",
    "Kabupaten Kutai Timur",
    "Kabupaten Penajam Paser Utara",
    "Kabupaten Mahakam Ulu",
    "Kota Balikpapan",
    "Kota Samarinda",
    "Kota Bontang",
]

# Paraphrases of national Aplikasi Umum functions, as an OPD would describe its own copy.
NATIONAL_PARAPHRASES: dict[str, list[tuple[str, str]]] = {
    "sp4n-lapor": [
        ("Lapor {short}", "Kanal pengaduan masyarakat: warga menyampaikan aduan dan keluhan, ditindaklanjuti OPD."),
        ("Sistem Pengaduan {title}", "Menerima pengaduan dan aspirasi masyarakat tentang pelayanan publik."),
        ("Aduan {short}", "Pengelolaan keluhan dan aduan warga serta tindak lanjut laporan."),
    ],
    "srikandi": [
        ("e-Surat {short}", "Persuratan elektronik: surat masuk, surat keluar, disposisi pimpinan dan arsip."),
        ("Tata Naskah {short}", "Tata naskah dinas elektronik, nota dinas dan disposisi surat."),
    ],
    "spse": [
        ("e-Lelang {short}", "Pengadaan barang dan jasa: tender dan penawaran penyedia secara elektronik."),
    ],
    "siasn": [
        ("SIMPEG {short}", "Data kepegawaian: riwayat jabatan, kenaikan pangkat, mutasi dan pensiun pegawai."),
    ],
    "e-kinerja-bkn": [
        ("e-SKP {short}", "Penilaian kinerja pegawai dan sasaran kinerja pegawai (SKP) bulanan."),
    ],
    "jdih": [
        ("Produk Hukum {short}", "Publikasi produk hukum daerah: peraturan daerah dan peraturan bupati."),
    ],
}


@dataclass
class SyntheticInventory:
    apps: list[AppRecord]
    nationals: list[NationalRecord]
    truth_pairs: set[tuple[int, int]]
    truth_national: set[tuple[int, int]]
    region_of: dict[int, int]  # application id → index into REGIONS

    @property
    def planted_groups(self) -> int:
        return len({frozenset(p) for p in self.truth_pairs})


def national_records() -> list[NationalRecord]:
    return [
        NationalRecord(
            id=i + 1,
            name=str(n["name"]),
            purpose=str(n["purpose"]),
            keywords=tuple(k.strip() for k in str(n.get("keywords", "")).split(",")),
            business_process_code=str(n.get("business_process_code", "")),
        )
        for i, n in enumerate(NATIONAL_APPLICATIONS)
    ]


def generate(
    n: int = 3000,
    *,
    seed: int = 7,
    duplicate_share: float = 0.12,
    national_share: float = 0.02,
    national_instances: int = 150,
    reuse: bool = False,
) -> SyntheticInventory:
    """``n`` applications; about ``duplicate_share`` of them in planted duplicate groups and
    ``national_share`` paraphrasing a national Aplikasi Umum."""
    rng = random.Random(seed)  # noqa: S311 (test data, not security)
    # Each object of work serves a handful of target groups (not all of them).
    # One kind of work per (subject, target group): distinct functions differ in at least
    # the subject or the target group, as distinct applications of an inventory do.
    by_subject: dict[tuple[str, str], list[int]] = {}
    for index, (bp, _obj, noun) in enumerate(OBJECTS):
        by_subject.setdefault((bp, noun), []).append(index)
    functions = [
        (rng.choice(indices), g) for indices in by_subject.values() for g in rng.sample(range(len(GROUPS)), 40)
    ]
    rng.shuffle(functions)
    apps: list[AppRecord] = []
    truth_pairs: set[tuple[int, int]] = set()
    truth_national: set[tuple[int, int]] = set()
    region_of: dict[int, int] = {}
    nationals = national_records()
    national_ids = {str(NATIONAL_APPLICATIONS[i]["code"]): rec.id for i, rec in enumerate(nationals)}

    def write(function: tuple[int, int], region: int) -> AppRecord:
        bp, obj, _dataset = OBJECTS[function[0]]
        group = GROUPS[function[1]]
        action = rng.choice(rng.choice(ACTIONS))
        short = "".join(w[0] for w in (obj + " " + group).split()).upper()[:6]
        title = f"{obj.title()} {group.title()}"
        name = rng.choice(NAME_STYLES).format(short=short, title=title)
        purpose = rng.choice(TEMPLATES).format(
            action=action, Action=action.capitalize(), object=obj, group=group, region=REGIONS[region]
        ) + rng.choice(FILLERS)
        roll = rng.random()
        code = bp if roll < 0.6 else (f"{bp}.{rng.randint(1, 3):02d}" if roll < 0.8 else "")
        datasets = (f"data {obj} {group}",) if rng.random() < 0.5 else ()
        app_id = len(apps) + 1
        record = AppRecord(
            id=app_id,
            name=name,
            purpose=purpose,
            institution_id=region + 1,
            agency_id=(region + 1) * 100 + function[0] % 30,
            acronym=short,
            business_process_code=code,
            datasets=datasets,
        )
        apps.append(record)
        region_of[app_id] = region
        return record

    planted_target = int(n * duplicate_share)
    national_target = int(n * national_share)
    cursor = 0
    # Planted duplicate groups of 2–3 applications in different OPDs or regions.
    while sum(1 for _ in truth_pairs) < planted_target * 0.6 and cursor < len(functions):
        function = functions[cursor]
        cursor += 1
        size = rng.choice([2, 2, 2, 3])
        members = [write(function, rng.randrange(len(REGIONS))).id for _ in range(size)]
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                truth_pairs.add((x, y))
    # Applications duplicating a national Aplikasi Umum.
    for _ in range(national_target):
        code = rng.choice(sorted(NATIONAL_PARAPHRASES))
        name_t, purpose = rng.choice(NATIONAL_PARAPHRASES[code])
        region = rng.randrange(len(REGIONS))
        short = REGIONS[region].split()[-1][:6].upper()
        app_id = len(apps) + 1
        apps.append(
            AppRecord(
                id=app_id,
                name=name_t.format(short=short, title=REGIONS[region].split(" ", 1)[1]),
                purpose=f"{purpose} {REGIONS[region]}.",
                institution_id=region + 1,
                agency_id=(region + 1) * 100 + 99,
                acronym="",
            )
        )
        region_of[app_id] = region
        truth_national.add((app_id, national_ids[code]))
    # National-copy applications of the same national function are also duplicates of each other.
    by_national: dict[int, list[int]] = {}
    for app_id, nat in truth_national:
        by_national.setdefault(nat, []).append(app_id)
    for members in by_national.values():
        members.sort()
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                truth_pairs.add((x, y))
    # Singletons fill the rest, each with a function of its own.
    while len(apps) < n - national_instances and cursor < len(functions):
        write(functions[cursor], rng.randrange(len(REGIONS)))
        cursor += 1
    # Benchmark sizes beyond the distinct functions: reuse them (unlabelled duplicates).
    while reuse and len(apps) < n:
        write(functions[rng.randrange(len(functions))], rng.randrange(len(REGIONS)))
    # Instances of national Aplikasi Umum (correct use): never duplicates.
    while len(apps) < n:
        chosen = rng.choice(nationals)
        app_id = len(apps) + 1
        region = rng.randrange(len(REGIONS))
        apps.append(
            AppRecord(
                id=app_id,
                name=chosen.name,
                purpose=chosen.purpose,
                institution_id=region + 1,
                agency_id=(region + 1) * 100 + rng.randrange(30),
                national_id=chosen.id,
            )
        )
        region_of[app_id] = region
    return SyntheticInventory(
        apps=apps, nationals=nationals, truth_pairs=truth_pairs, truth_national=truth_national, region_of=region_of
    )
