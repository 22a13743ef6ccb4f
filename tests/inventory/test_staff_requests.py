"""Writes that used to live in the views: cancelling a staged import, asking for a duplicate run.
Each goes through a service with its permission check and audit event."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from etam.core.models import AuditEvent
from etam.inventory import services
from etam.inventory.models import ImportBatch

pytestmark = pytest.mark.django_db


def _batch(owner, status=ImportBatch.Status.VALIDATED):
    return ImportBatch.objects.create(
        kind=ImportBatch.Kind.APPLICATIONS, created_by=owner, filename="aplikasi.csv", rows=[], status=status
    )


def test_the_uploader_cancels_a_waiting_batch_with_one_event(client, province):
    batch = _batch(province.admin_samarinda)
    client.force_login(province.admin_samarinda)
    response = client.post(reverse("inventory:import_batch", args=[batch.pk]), {"action": "cancel"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED
    event = AuditEvent.objects.get(action="inventory.import_cancel")
    assert event.object_id == str(batch.pk)
    assert event.changes["after"] == {"status": ImportBatch.Status.CANCELLED}


def test_someone_else_cannot_cancel_a_batch_and_nothing_changes(client, province):
    batch = _batch(province.admin_samarinda)
    with pytest.raises(PermissionDenied):
        services.import_batch_cancel(actor=province.admin_dpmptsp, batch=batch)
    client.force_login(province.admin_dpmptsp)
    response = client.post(reverse("inventory:import_batch", args=[batch.pk]), {"action": "cancel"})
    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert not AuditEvent.objects.filter(action="inventory.import_cancel").exists()


def test_an_imported_batch_stays_imported(province):
    batch = _batch(province.admin_samarinda, status=ImportBatch.Status.IMPORTED)
    services.import_batch_cancel(actor=province.admin_samarinda, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert not AuditEvent.objects.filter(action="inventory.import_cancel").exists()


def test_a_duplicate_run_is_scheduled_and_recorded(client, province, django_capture_on_commit_callbacks):
    client.force_login(province.coordinator_kaltim)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("inventory:duplicate_run"))
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert AuditEvent.objects.filter(action="inventory.duplicates_run_request").count() == 1


def test_a_duplicate_run_is_refused_without_the_review_permission(client, province):
    with pytest.raises(PermissionDenied):
        services.duplicates_run_request(actor=province.admin_dpmptsp)
    client.force_login(province.admin_dpmptsp)
    response = client.post(reverse("inventory:duplicate_run"))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="inventory.duplicates_run_request").exists()


def test_editing_an_aplikasi_umum_records_the_stored_values_as_before(client, province):
    from django.forms.models import model_to_dict

    from etam.inventory.models import NationalApplication

    item = NationalApplication.objects.order_by("pk").first()
    old_name = item.name
    data = {k: v for k, v in model_to_dict(item).items() if v is not None and k != "id"}
    data["name"] = old_name + " (baru)"
    client.force_login(province.coordinator_kaltim)
    response = client.post(reverse("inventory:national_edit", args=[item.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="inventory.national_application_update")
    assert event.changes["before"]["name"] == old_name
    assert event.changes["after"]["name"] == old_name + " (baru)"


def test_an_aplikasi_umum_is_refused_to_an_opd_admin_and_nothing_changes(province):
    from etam.inventory.models import NationalApplication

    item = NationalApplication.objects.order_by("pk").first()
    with pytest.raises(PermissionDenied):
        services.national_application_save(actor=province.admin_dpmptsp, data={"name": "Diambil"}, instance=item)
    item.refresh_from_db()
    assert item.name != "Diambil"
    assert not AuditEvent.objects.filter(action__startswith="inventory.national_application").exists()
