"""The shared fixture province: two instansi, a few OPDs each, and one user per role.

Every module's tests build on ``province`` so isolation tests speak the same language:
``province.kaltim`` / ``province.samarinda`` (instansi), ``province.diskominfo``,
``province.dpmptsp`` (Kaltim OPDs), ``province.dpmptsp_smr`` (a Samarinda OPD), and users
such as ``province.officer_dpmptsp``, ``province.admin_dpmptsp``, ``province.citizen``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from etam.core.models import Agency, Institution, Role, SigningIdentity, User
from tests.factories import AgencyFactory, InstitutionFactory, StaffFactory, UserFactory, grant

# --- Reference regions (helper refdata-demo): loaded once per test database. ---------------
# Every test database gets the Kaltim kode wilayah tree, boundaries, statistics and the BPS
# crosswalk right after pytest-django creates it (works with --create-db, --reuse-db and
# xdist: each worker has its own database and loads it once). Transactional tests
# (transaction=True, transactional_db, live_server; pytest-django runs them last) flush every
# table afterwards, so the data is loaded again after each of them.
_reference_blocker: list = []


def _load_reference_data() -> None:
    from etam.core.reference_loader import load_all

    load_all()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _load_reference_data()
    _reference_blocker[:] = [django_db_blocker]


def _flushes_database(item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences") or marker.args))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    # nextitem None: the session (and its test database) is being torn down.
    if nextitem is not None and _reference_blocker and _flushes_database(item):
        with _reference_blocker[0].unblock():
            _load_reference_data()


@dataclass
class Province:
    kaltim: Institution
    samarinda: Institution
    diskominfo: Agency
    dpmptsp: Agency
    disdikbud: Agency
    dpmptsp_smr: Agency
    superadmin: User
    admin_kaltim: User
    admin_samarinda: User
    admin_dpmptsp: User
    admin_diskominfo: User
    officer_dpmptsp: User
    officer_dpmptsp_smr: User
    producer_diskominfo: User
    steward_kaltim: User
    coordinator_kaltim: User
    assessor_kaltim: User
    citizen: User
    other_citizen: User


@pytest.fixture
def province(db) -> Province:
    kaltim = InstitutionFactory(
        region_code="64", name="Pemerintah Provinsi Kalimantan Timur", short_name="Pemprov Kaltim"
    )
    samarinda = InstitutionFactory(
        region_code="64.72", name="Pemerintah Kota Samarinda", short_name="Pemkot Samarinda", kind=Institution.Kind.CITY
    )
    diskominfo = AgencyFactory(institution=kaltim, code="DISKOMINFO", name="Dinas Komunikasi dan Informatika")
    dpmptsp = AgencyFactory(
        institution=kaltim, code="DPMPTSP", name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
    )
    disdikbud = AgencyFactory(institution=kaltim, code="DISDIKBUD", name="Dinas Pendidikan dan Kebudayaan")
    dpmptsp_smr = AgencyFactory(
        institution=samarinda, code="DPMPTSP", name="Dinas Penanaman Modal dan PTSP Kota Samarinda"
    )

    def staff(name: str, role: str, scope) -> User:
        user = StaffFactory(full_name=name, email=f"{name.lower().replace(' ', '.')}@example.id")
        grant(user, role, scope)
        return user

    province = Province(
        kaltim=kaltim,
        samarinda=samarinda,
        diskominfo=diskominfo,
        dpmptsp=dpmptsp,
        disdikbud=disdikbud,
        dpmptsp_smr=dpmptsp_smr,
        superadmin=staff("Super Admin", Role.SUPER_ADMIN, None),
        admin_kaltim=staff("Admin Kaltim", Role.INSTITUTION_ADMIN, kaltim),
        admin_samarinda=staff("Admin Samarinda", Role.INSTITUTION_ADMIN, samarinda),
        admin_dpmptsp=staff("Admin DPMPTSP", Role.AGENCY_ADMIN, dpmptsp),
        admin_diskominfo=staff("Admin Diskominfo", Role.AGENCY_ADMIN, diskominfo),
        officer_dpmptsp=staff("Petugas DPMPTSP", Role.SERVICE_OFFICER, dpmptsp),
        officer_dpmptsp_smr=staff("Petugas DPMPTSP Samarinda", Role.SERVICE_OFFICER, dpmptsp_smr),
        producer_diskominfo=staff("Produsen Diskominfo", Role.DATA_PRODUCER, diskominfo),
        steward_kaltim=staff("Walidata Kaltim", Role.DATA_STEWARD, kaltim),
        coordinator_kaltim=staff("Koordinator Kaltim", Role.SPBE_COORDINATOR, kaltim),
        assessor_kaltim=staff("Asesor Kaltim", Role.ASSESSOR, kaltim),
        citizen=UserFactory(full_name="Warga Satu", email="warga1@example.id"),
        other_citizen=UserFactory(full_name="Warga Dua", email="warga2@example.id"),
    )
    return province


def make_signatory(user: User, agency: Agency) -> User:
    """Make ``user`` a signing official (penandatangan) of ``agency`` with a BSrE identity."""
    grant(user, Role.SIGNATORY, agency)
    SigningIdentity.objects.create(user=user, nik=OFFICIAL_NIK, nip="198001012005011001", position=OFFICIAL_POSITION)
    return user


@pytest.fixture
def signatory(province) -> User:
    """The DPMPTSP admin as its signing official (the approver of the demo workflow)."""
    return make_signatory(province.admin_dpmptsp, province.dpmptsp)


OFFICIAL_NIK = "6472010101800003"
OFFICIAL_POSITION = "Kepala Dinas Penanaman Modal dan PTSP Provinsi Kalimantan Timur"
OFFICIAL_PASSPHRASE = "Rahasia-TTE-uji-9173"


@pytest.fixture(autouse=True)
def _signing_dir(settings, tmp_path_factory):
    """Each test signs with a demo PKI in a session temporary directory (not var/)."""
    from etam.eservices.signing import signer

    settings.ESERVICES_SIGNING_DIR = tmp_path_factory.getbasetemp() / "signing"
    settings.ESERVICES_SIGNER = "local"
    signer.reset()
    yield
    signer.reset()


@pytest.fixture
def framework(db):
    """The SPBE evaluation framework of PermenPANRB 59/2020, loaded: for the evaluation tests and
    the other modules' rules that feed it."""
    from etam.evaluation.loader import CODE_59_2020, load_frameworks
    from etam.evaluation.models import Framework

    load_frameworks()
    return Framework.objects.get(code=CODE_59_2020)


@pytest.fixture
def indonesian():
    """The test runs with Indonesian active, for modules whose assertions read the messages
    (`pytestmark = pytest.mark.usefixtures("indonesian")`)."""
    from django.utils import translation

    with translation.override("id"):
        yield


@pytest.fixture
def public_page_cache():
    """Anonymous public pages kept (PAGE_CACHE_SECONDS=60) in a local-memory cache emptied before
    and after the test: for the tests of the page cache itself (unit and browser)."""
    from django.core.cache import cache
    from django.test import override_settings

    with override_settings(
        PAGE_CACHE_SECONDS=60, CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        cache.clear()
        yield
        cache.clear()
