"""Core demo content: the 11 instansi, OPDs, units, one demo login per role, two citizens.

Registered as the ``core`` demo loader (order 10) from ``CoreConfig.ready``. Idempotent:
everything is looked up by its natural key (kode wilayah, OPD code, unit code, email or
phone, role + scope) and created only when missing; what exists is left as it is.

The demo runs before anyone can sign in, so there is no person to act: rows are created
directly, each with one audit event by the actor "sistem" in the same transaction
(the services in ``etam.core.services`` need an actor holding a role).

Demo passwords exist only in demo mode (``settings.DEMO_MODE``). In any other mode the
accounts are still created, so other modules' demo loaders can refer to them, but with an
unusable password: nobody can sign in with them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

from etam.core import audit, changes
from etam.core.models import Agency, Institution, OrgUnit, Region, Role, RoleGrant, User
from etam.core.services.people import record_new_grant

Write = Callable[[str], None]
R = TypeVar("R", bound=models.Model)

# Meets the staff password rule (ADR 0077): 12+ characters, letter case, digits, symbols.
DEMO_PASSWORD = "Etam-Demo-Kaltim-2026"  # noqa: S105 (demo mode only; refused elsewhere)
# The demo password before ADR 0077; demo databases made with it get the current one on the next run.
PREVIOUS_DEMO_PASSWORDS = ("etam-demo-kaltim",)
DEMO_EMAIL_DOMAIN = "demo.etam.test"  # RFC 2606 reserved: never a real mailbox

KALTIM = "64"

# (kode wilayah, kind, full name, short name)
INSTITUTIONS: list[tuple[str, str, str, str]] = [
    ("64", Institution.Kind.PROVINCE, "Pemerintah Provinsi Kalimantan Timur", "Pemprov Kaltim"),
    ("64.01", Institution.Kind.REGENCY, "Pemerintah Kabupaten Paser", "Pemkab Paser"),
    ("64.02", Institution.Kind.REGENCY, "Pemerintah Kabupaten Kutai Kartanegara", "Pemkab Kukar"),
    ("64.03", Institution.Kind.REGENCY, "Pemerintah Kabupaten Berau", "Pemkab Berau"),
    ("64.07", Institution.Kind.REGENCY, "Pemerintah Kabupaten Kutai Barat", "Pemkab Kubar"),
    ("64.08", Institution.Kind.REGENCY, "Pemerintah Kabupaten Kutai Timur", "Pemkab Kutim"),
    ("64.09", Institution.Kind.REGENCY, "Pemerintah Kabupaten Penajam Paser Utara", "Pemkab PPU"),
    ("64.11", Institution.Kind.REGENCY, "Pemerintah Kabupaten Mahakam Ulu", "Pemkab Mahulu"),
    ("64.71", Institution.Kind.CITY, "Pemerintah Kota Balikpapan", "Pemkot Balikpapan"),
    ("64.72", Institution.Kind.CITY, "Pemerintah Kota Samarinda", "Pemkot Samarinda"),
    ("64.74", Institution.Kind.CITY, "Pemerintah Kota Bontang", "Pemkot Bontang"),
]

K = Agency.Kind

# The OPDs the demo kabupaten/kota share: code → (kind, name, short name); the region is appended.
LOCAL_OPDS: dict[str, tuple[str, str, str]] = {
    "DISKOMINFO": (K.DINAS, "Dinas Komunikasi dan Informatika", "Diskominfo"),
    "DPMPTSP": (K.DINAS, "Dinas Penanaman Modal dan PTSP", "DPMPTSP"),
    "DISDUKCAPIL": (K.DINAS, "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    "DINKES": (K.DINAS, "Dinas Kesehatan", "Dinkes"),
    "BAPPEDA": (K.BADAN, "Badan Perencanaan Pembangunan Daerah", "Bappeda"),
}


def _local_opds(region: str, short_region: str, *codes: str) -> list[tuple[str, str, str, str]]:
    """A kabupaten/kota's OPD rows, e.g. "Dinas Kesehatan Kota Samarinda" / "Dinkes Samarinda"."""
    return [
        (code, kind, f"{name} {region}", f"{short} {short_region}")
        for code in codes
        for kind, name, short in [LOCAL_OPDS[code]]
    ]


