"""Reads of the blank-spot module, already scoped to the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from etam.core.models import Region
from etam.eservices.workflow import Workflow
from etam.offline.models import AssistedSubmission, Bundle, ChunkedUpload, DeviceKey


def assisted_by(user: Any) -> QuerySet[AssistedSubmission]:
    """What ``user`` entered on citizens' behalf (only their own)."""
    return (
        AssistedSubmission.objects.filter(assisted_by=user)
        .select_related("application__service", "application__version")
        .order_by("-received_at", "-id")
    )


def assisted_row(record: AssistedSubmission) -> dict[str, Any]:
    application = record.application
    return {
        "tracking_number": application.tracking_number,
        "service_name": application.service.name,
        "citizen_name": record.citizen_name,
        "state": application.state,
        "state_label": Workflow(application.version.workflow).state_label(application.state),
        "channel": record.channel,
        "received_at": timezone.localtime(record.received_at).isoformat(timespec="minutes"),
    }


def device_keys_of(user: Any) -> QuerySet[DeviceKey]:
    return DeviceKey.objects.filter(user=user).order_by("-created_at")


def bundles_imported_by(user: Any) -> QuerySet[Bundle]:
    return Bundle.objects.filter(first_imported_by=user).select_related("exported_by").order_by("-first_imported_at")


def upload_of(user: Any, upload_key: str) -> ChunkedUpload | None:
    """``user``'s resumable upload under ``upload_key`` (another person's key finds nothing)."""
    return ChunkedUpload.objects.filter(owner=user, upload_key=upload_key).first()


def kaltim_regions() -> QuerySet[Region, tuple[str, str]]:
    """Code and name of every current wilayah in Kalimantan Timur (64.*), in code order."""
    return Region.objects.current().filter(code__startswith="64.").order_by("code").values_list("code", "name")
