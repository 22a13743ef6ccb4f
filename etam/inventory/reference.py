"""Codes of the SPBE reference architecture (Perpres 132/2022) that the inventory uses.

Tingkat 1–2 of the business-process reference (RAB) are the fixed national vocabulary:
nine sectors, each with a range of urusan. Tingkat 3–4 are defined by the Pemda and
extend a T2 code (``09.04`` → ``09.04.01`` → ``09.04.01.02``). Only the T1–T2 part
is checked against the national list; the rest is checked for shape.

Names are given where the domain brief (§5.2) gives them; the other urusan are known
only by their number there, so they are shown by number.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# Sector → number of urusan (T2) in it, from the domain brief §5.2.
RAB_SECTORS: dict[str, tuple[str, int]] = {
    "01": ("Pertahanan dan Luar Negeri", 2),
    "02": ("Ekonomi dan Industri", 11),
    "03": ("Pembangunan Kewilayahan", 7),
    "04": ("Perlindungan Sosial dan Kesehatan", 3),
    "05": ("Ketertiban Umum dan Keselamatan", 3),
    "06": ("Pendidikan dan Tenaga Kerja", 5),
    "07": ("Lingkungan dan Sumber Daya Alam", 5),
    "08": ("Budaya dan Agama", 2),
    "09": ("Pemerintahan Umum", 7),
}

RAB_NAMES: dict[str, str] = {
    "01.01": "Pertahanan",
    "01.02": "Hubungan Luar Negeri",
    "02.01": "Industri",
    "02.11": "Pariwisata",
    "03.01": "Pekerjaan Umum",
    "03.07": "Kependudukan",
    "04.01": "Kesehatan",
    "04.02": "Sosial",
    "04.03": "Pemberdayaan Perempuan",
    "05.01": "Hukum",
    "05.02": "Keamanan",
    "05.03": "Hak Asasi Manusia",
    "07.01": "Pertambangan",
    "07.05": "Lingkungan Hidup",
    "08.01": "Agama",
    "08.02": "Kebudayaan",
    "09.01": "Dalam Negeri",
    "09.02": "Keuangan",
    "09.03": "Informasi",
    "09.04": "Komunikasi",
    "09.05": "Perencanaan Pembangunan",
    "09.06": "Aparatur Negara",
    "09.07": "Kesekretariatan Negara",
}

# RAA (Referensi Arsitektur Aplikasi): the application reference codes.
RAA_CHOICES = [
    ("01.01", _("01.01 Aplikasi Umum — Layanan Publik")),
    ("01.02", _("01.02 Aplikasi Umum — Administrasi Pemerintahan")),
    ("02.01", _("02.01 Aplikasi Khusus — Misi Tertentu")),
    ("02.02", _("02.02 Aplikasi Khusus — Fungsi Tertentu")),
]

_CODE_SHAPE = re.compile(r"^\d{2}\.\d{2}(\.\d{2}){0,2}$")


def rab_code_problem(code: str) -> str | None:
    """None if ``code`` is a valid RAB code (T2 known, T3–T4 well formed), else why not."""
    if not _CODE_SHAPE.match(code):
        return "shape"
    sector, urusan = code[:2], int(code[3:5])
    if sector not in RAB_SECTORS:
        return "sector"
    if not 1 <= urusan <= RAB_SECTORS[sector][1]:
        return "urusan"
    return None


def service_code_problem(code: str) -> str | None:
    """RAL codes: two domains (01 Layanan Publik with 45 areas, 02 Administrasi Pemerintahan with 9)."""
    if not _CODE_SHAPE.match(code):
        return "shape"
    domain, area = code[:2], int(code[3:5])
    limits = {"01": 45, "02": 9}
    if domain not in limits:
        return "sector"
    if not 1 <= area <= limits[domain]:
        return "urusan"
    return None


def rab_label(code: str) -> str:
    if not code:
        return ""
    t2 = code[:5]
    name = RAB_NAMES.get(t2)
    return f"{code} {name}" if name else code