# kode wilayah of the instansi → [(code, kind, full name, short name)]
AGENCIES: dict[str, list[tuple[str, str, str, str]]] = {
    "64": [
        ("SETDA", K.SEKRETARIAT, "Sekretariat Daerah Provinsi Kalimantan Timur", "Setda"),
        ("DISKOMINFO", K.DINAS, "Dinas Komunikasi dan Informatika", "Diskominfo"),
        ("DPMPTSP", K.DINAS, "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"),
        ("DISDIKBUD", K.DINAS, "Dinas Pendidikan dan Kebudayaan", "Disdikbud"),
        ("DINKES", K.DINAS, "Dinas Kesehatan", "Dinkes"),
        ("DINSOS", K.DINAS, "Dinas Sosial", "Dinsos"),
        ("DPUPR-PERA", K.DINAS, "Dinas Pekerjaan Umum, Penataan Ruang dan Perumahan Rakyat", "DPUPR-PERA"),
        (
            "DKP3A",
            K.DINAS,
            "Dinas Kependudukan, Pemberdayaan Perempuan dan Perlindungan Anak",
            "DKP3A",
        ),
        ("DISHUB", K.DINAS, "Dinas Perhubungan", "Dishub"),
        ("DLH", K.DINAS, "Dinas Lingkungan Hidup", "DLH"),
        ("BAPPEDA", K.BADAN, "Badan Perencanaan Pembangunan Daerah", "Bappeda"),
        ("BPKAD", K.BADAN, "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
        ("BAPENDA", K.BADAN, "Badan Pendapatan Daerah", "Bapenda"),
        ("BKD", K.BADAN, "Badan Kepegawaian Daerah", "BKD"),
        ("BPBD", K.BADAN, "Badan Penanggulangan Bencana Daerah", "BPBD"),
        ("INSPEKTORAT", K.INSPEKTORAT, "Inspektorat Daerah", "Inspektorat"),
        ("BIRO-HUKUM", K.BIRO, "Biro Hukum", "Biro Hukum"),
        ("BIRO-ORGANISASI", K.BIRO, "Biro Organisasi", "Biro Organisasi"),
        ("BIRO-PEMERINTAHAN", K.BIRO, "Biro Pemerintahan dan Otonomi Daerah", "Biro Pemotda"),
        ("SATPOL-PP", K.SATPOL, "Satuan Polisi Pamong Praja", "Satpol PP"),
        ("RSUD-AWS", K.RSUD, "RSUD Abdoel Wahab Sjahranie", "RSUD AWS"),
    ],
    "64.72": [
        *_local_opds("Kota Samarinda", "Samarinda", "DISKOMINFO", "DPMPTSP", "DISDUKCAPIL", "DINKES"),
        ("KEC-SAMARINDA-ULU", K.KECAMATAN, "Kecamatan Samarinda Ulu", "Kec. Samarinda Ulu"),
    ],
    "64.71": _local_opds("Kota Balikpapan", "Balikpapan", "DISKOMINFO", "DPMPTSP", "DISDUKCAPIL"),
    "64.02": _local_opds("Kabupaten Kutai Kartanegara", "Kukar", "DISKOMINFO", "DPMPTSP", "DISDUKCAPIL", "BAPPEDA"),
}

# (kode wilayah, OPD code) → [(unit code, name, parent unit code or "")]; parents first.
UNITS: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    ("64", "DISKOMINFO"): [
        ("APTIKA", "Bidang Aplikasi Informatika", ""),
        ("TATA-KELOLA-SPBE", "Tim Kerja Tata Kelola SPBE", "APTIKA"),
        ("STATISTIK", "Bidang Statistik", ""),
        ("PERSANDIAN", "Bidang Persandian dan Keamanan Informasi", ""),
        ("IKP", "Bidang Informasi dan Komunikasi Publik", ""),
    ],
    ("64", "DPMPTSP"): [
        ("PELAYANAN", "Bidang Penyelenggaraan Pelayanan Perizinan dan Non Perizinan", ""),
        ("PENGADUAN", "Bidang Pengaduan, Kebijakan dan Pelaporan Layanan", ""),
    ],
    ("64", "DINKES"): [("P2P", "Bidang Pencegahan dan Pengendalian Penyakit", "")],
    ("64.72", "DPMPTSP"): [("PELAYANAN", "Bidang Pelayanan Perizinan", "")],
}


