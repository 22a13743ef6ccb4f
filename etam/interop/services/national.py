"""Work with the national systems through their connectors: the employee-directory sync (SIASN)
and publishing a catalogue entry on SPLP. Each never fails for the national system's faults: the
result says what could not be done, and nothing is half-written."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import changes
from etam.core.actors import Person
from etam.core.fieldvalues import stored_values
from etam.core.models import SigningIdentity
from etam.core.permissions import require
from etam.core.services.directory import signing_identity_refresh
from etam.interop import openapi
from etam.interop import permissions as perms
from etam.interop.connectors import siasn, splp
from etam.interop.models import DataService

SPLP_FIELDS = ["splp_api_id", "splp_published_at"]


@dataclass
class DirectorySync:
    checked: int = 0
    updated: int = 0
    unknown: list[str] = field(default_factory=list)  # NIPs SIASN does not know
    unavailable: bool = False  # stopped early: SIASN could not be asked


def employee_directory_sync(*, limit: int = 5000) -> DirectorySync:
    """Refresh every staff signing identity that has a NIP from SIASN (run by the scheduler and
    ``manage.py sync_employee_directory``). Stops at the first unavailable answer."""
    result = DirectorySync()
    identities = SigningIdentity.objects.exclude(nip="").select_related("user").order_by("pk")[:limit]
    for identity in identities:
        try:
            record = siasn.employee(identity.nip)
        except siasn.DirectoryUnavailable:
            result.unavailable = True
            break
        result.checked += 1
        if record is None:
            result.unknown.append(identity.nip)
            continue
        if signing_identity_refresh(identity=identity, full_name=record.name, position=record.position, source="siasn"):
            result.updated += 1
    return result


def service_publish_to_splp(*, actor: Person, service: DataService) -> DataService:
    """Publish (or update) an active service's OpenAPI document on the SPLP registry."""
    require(actor, perms.MANAGE_SERVICE, service)
    if service.status != DataService.Status.ACTIVE:
        raise ValidationError({"status": _("Status: only an active service is published on SPLP.")})
    publication = splp.publish(openapi.document_for(service), api_id=service.splp_api_id)
    if publication is None:
        raise ValidationError(
            {"splp": _("SPLP cannot be reached or refused the document now; nothing changed, try again later.")}
        )
    with transaction.atomic():
        before = stored_values(service, SPLP_FIELDS)
        service.splp_api_id = publication.api_id
        service.splp_published_at = timezone.now()
        service.save(update_fields=SPLP_FIELDS)
        changes.record_change(actor, "interop.service_published_splp", service, SPLP_FIELDS, before=before)
    return service
