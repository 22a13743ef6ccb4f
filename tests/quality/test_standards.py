"""Standar pelayanan (14 components) per service version and the OPD's maklumat pelayanan."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from etam.core.models import AuditEvent
from etam.quality import selectors, services
from etam.quality.models import ServiceCharter, ServiceStandard
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_public_page_reads_the_service_fields(client, info_service):
    info_service.fee, info_service.sla_days = 0, 10
    info_service.legal_basis = "UU 14/2008 tentang Keterbukaan Informasi Publik"
    info_service.save()
    text = client.get(f"/standar-pelayanan/{info_service.slug}/").content.decode()
    assert "UU 14/2008" in text and "10 hari kerja" in text and "Gratis" in text
    assert text.count("<h2>") >= 15  # 14 components + the pledge
    assert "Diajukan" in text or "→" in text  # procedure from the workflow's states
    assert client.get("/standar-pelayanan/tidak-ada/").status_code == 404


def test_admin_writes_the_standard_and_the_pledge(client, province, info_service):
    admin = client_for(province.admin_dpmptsp)
    url = f"/staf/kualitas/standar/{info_service.pk}/"
    assert admin.get(url).status_code == 200
    saved = admin.post(url, {"form": "standar", "facilities": "Ruang tunggu ber-AC\nLoket difabel", "staff_count": "4"})
    assert saved.status_code == 302
    standard = ServiceStandard.objects.get()
    assert standard.version_id == info_service.published_version_id and standard.staff_count == 4
    bad = admin.post(url, {"form": "standar", "staff_count": "banyak", "facilities": "x"})
    assert bad.status_code == 422 and "Jumlah pelaksana" in bad.content.decode()
    assert (
        admin.post(
            url, {"form": "maklumat", "text": "Kami sanggup melayani sesuai standar.", "signed_by_name": "Kepala Dinas"}
        ).status_code
        == 302
    )
    page = client.get(f"/standar-pelayanan/{info_service.slug}/").content.decode()
    assert "Loket difabel" in page and "Kami sanggup" in page
    assert AuditEvent.objects.filter(action__in=["quality.standard_save", "quality.charter_save"]).count() == 2


@pytest.mark.parametrize("who", ["officer_dpmptsp", "admin_diskominfo", "admin_kaltim", "citizen"])
def test_standard_and_pledge_refused_to_the_wrong_user(province, info_service, who):
    actor = getattr(province, who)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.standard_save(actor=actor, service=info_service, data={"facilities": "x"})
    with pytest.raises(PermissionDenied):
        services.charter_save(actor=actor, agency=province.dpmptsp, text="x")
    assert not ServiceStandard.objects.exists() and not ServiceCharter.objects.exists()
    assert AuditEvent.objects.count() == before
    assert client_for(actor).get(f"/staf/kualitas/standar/{info_service.pk}/").status_code in (403, 404)


def test_pledge_needs_text(province):
    with pytest.raises(ValidationError) as caught:
        services.charter_save(actor=province.admin_dpmptsp, agency=province.dpmptsp, text=" ")
    assert "text" in caught.value.message_dict


def test_a_new_version_carries_the_previous_standard(province, info_service):
    services.standard_save(
        actor=province.admin_dpmptsp, service=info_service, data={"competence": "Bersertifikat PPID"}
    )
    from tests.eservices.conftest import new_version

    new_version(province, info_service, publish=True)
    info_service.refresh_from_db()
    carried = selectors.standard_for(info_service)
    assert carried is not None and carried.competence == "Bersertifikat PPID"
    services.standard_save(actor=province.admin_dpmptsp, service=info_service, data={"competence": "Baru"})
    assert ServiceStandard.objects.count() == 2
    assert selectors.standard_for(info_service).competence == "Baru"