@dataclass(frozen=True)
class DemoAccount:
    key: str
    full_name: str
    email: str | None
    phone: str | None
    role: str | None  # None: a citizen
    region_code: str | None = None  # instansi of the grant
    agency_code: str | None = None  # OPD of the grant (agency-scoped roles)

    @property
    def login(self) -> str:
        """What to type on the sign-in form (a phone number in its everyday 08… form)."""
        if self.email:
            return self.email
        return "0" + (self.phone or "").removeprefix("+62")


def _email(local: str) -> str:
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


ACCOUNTS: list[DemoAccount] = [
    DemoAccount("superadmin", "Super Admin Etam", _email("superadmin"), None, Role.SUPER_ADMIN),
    DemoAccount("admin_kaltim", "Admin Pemprov Kaltim", _email("admin.kaltim"), None, Role.INSTITUTION_ADMIN, "64"),
    DemoAccount(
        "admin_dpmptsp", "Admin DPMPTSP Kaltim", _email("admin.dpmptsp"), None, Role.AGENCY_ADMIN, "64", "DPMPTSP"
    ),
    DemoAccount(
        "kepala_dpmptsp",
        "Kepala DPMPTSP Kaltim (penandatangan)",
        _email("kepala.dpmptsp"),
        None,
        Role.SIGNATORY,
        "64",
        "DPMPTSP",
    ),
    DemoAccount(
        "petugas_dpmptsp",
        "Petugas Layanan DPMPTSP",
        _email("petugas.dpmptsp"),
        None,
        Role.SERVICE_OFFICER,
        "64",
        "DPMPTSP",
    ),
    DemoAccount(
        "produsen_diskominfo",
        "Produsen Data Diskominfo",
        _email("produsen.diskominfo"),
        None,
        Role.DATA_PRODUCER,
        "64",
        "DISKOMINFO",
    ),
    DemoAccount(
        "produsen_dinkes", "Produsen Data Dinkes", _email("produsen.dinkes"), None, Role.DATA_PRODUCER, "64", "DINKES"
    ),
    DemoAccount("walidata_kaltim", "Walidata Kaltim", _email("walidata.kaltim"), None, Role.DATA_STEWARD, "64"),
    DemoAccount(
        "koordinator_kaltim",
        "Koordinator SPBE Kaltim",
        _email("koordinator.kaltim"),
        None,
        Role.SPBE_COORDINATOR,
        "64",
    ),
    DemoAccount("asesor_kaltim", "Asesor SPBE", _email("asesor"), None, Role.ASSESSOR, "64"),
    DemoAccount(
        "admin_samarinda", "Admin Pemkot Samarinda", _email("admin.samarinda"), None, Role.INSTITUTION_ADMIN, "64.72"
    ),
    DemoAccount(
        "petugas_samarinda",
        "Petugas Layanan DPMPTSP Samarinda",
        _email("petugas.samarinda"),
        None,
        Role.SERVICE_OFFICER,
        "64.72",
        "DPMPTSP",
    ),
    DemoAccount("warga_email", "Rina Warga (demo)", _email("warga"), None, None),
    DemoAccount("warga_phone", "Budi Warga (demo)", None, "+6281234500001", None),
]
ACCOUNTS_BY_KEY = {account.key: account for account in ACCOUNTS}


def demo_user(key: str) -> User | None:
    """A demo account by its key (e.g. ``"petugas_dpmptsp"``, ``"warga_email"``), for other loaders."""
    account = ACCOUNTS_BY_KEY[key]
    if account.email:
        return User.objects.filter(email__iexact=account.email).first()
    return User.objects.filter(phone=account.phone).first()


def demo_institution(region_code: str = KALTIM) -> Institution | None:
    return Institution.objects.filter(region_code=region_code).first()


def demo_agency(code: str, region_code: str = KALTIM) -> Agency | None:
    return Agency.objects.filter(institution__region_code=region_code, code=code).first()


def demo_passwords_allowed() -> bool:
    return bool(getattr(settings, "DEMO_MODE", False))


