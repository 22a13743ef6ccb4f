"""Application inventory: services, scoping, views, negative permission tests."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from etam.core.models import AuditEvent
from etam.inventory import selectors, services
from etam.inventory.models import Application
from tests.inventory.factories import ApplicationFactory, application_fields, national

pytestmark = pytest.mark.django_db


def _data(agency, **extra):
    data = {
        "agency": agency,
        "name": "SI Perizinan Terpadu",
        "purpose": "Pelayanan perizinan berusaha terpadu satu pintu",
        "kind": "khusus",
        "hosting": "pusat_data_sendiri",
        "lifecycle": "produksi",
        "business_process_code": "02.01",
        "url": "https://perizinan.kaltimprov.go.id",
    }
    data.update(extra)
    return data


def test_admin_opd_creates_and_updates_with_audit(province):
    app = services.application_create(actor=province.admin_dpmptsp, data=_data(province.dpmptsp))
    event = AuditEvent.objects.get(action="inventory.application_create")
    assert event.object_id == str(app.pk) and event.agency_id == province.dpmptsp.pk
    services.application_update(
        actor=province.admin_dpmptsp, application=app, data={"lifecycle": "pengembangan", "technology": "Django"}
    )
    update = AuditEvent.objects.get(action="inventory.application_update")
    assert update.changes["before"]["lifecycle"] == "produksi"
    assert update.changes["after"] == {"lifecycle": "pengembangan", "technology": "Django"}


def test_staff_of_one_opd_cannot_edit_another_opds_application(province):
    app = ApplicationFactory(agency=province.diskominfo, name="SI Diskominfo", lifecycle="produksi")
    before_events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.application_update(actor=province.admin_dpmptsp, application=app, data={"lifecycle": "dihentikan"})
    with pytest.raises(PermissionDenied):
        services.application_retire(actor=province.admin_dpmptsp, application=app, reason="x")
    with pytest.raises(PermissionDenied):
        services.application_create(actor=province.admin_dpmptsp, data=_data(province.diskominfo))
    app.refresh_from_db()
    assert app.lifecycle == "produksi" and app.name == "SI Diskominfo"
    assert Application.objects.count() == 1
    assert AuditEvent.objects.count() == before_events


def test_edit_view_of_another_opds_application_is_404_and_changes_nothing(client, province):
    app = ApplicationFactory(agency=province.diskominfo, name="SI Diskominfo")
    client.force_login(province.admin_dpmptsp)
    url = reverse("inventory:application_edit", args=[app.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"agency": province.dpmptsp.pk, "name": "Diambil alih", "purpose": "x"})
    assert response.status_code == 404
    response = client.post(reverse("inventory:application_retire", args=[app.pk]), {"reason": "x"})
    assert response.status_code == 404
    app.refresh_from_db()
    assert app.name == "SI Diskominfo" and app.lifecycle == "produksi"
    assert not AuditEvent.objects.filter(action__startswith="inventory.").exists()


def test_another_kabkota_cannot_see_this_ones_applications(client, province):
    kaltim_app = ApplicationFactory(agency=province.dpmptsp, name="Aplikasi Provinsi")
    smr_app = ApplicationFactory(agency=province.dpmptsp_smr, name="Aplikasi Samarinda")
    assert list(selectors.application_list(province.admin_samarinda)) == [smr_app]
    assert list(selectors.application_list(province.officer_dpmptsp_smr)) == [smr_app]
    assert set(selectors.application_list(province.admin_kaltim)) == {kaltim_app}
    assert set(selectors.application_list(province.superadmin)) == {kaltim_app, smr_app}
    assert list(selectors.application_list(province.citizen)) == []
    client.force_login(province.admin_samarinda)
    assert client.get(reverse("inventory:application_detail", args=[kaltim_app.pk])).status_code == 404
    page = client.get(reverse("inventory:application_list")).content.decode()
    assert "Aplikasi Samarinda" in page and "Aplikasi Provinsi" not in page


def test_public_and_citizens_see_no_application_pages(client, province):
    app = ApplicationFactory(agency=province.dpmptsp)
    response = client.get(reverse("inventory:application_list"))
    assert response.status_code == 302
    client.force_login(province.citizen)
    assert client.get(reverse("inventory:application_list")).status_code == 403
    assert client.get(reverse("inventory:application_detail", args=[app.pk])).status_code == 403


def _post_application(client, province, **typed):
    """Post the new-application form of DPMPTSP as a browser would, ``typed`` over the defaults."""
    form = application_fields(province.dpmptsp, **{"hosting": "pdn", "lifecycle": "produksi", **typed})
    return client.post(reverse("inventory:application_create"), form)


def test_form_keeps_values_and_names_fields_in_errors(client, province):
    client.force_login(province.admin_dpmptsp)
    typed = {"purpose": "", "hosting": "cloud", "url": "bukan-url", "business_process_code": "12.01"}
    response = _post_application(client, province, **typed, last_security_audit="31-13-2025")
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert set(form.errors) >= {
        "purpose",
        "url",
        "business_process_code",
        "last_security_audit",
        "national_application",
    }
    assert 'value="Aplikasi Baru"' in html and 'value="bukan-url"' in html
    assert all(str(form.fields[f].label) in form.errors[f][0] for f in ("url", "purpose", "last_security_audit"))
    assert not Application.objects.exists()


def test_create_view_and_detail_with_history(client, province):
    client.force_login(province.admin_dpmptsp)
    response = _post_application(
        client,
        province,
        name="SRIKANDI DPMPTSP",
        national_application=national("srikandi").pk,
        datasets="Surat masuk\nSurat keluar",
    )
    app = Application.objects.get()
    assert response.status_code == 302 and app.datasets == ["Surat masuk", "Surat keluar"]
    detail = client.get(reverse("inventory:application_detail", args=[app.pk])).content.decode()
    assert "inventory.application_create" in detail and "SRIKANDI" in detail


def test_list_query_count_is_pinned(client, province, django_assert_max_num_queries):
    for i in range(60):
        ApplicationFactory(agency=province.dpmptsp if i % 2 else province.diskominfo)
    client.force_login(province.admin_kaltim)
    client.get(reverse("inventory:application_list"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("inventory:application_list") + "?q=Aplikasi&jenis=khusus&status=produksi")
    assert response.status_code == 200 and len(response.context["page"].object_list) == 50


def test_demo_inventory_flags_the_in_house_complaint_app(province):
    from etam.inventory import demo
    from etam.inventory.models import DuplicateFlag

    demo.load_inventory(lambda line: None)
    services.duplicates_refresh(actor=None)
    lapor = national("sp4n-lapor")
    flagged = set(DuplicateFlag.objects.filter(national_application=lapor).values_list("application__name", flat=True))
    assert "Lapor DPMPTSP" in flagged
    pair = DuplicateFlag.objects.filter(other__isnull=False).values_list("application__name", "other__name")
    assert any({"SICANTIK Kaltim", "SIMPATI Samarinda"} == {a, b} for a, b in pair) or pair.exists()


def test_dismissed_flag_is_remembered_until_an_app_changes(province):
    from etam.inventory.models import DuplicateFlag

    a = ApplicationFactory(
        agency=province.dpmptsp,
        name="SI Beasiswa Mahasiswa",
        purpose="Pendaftaran beasiswa mahasiswa berprestasi kurang mampu",
        business_process_code="06.01",
    )
    b = ApplicationFactory(
        agency=province.disdikbud,
        name="e-Beasiswa Mahasiswa",
        purpose="Pengajuan beasiswa mahasiswa berprestasi dan kurang mampu",
        business_process_code="06.01",
    )
    for i in range(8):
        ApplicationFactory(
            agency=province.diskominfo, name=f"Aplikasi lain {i}", purpose=f"Urusan berbeda nomor {i} jalan"
        )
    services.duplicates_refresh(actor=None)
    flag = DuplicateFlag.objects.get(application=a, other=b)
    with pytest.raises(PermissionDenied):
        services.duplicate_decide(actor=province.admin_dpmptsp, flag=flag, status="ditolak", reason="beda")
    services.duplicate_decide(
        actor=province.coordinator_kaltim, flag=flag, status="ditolak", reason="Program beasiswa berbeda"
    )
    services.duplicates_refresh(actor=None)
    flag.refresh_from_db()
    assert flag.status == "ditolak" and flag.decision_reason == "Program beasiswa berbeda"
    services.application_update(
        actor=province.admin_dpmptsp,
        application=a,
        data={"purpose": "Pendaftaran beasiswa mahasiswa berprestasi kurang mampu dan atlet"},
    )
    services.duplicates_refresh(actor=None)
    flag.refresh_from_db()
    assert flag.status == "terbuka"
