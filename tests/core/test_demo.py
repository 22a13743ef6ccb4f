"""Demo content: idempotent, tied to the kode wilayah, passwords only in demo mode."""

from __future__ import annotations

import os
import signal
import sys
import threading
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from etam.core import demo
from etam.core.demo_registry import DEMO_LOADERS
from etam.core.management.commands import run_demo
from etam.core.models import Agency, AuditEvent, Institution, OrgUnit, Region, Role, RoleGrant, User
from etam.core.permissions import has_perm

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Institution.objects.count(),
        Agency.objects.count(),
        OrgUnit.objects.count(),
        User.objects.count(),
        RoleGrant.objects.count(),
        AuditEvent.objects.count(),
    )


def _core_only(monkeypatch) -> None:
    """Run only the core loader: other modules' loaders have their own tests."""
    monkeypatch.setattr("etam.core.demo_registry.DEMO_LOADERS", {"core": DEMO_LOADERS["core"]})


def _load(**kwargs) -> str:
    out = StringIO()
    call_command("load_demo_content", stdout=out, **kwargs)
    return out.getvalue()


def test_core_loader_is_registered_at_order_10():
    assert DEMO_LOADERS["core"].order == 10
    assert DEMO_LOADERS["core"].load is demo.load


def test_second_run_creates_nothing(settings, monkeypatch):
    settings.DEMO_MODE = True
    _core_only(monkeypatch)
    first = _load()
    after_first = _counts()
    assert "instansi: 11 dibuat / created, 0 sudah ada / already present" in first
    assert "akun / accounts: 14 dibuat / created" in first
    second = _load()
    assert _counts() == after_first
    assert "instansi: 0 dibuat / created, 11 sudah ada / already present" in second
    assert f"OPD: 0 dibuat / created, {Agency.objects.count()} sudah ada / already present" in second
    assert "akun / accounts: 0 dibuat / created, 14 sudah ada / already present" in second
    assert "hak akses / role grants: 0 dibuat / created, 12 sudah ada / already present" in second


def test_every_instansi_is_tied_to_its_kode_wilayah(settings, monkeypatch):
    settings.DEMO_MODE = True
    _core_only(monkeypatch)
    _load()
    institutions = {i.region_code: i for i in Institution.objects.all()}
    assert sorted(institutions) == [
        "64", "64.01", "64.02", "64.03", "64.07", "64.08", "64.09", "64.11", "64.71", "64.72", "64.74",
    ]  # fmt: skip
    regions = {r.code: r for r in Region.objects.current().filter(code__in=institutions)}
    for code, institution in institutions.items():
        region = regions[code]
        assert institution.name.endswith(region.name.removeprefix("Kabupaten ").removeprefix("Kota "))
        expected_kind = {"Provinsi": "provinsi", "Kabupaten": "kabupaten", "Kota": "kota"}[region.kind]
        assert institution.kind == expected_kind
    assert institutions["64.72"].name == "Pemerintah Kota Samarinda"
    kaltim_codes = set(Agency.objects.filter(institution=institutions["64"]).values_list("code", flat=True))
    assert {"DISKOMINFO", "DPMPTSP", "DISDIKBUD", "DINKES", "BAPPEDA", "BPKAD", "BKD", "INSPEKTORAT"} <= kaltim_codes
    assert {"BIRO-HUKUM", "BIRO-ORGANISASI", "BAPENDA", "DINSOS", "DPUPR-PERA", "SATPOL-PP", "DKP3A"} <= kaltim_codes
    for region_code in ("64.72", "64.71", "64.02"):
        assert Agency.objects.filter(institution=institutions[region_code]).count() >= 3
    nested = OrgUnit.objects.get(code="TATA-KELOLA-SPBE")
    assert nested.parent is not None and nested.parent.code == "APTIKA"


def test_each_created_row_has_one_audit_event_by_sistem(settings, monkeypatch):
    settings.DEMO_MODE = True
    _core_only(monkeypatch)
    _load()
    events = AuditEvent.objects.filter(actor__isnull=True, actor_label="sistem")
    assert events.filter(action="core.institution_create").count() == 11
    assert events.filter(action="core.agency_create").count() == Agency.objects.count()
    assert events.filter(action="core.orgunit_create").count() == OrgUnit.objects.count()
    assert events.filter(action="core.demo_account_create").count() == 14
    assert events.filter(action="core.role_grant_create").count() == 12
    assert AuditEvent.objects.count() == events.count()