def renew_previous_demo_password(user: User, password_hash: str, seen: dict[str, bool]) -> bool:
    """Give ``user`` the current demo password if it still has a previous one (demo mode only).

    Demo accounts share one stored hash, so ``seen`` (stored hash → was it a previous demo
    password) keeps this to one slow password check per distinct hash, not one per account.
    """
    encoded = user.password
    if not encoded or not user.has_usable_password():
        return False
    if encoded not in seen:
        seen[encoded] = any(check_password(old, encoded) for old in PREVIOUS_DEMO_PASSWORDS)
    if not seen[encoded]:
        return False
    _require_demo_mode()
    user.password = password_hash
    user.save(update_fields=["password"])
    audit.record(actor=None, action="core.demo_password_set", target=user, after={"password": "demo"})
    return True


def _require_demo_mode() -> None:
    if not demo_passwords_allowed():
        raise ImproperlyConfigured(
            "Kata sandi demo hanya ada di mode demo (ETAM_MODE=demo). / Demo passwords exist only in demo mode."
        )


def scope_label(account: DemoAccount) -> str:
    if account.role is None:
        return "milik sendiri / own"
    if account.role == Role.SUPER_ADMIN:
        return "semua / all"
    short = {code: short for code, _, _, short in INSTITUTIONS}[account.region_code or ""]
    if account.agency_code:
        agency = next(a for a in AGENCIES[account.region_code or ""] if a[0] == account.agency_code)
        return f"{agency[3]} ({short})"
    return short


# --------------------------------------------------------------------------- loading


class _Tally:
    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.present: Counter[str] = Counter()

    def lines(self, order: list[str]) -> list[str]:
        return [
            f"  {label}: {self.created[label]} dibuat / created, {self.present[label]} sudah ada / already present"
            for label in order
        ]


def _recorded_demo_row(row: R, action: str, after: dict[str, Any]) -> R:
    """The audit event of a row the demo loader created: by the system, marked ``demo``."""
    audit.record(actor=None, action=action, target=row, after={**after, "demo": True})
    return row


def _institution(tally: _Tally) -> dict[str, Institution]:
    regions = dict(
        Region.objects.current().filter(code__in=[code for code, *_ in INSTITUTIONS]).values_list("code", "name")
    )
    missing = [code for code, *_ in INSTITUTIONS if code not in regions]
    if missing:
        raise ImproperlyConfigured(
            f"Kode wilayah {', '.join(missing)} belum ada: jalankan dulu manage.py load_reference_data. "
            f"/ Region codes {', '.join(missing)} missing: run manage.py load_reference_data first."
        )
    existing = {i.region_code: i for i in Institution.objects.filter(region_code__in=regions)}
    for code, kind, name, short_name in INSTITUTIONS:
        if code in existing:
            tally.present["instansi"] += 1
            continue
        data = {"region_code": code, "name": name, "short_name": short_name, "kind": kind}
        institution = _recorded_demo_row(Institution.objects.create(**data), "core.institution_create", data)
        existing[code] = institution
        tally.created["instansi"] += 1
    return existing


def _agencies(tally: _Tally, institutions: dict[str, Institution]) -> dict[tuple[str, str], Agency]:
    existing = {
        (a.institution.region_code, a.code): a
        for a in Agency.objects.filter(institution__region_code__in=list(AGENCIES)).select_related("institution")
    }
    for region_code, rows in AGENCIES.items():
        for code, kind, name, short_name in rows:
            if (region_code, code) in existing:
                tally.present["OPD"] += 1
                continue
            institution = institutions[region_code]
            data = {"code": code, "name": name, "short_name": short_name, "kind": kind}
            agency = _recorded_demo_row(
                Agency.objects.create(institution=institution, **data),
                "core.agency_create",
                {"institution": institution.pk, **data},
            )
            existing[(region_code, code)] = agency
            tally.created["OPD"] += 1
    return existing


