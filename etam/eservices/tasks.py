"""Background jobs of the electronic-services module (django-tasks; all idempotent)."""

from __future__ import annotations

from django_tasks import task

from etam.core.scheduling import register_periodic


@task()
def generate_document(document_id: int) -> str:
    """Kept for jobs queued before per-official signing (docs/adr/0084): a document is
    now signed only by its official with their passphrase, never by a background job."""
    from etam.eservices.models import IssuedDocument

    return str(IssuedDocument.objects.filter(pk=document_id).values_list("status", flat=True).first() or "")


@task()
def deliver_notifications(application_id: int | None = None) -> int:
    from etam.eservices import notifications

    return notifications.deliver_due(application_id=application_id)


@task()
def escalate_overdue_cases() -> int:
    from etam.eservices import services

    return services.escalate_overdue()


register_periodic(escalate_overdue_cases, every_seconds=900, name="eservices.escalate_overdue_cases")
register_periodic(deliver_notifications, every_seconds=30, name="eservices.deliver_notifications")
