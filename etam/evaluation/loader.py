"""Load the SPBE frameworks Etam ships with.

- PermenPANRB 59/2020 is built from the reference CSVs (etam/core/data/) plus its two
  level scales and the evidence ladder (docs/shared domain brief §2.2), then goes through
  the same JSON import path as any other framework.
- The Indeks Pemdi structures (brief §2.7) are JSON documents in ``etam/evaluation/data/``,
  marked provisional with their source.

Idempotent: a framework whose code already exists is left alone (a changed framework is a
new version, made by a person through ``framework_new_version``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from etam.core import audit
from etam.evaluation.exchange import FrameworkDoc, create_from_document, parse_document
from etam.evaluation.models import Framework

DATA_DIR = Path(__file__).parent / "data"
CODE_59_2020 = "permenpanrb-59-2020"

PROCESS_LEVELS = [
    (
        1,
        "Rintisan",
        "Kebijakan internal baru berupa konsep/draf; proses dilaksanakan tanpa perencanaan, tidak terpantau "
        "dan hasilnya tidak dapat diprediksi.",
        ["Draf kebijakan, notula rapat atau undangan pembahasan"],
    ),
    (
        2,
        "Terkelola",
        "Kebijakan telah ditetapkan tetapi belum mengatur seluruh kegiatan; proses dasar telah didefinisikan dan "
        "didokumentasikan, baru diterapkan di sebagian unit.",
        ["Kebijakan/dokumen yang ditetapkan dengan cakupan sebagian unit (sebagian)"],
    ),
    (
        3,
        "Terdefinisi",
        "Kebijakan telah ditetapkan dan mengatur seluruh kegiatan; proses diterapkan di semua unit terkait "
        "mengikuti pedoman/standar.",
        ["Kebijakan/dokumen yang ditetapkan dan mencakup semua unit terkait (semua)"],
    ),
    (
        4,
        "Terpadu dan Terukur",
        "Kebijakan direviu dan dievaluasi secara berkala; proses terpadu dengan proses tata kelola lain, "
        "berkontribusi pada kinerja organisasi dan diukur melalui reviu/evaluasi.",
        ["Bukti keterpaduan antarinstansi/antarproses dan berita acara reviu atau evaluasi berkala"],
    ),
    (
        5,
        "Optimum",
        "Hasil reviu/evaluasi ditindaklanjuti dengan kebijakan baru; perbaikan berkelanjutan berdasarkan hasil "
        "reviu/evaluasi.",
        ["Bukti tindak lanjut hasil evaluasi, misalnya kebijakan baru atau perubahan yang ditetapkan"],
    ),
]

TECHNICAL_LEVELS = [
    (
        1,
        "Informasi",
        "Layanan memberikan informasi satu arah.",
        ["Tangkapan layar berjenjang tingkat 1 (bukan hanya halaman masuk), URL layanan"],
    ),
    (
        2,
        "Interaksi",
        "Layanan menyediakan pencarian, unggah dan unduh dokumen.",
        ["Tangkapan layar fitur pencarian, unggah dan unduh; manual pengguna"],
    ),
    (
        3,
        "Transaksi",
        "Satu transaksi utuh memakai beberapa sumber daya SPBE: otomasi alur kerja, transaksi basis data, "
        "validasi data, mekanisme persetujuan, analitik data.",
        ["Tangkapan layar/video satu transaksi utuh; URL dan akun uji (dummy); daftar fitur"],
    ),
    (
        4,
        "Kolaborasi",
        "Layanan terintegrasi dengan layanan elektronik lain (penganggaran, keuangan, pengadaan atau sistem "
        "instansi lain).",
        ["Arsitektur aplikasi dan bukti integrasi (repositori/manajemen API) dengan layanan lain"],
    ),
    (
        5,
        "Optimum",
        "Layanan ditingkatkan berdasarkan reviu/evaluasi terhadap perubahan lingkungan, regulasi, teknologi "
        "atau kebutuhan.",
        ["Hasil reviu/evaluasi layanan dan bukti perbaikan yang dilakukan; unit pengelola layanan"],
    ),
]

# Typical owning OPD per indicator in a Pemda (brief §2.1, inferred from Sampang's list).
OWNERS_59_2020: dict[int, str] = {
    **dict.fromkeys(range(1, 11), "hukum"),
    11: "diskominfo",
    12: "diskominfo",
    13: "bappeda",
    14: "organisasi",
    **dict.fromkeys(range(15, 21), "diskominfo"),
    21: "diskominfo",
    22: "diskominfo",
    23: "diskominfo",
    24: "diskominfo",
    25: "bkd",
    26: "diskominfo",
    27: "organisasi",
    28: "diskominfo",
    29: "diskominfo",
    30: "diskominfo",
    31: "diskominfo",
    32: "bappeda",
    33: "bpkad",
    34: "bpkad",
    35: "barjas",
    36: "bkd",
    37: "dispusip",
    38: "bpkad",
    39: "inspektorat",
    40: "organisasi",
    41: "bkd",
    42: "diskominfo",
    43: "diskominfo",
    44: "hukum",
    45: "dpmptsp",
    46: "dinkes",
    47: "dukcapil",
}

# How a typical-owner key is recognised among an instansi's OPDs (code or name, lower case).
OWNER_PATTERNS: dict[str, tuple[str, ...]] = {
    "hukum": ("hukum",),
    "organisasi": ("organisasi",),
    "bappeda": ("bappeda", "perencanaan pembangunan"),
    "bkd": ("bkd", "bkpsdm", "kepegawaian"),
    "bpkad": ("bpkad", "keuangan dan aset"),
    "barjas": ("barjas", "pbj", "barang dan jasa"),
    "inspektorat": ("inspektorat",),
    "diskominfo": ("diskominfo", "komunikasi dan informatika"),
    "dispusip": ("dispusip", "perpustakaan", "kearsipan"),
    "dpmptsp": ("dpmptsp", "penanaman modal"),
    "dinkes": ("dinkes", "kesehatan"),
    "dukcapil": ("dukcapil", "kependudukan"),
}


def _decimal(text: str) -> Decimal:
    return Decimal(text.strip())


def document_59_2020(data_dir: Path | None = None) -> dict[str, Any]:
    base = Path(data_dir or settings.SHARED_DATA_DIR)
    with open(base / "spbe_indikator_permenpanrb_59_2020.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(base / "spbe_predikat_indeks.csv", encoding="utf-8", newline="") as fh:
        bands = list(csv.DictReader(fh))
    domains: dict[int, dict[str, Any]] = {}
    aspects: dict[int, dict[str, Any]] = {}
    for row in rows:
        domain_no = int(row["no_domain"])
        aspect_no = int(row["no_aspek"])
        domain = domains.setdefault(
            domain_no,
            {
                "number": domain_no,
                "name": row["domain"],
                "weight": str(_decimal(row["bobot_domain_persen"])),
                "aspects": [],
            },
        )
        if aspect_no not in aspects:
            aspects[aspect_no] = {
                "number": aspect_no,
                "name": row["aspek"],
                "weight": str(_decimal(row["bobot_aspek_persen"])),
                "indicators": [],
            }
            domain["aspects"].append(aspects[aspect_no])
        number = int(row["no_indikator"])
        aspects[aspect_no]["indicators"].append(
            {
                "number": number,
                "name": row["nama_indikator"],
                "weight": str(_decimal(row["bobot_indikator_persen"])),
                "scale": "fungsi-teknis" if domain_no == 4 else "proses",
                "default_owner": OWNERS_59_2020.get(number, ""),
            }
        )

    def scale(levels: list[tuple[int, str, str, list[str]]]) -> list[dict[str, Any]]:
        return [{"level": lv, "name": nm, "criterion": cr, "evidence": ev} for lv, nm, cr, ev in levels]

    return {
        "code": CODE_59_2020,
        "version": 1,
        "name": "Indeks SPBE — PermenPANRB 59/2020",
        "description": "Pemantauan dan Evaluasi SPBE: 4 domain, 8 aspek, 47 indikator, tingkat kematangan 1–5.",
        "provisional": False,
        "source": (
            "Lampiran PermenPANRB No. 59 Tahun 2020 tentang Pemantauan dan Evaluasi SPBE; "
            "kriteria tingkat: paparan KemenPANRB 'Kebijakan dan Penerapan Tata Kelola SPBE' (Nov 2020)."
        ),
        "scales": [
            {"code": "proses", "name": "Kapabilitas proses (domain 1–3)", "levels": scale(PROCESS_LEVELS)},
            {
                "code": "fungsi-teknis",
                "name": "Kapabilitas fungsi teknis (domain Layanan)",
                "levels": scale(TECHNICAL_LEVELS),
            },
        ],
        "domains": [domains[k] for k in sorted(domains)],
        "predicates": [
            {
                "name": b["predikat"],
                "min": str(_decimal(b["indeks_min"])),
                "max": str(_decimal(b["indeks_maks"])),
                "min_inclusive": True,
                "max_inclusive": b["indeks_maks_inklusif"].strip().lower() == "true",
            }
            for b in bands
        ],
    }


def bundled_documents() -> list[dict[str, Any]]:
    docs = [document_59_2020()]
    for path in sorted(DATA_DIR.glob("*.json")):
        docs.append(json.loads(path.read_text(encoding="utf-8")))
    return docs


def load_frameworks(write: Callable[[str], None] = lambda _line: None) -> list[Framework]:
    """Create every bundled framework that is not there yet, published."""
    loaded = []
    for data in bundled_documents():
        doc: FrameworkDoc = parse_document(data)
        existing = Framework.objects.filter(code=doc.code).order_by("-version").first()
        if existing is not None:
            write(f"evaluation: framework {doc.code} already present (v{existing.version})")
            loaded.append(existing)
            continue
        with transaction.atomic():
            framework = create_from_document(doc, status=Framework.Status.PUBLISHED)
            audit.record(
                actor=None,
                action="evaluation.framework_load",
                target=framework,
                after={"code": framework.code, "version": framework.version, "status": framework.status},
            )
        write(
            f"evaluation: framework {doc.code} v{framework.version} loaded ({framework.indicators.count()} indicators)"
        )
        loaded.append(framework)
    return loaded
