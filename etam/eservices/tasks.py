"""Background jobs of the electronic-services module (django-tasks; all idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from etam.core.scheduling import register_periodic


@task()
def generate_document(document_id: int) -> str:
    """Render, sign and store an issued document (enqueued after the approval commits)."""
    from etam.eservices import documents

    return documents.generate(document_id).status


@task()
def deliver_notifications(application_id: int | None = None) -> int:
    from etam.eservices import notifications

    return notifications.deliver_due(application_id=application_id)


@task()
def escalate_overdue_cases() -> int:
    from etam.eservices import services

    return services.escalate_overdue()


@task()
def retry_stuck_documents() -> int:
    """Documents whose generation failed or whose task was lost: try again (max 5)."""
    from etam.eservices import documents
    from etam.eservices.models import IssuedDocument

    cutoff = timezone.now() - timedelta(minutes=5)
    done = 0
    for pk in IssuedDocument.objects.filter(
        status__in=[IssuedDocument.Status.PENDING, IssuedDocument.Status.FAILED], created_at__lt=cutoff, attempts__lt=5
    ).values_list("pk", flat=True)[:50]:
        try:
            documents.generate(pk)
            done += 1
        except Exception:  # noqa: S112 (the failure is recorded on the document by generate())
            continue
    return done


register_periodic(escalate_overdue_cases, every_seconds=900, name="eservices.escalate_overdue_cases")
register_periodic(deliver_notifications, every_seconds=30, name="eservices.deliver_notifications")
register_periodic(retry_stuck_documents, every_seconds=600, name="eservices.retry_stuck_documents")