def _units(tally: _Tally, agencies: dict[tuple[str, str], Agency]) -> None:
    wanted = [agencies[key] for key in UNITS]
    existing = {(u.agency_id, u.code): u for u in OrgUnit.objects.filter(agency__in=wanted)}
    for key, rows in UNITS.items():
        agency = agencies[key]
        for code, name, parent_code in rows:
            if (agency.pk, code) in existing:
                tally.present["unit"] += 1
                continue
            parent = existing[(agency.pk, parent_code)] if parent_code else None
            unit = _recorded_demo_row(
                OrgUnit.objects.create(agency=agency, code=code, name=name, parent=parent),
                "core.orgunit_create",
                {"agency": agency.pk, "code": code, "name": name, "parent": parent.pk if parent else None},
            )
            existing[(agency.pk, code)] = unit
            tally.created["unit"] += 1


def _accounts(
    tally: _Tally,
    institutions: dict[str, Institution],
    agencies: dict[tuple[str, str], Agency],
    write: Write,
) -> None:
    with_passwords = demo_passwords_allowed()
    # One hash for every demo account: PBKDF2 is slow on purpose, and they share the password.
    password_hash = make_password(DEMO_PASSWORD) if with_passwords else None
    previous: dict[str, bool] = {}
    if not with_passwords:
        write(
            "  akun demo dibuat TANPA kata sandi: kata sandi demo hanya ada di mode demo (ETAM_MODE=demo) "
            "/ demo accounts created WITHOUT passwords: demo passwords exist only in demo mode"
        )
    for account in ACCOUNTS:
        user = demo_user(account.key)
        if user is None:
            user = User(
                full_name=account.full_name,
                email=account.email,
                phone=account.phone,
                kind=User.Kind.CITIZEN if account.role is None else User.Kind.STAFF,
                is_staff=account.role == Role.SUPER_ADMIN,
                is_superuser=account.role == Role.SUPER_ADMIN,
            )
            if password_hash is not None:
                _require_demo_mode()
                user.password = password_hash
            else:
                user.set_unusable_password()
            user.save()
            changes.record_change(
                None,
                "core.demo_account_create",
                user,
                ["full_name", "email", "phone", "kind"],
                also={"password": "demo" if password_hash else "unusable"},
            )
            tally.created["akun / accounts"] += 1
        else:
            tally.present["akun / accounts"] += 1
            if password_hash is not None and not user.has_usable_password():
                # Created earlier outside demo mode: demo mode gives it the demo password.
                _require_demo_mode()
                user.password = password_hash
                user.save(update_fields=["password"])
                audit.record(actor=None, action="core.demo_password_set", target=user, after={"password": "demo"})
            elif password_hash is not None:
                renew_previous_demo_password(user, password_hash, previous)
        if account.role is not None:
            _grant(tally, user, account, institutions, agencies)


def _grant(
    tally: _Tally,
    user: User,
    account: DemoAccount,
    institutions: dict[str, Institution],
    agencies: dict[tuple[str, str], Agency],
) -> None:
    role = account.role
    if role is None:
        return
    institution = institutions[account.region_code] if account.region_code else None
    agency = agencies[(account.region_code or "", account.agency_code)] if account.agency_code else None
    grants = RoleGrant.objects.active().filter(user=user, role=role, institution=institution, agency=agency)
    if grants.exists():
        tally.present["hak akses / role grants"] += 1
        return
    record_new_grant(actor=None, user=user, role=role, institution=institution, agency=agency)
    tally.created["hak akses / role grants"] += 1


def load(write: Write) -> None:
    """The core demo loader: organisations first, then accounts and their grants."""
    tally = _Tally()
    with transaction.atomic():
        institutions = _institution(tally)
        agencies = _agencies(tally, institutions)
        _units(tally, agencies)
        _accounts(tally, institutions, agencies, write)
    for line in tally.lines(["instansi", "OPD", "unit", "akun / accounts", "hak akses / role grants"]):
        write(line)


def register() -> None:
    from etam.core.demo_registry import register_demo_loader

    register_demo_loader("core", load, order=10)


def banner_rows() -> list[tuple[str, str, str, str]]:
    """(login, password, role, scope) for the demo banner; demo mode only."""
    _require_demo_mode()
    rows = []
    for account in ACCOUNTS:
        role = Role(account.role).label if account.role else "Warga / citizen"
        rows.append((account.login, DEMO_PASSWORD, str(role), scope_label(account)))
    return rows
