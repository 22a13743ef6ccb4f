"""Writing, sealing and verifying the audit trail.

``record`` is called by every service inside the same ``transaction.atomic`` block as
the change it describes, so the event exists exactly when the change does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from etam.core.context import current_request
from etam.core.models import AuditEvent, AuditSeal

GENESIS = "0" * 64
SEAL_BATCH_LIMIT = 5000


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def canonical(value: Any) -> Any:
    """JSON-safe, key-sorted copy, so the stored JSON and the hashed JSON are the same."""
    return json.loads(json.dumps(value, sort_keys=True, default=_json_default))


def content_hash_of(event: AuditEvent) -> str:
    payload = {
        "id": event.pk,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "institution_id": event.institution_id,
        "agency_id": event.agency_id,
        "changes": event.changes,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """A before/after summary holding only the fields that changed."""
    before = canonical(dict(before or {}))
    after = canonical(dict(after or {}))
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {"before": {k: before.get(k) for k in changed}, "after": {k: after.get(k) for k in changed}}


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    object_repr: str | None = None,
    institution_id: int | None = None,
    agency_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Call inside the transaction that makes the change.

    ``target`` fills type, id, text and (if it has them) the scope; explicit arguments win.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id if object_id is not None else target.pk
        object_repr = object_repr if object_repr is not None else str(target)[:255]
        if institution_id is None:
            institution_id = getattr(target, "scope_institution_id", None)
        if agency_id is None:
            agency_id = getattr(target, "scope_agency_id", None)
    context = current_request.get()
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if is_person else None,
        actor_label=(str(actor) if is_person else (str(actor) if actor else "sistem"))[:200],
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=(object_repr or "")[:255],
        institution_id=institution_id,
        agency_id=agency_id,
        changes=canonical(dict(changes) if changes is not None else diff(before, after) if (before or after) else {}),
        ip_address=context.ip_address,
        user_agent=context.user_agent,
        request_id=context.request_id,
        content_hash="",
    )
    event.save()
    # The hash covers the id, so it is computed once the id exists (same transaction).
    event.content_hash = content_hash_of(event)
    AuditEvent.objects.filter(pk=event.pk).update(content_hash=event.content_hash)
    return event


def _seal_digest(previous_digest: str, events: Iterable[tuple[int, str]]) -> str:
    mac = hmac.new(settings.AUDIT_SEAL_KEY.encode(), digestmod=hashlib.sha256)
    mac.update(previous_digest.encode())
    for event_id, event_hash in events:
        mac.update(f"|{event_id}:{event_hash}".encode())
    return mac.hexdigest()


def seal_pending(*, limit: int = SEAL_BATCH_LIMIT) -> AuditSeal | None:
    """Seal the unsealed events (oldest first) into the next link of the chain.

    Only the sealer serialises (on the last seal row); writers of events never wait.
    An event whose transaction commits late simply joins a later seal.
    """
    with transaction.atomic():
        last = AuditSeal.objects.select_for_update().order_by("-id").first()
        pending = list(
            AuditEvent.objects.filter(seal__isnull=True).order_by("id").values_list("id", "content_hash")[:limit]
        )
        if not pending:
            return None
        previous_digest = last.digest if last else GENESIS
        seal = AuditSeal.objects.create(
            previous=last,
            first_event_id=pending[0][0],
            last_event_id=pending[-1][0],
            event_count=len(pending),
            digest=_seal_digest(previous_digest, pending),
        )
        AuditEvent.objects.filter(pk__in=[event_id for event_id, _ in pending]).update(seal=seal)
        return seal


@dataclass
class VerificationReport:
    events_checked: int = 0
    seals_checked: int = 0
    unsealed_events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify() -> VerificationReport:
    """Check every event's hash and every seal's HMAC and chain link.

    Detects: an edited event (hash mismatch), an edited hash (seal mismatch), a deleted
    event (seal count/digest mismatch), reordered events (digest covers ids in order), a
    deleted or edited seal (chain broken).
    """
    report = VerificationReport()
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        report.events_checked += 1
        if event.seal_id is None:
            report.unsealed_events += 1
        if content_hash_of(event) != event.content_hash:
            report.problems.append(f"event {event.pk}: content does not match its hash (edited)")
    previous_digest = GENESIS
    previous_id: int | None = None
    for seal in AuditSeal.objects.order_by("id").iterator(chunk_size=500):
        report.seals_checked += 1
        if seal.previous_id != previous_id:
            report.problems.append(
                f"seal {seal.pk}: chain broken (expected previous seal {previous_id}, found {seal.previous_id})"
            )
        members = list(AuditEvent.objects.filter(seal=seal).order_by("id").values_list("id", "content_hash"))
        if len(members) != seal.event_count:
            report.problems.append(
                f"seal {seal.pk}: holds {len(members)} events, sealed {seal.event_count} (event deleted or moved)"
            )
        if members and (members[0][0] != seal.first_event_id or members[-1][0] != seal.last_event_id):
            report.problems.append(f"seal {seal.pk}: event id range changed")
        if not hmac.compare_digest(_seal_digest(previous_digest, members), seal.digest):
            report.problems.append(f"seal {seal.pk}: digest mismatch (events edited, deleted or reordered)")
        previous_digest = seal.digest
        previous_id = seal.pk
    return report
