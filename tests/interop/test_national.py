"""SP4N-LAPOR!, SIASN and SPLP connectors against their fake server: answers, down, slow."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from etam.core.models import AuditEvent, SigningIdentity
from etam.interop import services
from etam.interop.connectors import lapor, siasn
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def complaint(reference="PGD-2026-000001"):
    return lapor.Complaint(
        reference=reference,
        title="Izin penelitian belum selesai",
        body="Sudah lewat 10 hari kerja.",
        category="Pelayanan Publik",
        agency_name="DPMPTSP Provinsi Kalimantan Timur",
        filed_at=datetime(2026, 12, 1, 9, 0, tzinfo=timezone.get_current_timezone()),
    )


def test_a_complaint_is_forwarded_once_and_its_status_comes_back(national):
    tracking = lapor.forward_complaint(complaint())
    assert tracking and tracking.isdigit()
    assert lapor.forward_complaint(complaint()) == tracking  # the same reference: the same report
    assert national.app.reports[tracking]["laporan"]["anonim"] == 1
    assert national.app.reports[tracking]["laporan"]["nama_pelapor"] == ""  # anonymous unless asked
    assert lapor.complaint_status(tracking).stage == "diterima"
    national.app.advance(tracking, "Ditindaklanjuti", "Izin diterbitkan 2 Desember")
    status = lapor.complaint_status(tracking)
    assert (status.stage, status.follow_ups) == ("ditindaklanjuti", ("Izin diterbitkan 2 Desember",))
    assert lapor.complaint_status("999") is None


def test_lapor_refusing_slow_or_down_leaves_the_complaint_with_the_opd(national, settings):
    settings.INTEROP_LAPOR_TOKEN = "salah"
    assert lapor.forward_complaint(complaint("PGD-1")) is None
    settings.INTEROP_LAPOR_TOKEN = "etam"
    national.app.delay = 2.0
    assert lapor.forward_complaint(complaint("PGD-2")) is None
    national.stop()
    assert lapor.forward_complaint(complaint("PGD-3")) is None
    assert national.app.reports == {} or "PGD-3" not in national.app.by_reference


def test_the_directory_sync_refreshes_names_and_jabatan(national, province):
    identity = SigningIdentity.objects.create(
        user=province.admin_diskominfo, nik="6472011505900001", nip="198503122010011001", position="Kadis"
    )
    unknown = SigningIdentity.objects.create(
        user=province.admin_dpmptsp, nik="6472014708950002", nip="199912312020121001", position="Kabid"
    )
    result = services.employee_directory_sync()
    assert (result.checked, result.updated, result.unknown) == (2, 1, [unknown.nip])
    identity.refresh_from_db()
    assert identity.position == "Kepala Dinas Komunikasi dan Informatika"
    assert identity.user.full_name == "ANDI PRATAMA S.Kom., M.T."
    event = AuditEvent.objects.get(action="core.signing_identity_refreshed")
    assert "siasn" in str(event.changes)
    assert services.employee_directory_sync().updated == 0  # nothing changed: no second event
    assert AuditEvent.objects.filter(action="core.signing_identity_refreshed").count() == 1


def test_siasn_down_changes_nothing_and_the_command_says_so(national, province):
    SigningIdentity.objects.create(user=province.admin_diskominfo, nik="1", nip="198503122010011001", position="Kadis")
    national.stop()
    with pytest.raises(siasn.DirectoryUnavailable):
        siasn.employee("198503122010011001")
    with pytest.raises(CommandError):
        call_command("sync_employee_directory")
    assert SigningIdentity.objects.get().position == "Kadis"


def test_a_service_is_published_on_splp_and_updated(national, province, parties):
    service = services.service_publish_to_splp(actor=province.admin_diskominfo, service=parties.service)
    assert service.splp_api_id in national.app.apis and service.splp_published_at
    first_id = service.splp_api_id
    services.service_publish_to_splp(actor=province.admin_diskominfo, service=service)
    assert service.splp_api_id == first_id and len(national.app.apis) == 1
    assert national.app.apis[first_id]["paths"]
    page = client_for(province.admin_diskominfo).post(f"/staf/interop/layanan/{service.pk}/splp/")
    assert page.status_code == 302


def test_splp_down_or_the_wrong_user_changes_nothing(national, province, parties):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.service_publish_to_splp(actor=province.admin_dpmptsp, service=parties.service)
    national.stop()
    with pytest.raises(ValidationError) as error:
        services.service_publish_to_splp(actor=province.admin_diskominfo, service=parties.service)
    assert "splp" in error.value.message_dict
    parties.service.refresh_from_db()
    assert parties.service.splp_api_id == "" and AuditEvent.objects.count() == before


@pytest.mark.parametrize("name", ["LAPOR", "SIASN", "SPLP"])
def test_each_connector_keeps_to_its_daily_quota_and_gives_up_on_a_slow_server(
    national, settings, name, province, parties
):
    """Etam's own cap per connector (core.outbound), and a server slower than the timeout: the call
    comes back as 'not now', never an error for the citizen or officer."""
    from etam.core import outbound, ratelimit

    def daily_quota(limit: int) -> None:
        ratelimit.reset_all()
        setattr(settings, f"INTEROP_{name}_DAILY_QUOTA", limit)
        outbound.forget()

    def assert_not_now(n: int) -> None:
        """Call `n` comes back as the connector's 'not now': SIASN raises, SPLP refuses the form, LAPOR gives None."""
        if name == "SIASN":
            with pytest.raises(siasn.DirectoryUnavailable):
                calls(n)
        elif name == "SPLP":
            with pytest.raises(ValidationError):
                calls(n)
        else:
            assert calls(n) is None

    daily_quota(1)
    calls = {
        "LAPOR": lambda n: lapor.forward_complaint(complaint(f"PGD-Q{n}")),
        "SIASN": lambda n: siasn.employee("198503122010011001"),
        "SPLP": lambda n: services.service_publish_to_splp(actor=province.admin_diskominfo, service=parties.service),
    }[name]
    assert calls(1) is not None  # the one call of the day goes out
    before = len(national.app.calls)
    assert_not_now(2)
    assert len(national.app.calls) == before  # the second never left Etam

    daily_quota(100)
    national.app.delay = 1.5  # the timeout is 1 s
    assert_not_now(3)