def test_demo_mode_gives_one_login_per_role_with_the_demo_password(settings, monkeypatch):
    settings.DEMO_MODE = True
    _core_only(monkeypatch)
    _load()
    roles = set(
        RoleGrant.objects.active().filter(user__email__endswith=demo.DEMO_EMAIL_DOMAIN).values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    for account in demo.ACCOUNTS:
        user = demo.demo_user(account.key)
        assert user is not None and user.check_password(demo.DEMO_PASSWORD), account.key
        assert user.kind == (User.Kind.CITIZEN if account.role is None else User.Kind.STAFF)
    officer = demo.demo_user("petugas_dpmptsp")
    admin_dpmptsp = demo.demo_user("admin_dpmptsp")
    # The grants scope as the permission engine expects: the DPMPTSP admin edits DPMPTSP only.
    assert has_perm(admin_dpmptsp, "core.edit_agency", demo.demo_agency("DPMPTSP"))
    assert not has_perm(admin_dpmptsp, "core.edit_agency", demo.demo_agency("DISKOMINFO"))
    assert not has_perm(admin_dpmptsp, "core.edit_agency", demo.demo_agency("DPMPTSP", "64.72"))
    assert has_perm(demo.demo_user("admin_samarinda"), "core.manage_agency", demo.demo_agency("DPMPTSP", "64.72"))
    assert not has_perm(demo.demo_user("admin_samarinda"), "core.manage_agency", demo.demo_agency("DPMPTSP"))
    grant = RoleGrant.objects.get(user=officer)
    assert grant.agency == demo.demo_agency("DPMPTSP") and grant.institution == demo.demo_institution()
    smr = RoleGrant.objects.get(user=demo.demo_user("petugas_samarinda"))
    assert smr.agency == demo.demo_agency("DPMPTSP", "64.72")
    assert demo.demo_user("warga_phone").phone == "+6281234500001"
    superadmin = demo.demo_user("superadmin")
    assert superadmin.is_superuser and superadmin.is_staff


def test_outside_demo_mode_no_password_account_is_created(settings, monkeypatch):
    settings.DEMO_MODE = False
    _core_only(monkeypatch)
    out = _load()
    assert "TANPA kata sandi" in out
    assert User.objects.count() == 14
    assert not [u.email or u.phone for u in User.objects.all() if u.has_usable_password()]
    assert AuditEvent.objects.filter(action="core.demo_account_create").count() == 14
    with pytest.raises(ImproperlyConfigured, match="hanya ada di mode demo"):
        demo.banner_rows()

    # Switching to demo mode later gives the same accounts the demo password, once.
    settings.DEMO_MODE = True
    before = User.objects.count()
    _load()
    assert User.objects.count() == before
    assert all(u.check_password(demo.DEMO_PASSWORD) for u in User.objects.all())
    assert AuditEvent.objects.filter(action="core.demo_password_set").count() == 14
    _load()
    assert AuditEvent.objects.filter(action="core.demo_password_set").count() == 14


def test_missing_reference_regions_are_loaded_first(settings, monkeypatch):
    """load_demo_content loads the reference data itself when it is missing."""
    from etam.core.models import RegionBoundary

    settings.DEMO_MODE = True
    _core_only(monkeypatch)
    RegionBoundary.objects.all().delete()
    Region.objects.all().delete()
    out = _load()
    assert "reference data missing; loading it now" in out
    assert Region.objects.current().count() == 1154
    assert Institution.objects.count() == 11


def test_loaders_run_in_order_each_in_its_own_transaction(settings, monkeypatch):
    settings.DEMO_MODE = True
    calls: list[str] = []

    def late(write):
        calls.append("late")
        write("late: 1 dibuat / created")

    def early(write):
        calls.append("early")

    monkeypatch.setattr(
        "etam.core.demo_registry.DEMO_LOADERS",
        {"core": DEMO_LOADERS["core"]},
    )
    from etam.core.demo_registry import register_demo_loader

    register_demo_loader("zz_late", late, order=90)
    register_demo_loader("aa_early", early, order=5)
    out = _load()
    assert calls == ["early", "late"]
    assert out.index("aa_early") < out.index("] core") < out.index("zz_late")
    assert "late: 1 dibuat / created" in out


def test_demo_banner_lists_addresses_and_logins_in_demo_mode_only(settings, monkeypatch):
    settings.DEMO_MODE = True
    _core_only(monkeypatch)
    _load()
    out = StringIO()
    call_command("demo_banner", host="127.0.0.1", port=8000, stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/\n" in text
    assert "http://127.0.0.1:8000/staf/" in text
    assert "http://127.0.0.1:8000/api/v1/docs" in text
    for account in demo.ACCOUNTS:
        line = next(line for line in text.splitlines() if line.strip().startswith(account.login + " "))
        assert demo.DEMO_PASSWORD in line
    assert "081234500001" in text

    settings.DEMO_MODE = False
    out = StringIO()
    call_command("demo_banner", host="localhost", port=9000, stdout=out)
    text = out.getvalue()
    assert "http://localhost:9000/staf/" in text
    assert demo.DEMO_PASSWORD not in text
    assert "superadmin@" not in text
    assert "No demo logins outside demo mode" in text


# --- run_demo: children are started and always stopped ----------------------------------


def _fake_commands(web: str):
    def commands(self, host, port):
        return [
            ("worker", [sys.executable, "-c", "import time; time.sleep(60)"]),
            ("web", [sys.executable, "-c", web]),
        ]

    return commands


@pytest.fixture
def started(monkeypatch) -> list:
    """The children run_demo starts, recorded as it starts them (real processes)."""
    children: list = []
    real_popen = run_demo.subprocess.Popen

    def popen(*args, **kwargs):
        child = real_popen(*args, **kwargs)
        children.append(child)
        return child

    monkeypatch.setattr(run_demo.subprocess, "Popen", popen)
    return children


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_demo_starts_worker_scheduler_and_runserver_without_reloader():
    commands = run_demo.Command()._commands("127.0.0.1", 8123)
    names = [name for name, _ in commands]
    assert names[0] == "worker" and names[-1] == "web"
    assert commands[0][1][-4:] == ["db_worker", "--queue-name", "*", "--no-reload"]
    assert commands[-1][1][-3:] == ["runserver", "127.0.0.1:8123", "--noreload"]
    from django.core.management import get_commands

    assert ("scheduler" in names) == ("run_scheduler" in get_commands())


def test_run_demo_stops_the_worker_when_the_web_server_exits(monkeypatch, started):
    monkeypatch.setattr(run_demo.Command, "_commands", _fake_commands("import sys; sys.exit(3)"))
    with pytest.raises(SystemExit) as exited:
        call_command("run_demo", stdout=StringIO(), stderr=StringIO())
    assert exited.value.code == 3
    assert len(started) == 2 and all(child.poll() is not None for child in started)


def test_run_demo_stops_every_child_on_sigterm(monkeypatch, started):
    monkeypatch.setattr(run_demo.Command, "_commands", _fake_commands("import time; time.sleep(60)"))
    previous = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.start()
    out, err = StringIO(), StringIO()
    call_command("run_demo", stdout=out, stderr=err)
    assert len(started) == 2
    # Stopped by run_demo's SIGTERM, not waited out (the children sleep 60 s) nor killed after the grace.
    assert [child.returncode for child in started] == [-signal.SIGTERM, -signal.SIGTERM]
    assert "did not stop" not in err.getvalue()
    assert not any(_alive(child.pid) and child.poll() is None for child in started)
    assert "all processes stopped" in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) == previous


def test_a_demo_database_with_the_previous_demo_password_gets_the_current_one(settings, monkeypatch):
    # ADR 0077 changed the demo password to meet the staff password rule; an existing demo
    # database (var/) must still sign in with what the banner prints.
    from django.contrib.auth.hashers import make_password

    settings.DEMO_MODE = True
    _core_only(monkeypatch)
    _load()
    User.objects.update(password=make_password(demo.PREVIOUS_DEMO_PASSWORDS[0]))
    _load()
    assert all(u.check_password(demo.DEMO_PASSWORD) for u in User.objects.all())
    renewed = User.objects.count()  # every demo account had the previous password
    assert AuditEvent.objects.filter(action="core.demo_password_set").count() == renewed
    _load()  # nothing more to do
    assert AuditEvent.objects.filter(action="core.demo_password_set").count() == renewed
