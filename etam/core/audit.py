"""Writing, sealing and verifying the audit trail.

``record`` is called by every service inside the same ``transaction.atomic`` block as
the change it describes, so the event exists exactly when the change does.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from etam.core.actors import Actor
from etam.core.context import current_request
from etam.core.models import AuditEvent, AuditSeal

GENESIS = "0" * 64
SEAL_BATCH_LIMIT = 5000
# Any constant works; it only has to be the same in every process that seals.
_SEAL_LOCK_ID = 0x45_54_41_4D_41_55_44  # "ETAMAUD"

logger = logging.getLogger("etam.audit")


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


def content_hash_of(event: AuditEvent, *, with_id: bool = False) -> str:
    """SHA-256 of the event's canonical content.

    Events are hashed without their id, so the hash is known before the insert and an
    event costs one statement (no insert-then-update). The id is still bound: every seal's
    HMAC covers each member's ``(id, content_hash)`` in id order, so a changed or swapped
    id fails the seal. ``with_id=True`` gives the earlier form (id included), which
    ``verify`` still accepts for events written before this change.
    """
    payload = {
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
    if event.client_request_id:  # hashed only when present, so earlier events keep their hash
        payload["client_request_id"] = event.client_request_id
    if with_id:
        payload["id"] = event.pk
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def hash_matches(event: AuditEvent) -> bool:
    """The stored hash is the event's content hash (current form, or the earlier one with the id)."""
    stored = event.content_hash
    return hmac.compare_digest(content_hash_of(event), stored) or hmac.compare_digest(
        content_hash_of(event, with_id=True), stored
    )


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """A before/after summary holding only the fields that changed."""
    before = canonical(dict(before or {}))
    after = canonical(dict(after or {}))
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {"before": {k: before.get(k) for k in changed}, "after": {k: after.get(k) for k in changed}}


def normalise_ip(value: str | None) -> str | None:
    """The form the database returns, so the hash computed now matches the row read later.

    (PostgreSQL's ``inet`` and Django's IPv6 cleaning both compress IPv6 addresses.)
    """
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def _actor_label(actor: Actor | str | None) -> str:
    if actor is None:
        return "sistem"
    label = str(actor)
    token = getattr(actor, "_etam_api_token", None)
    if token is not None:
        label = f"{label} [token {token.prefix}]"
    return label[:200]


class AuditFields(TypedDict, total=False):
    """What ``record`` passes on to ``build`` besides the actor and the action."""

    target: models.Model | None
    object_type: str | None
    object_id: Any
    object_repr: str | None
    institution_id: int | None
    agency_id: int | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    changes: Mapping[str, Any] | None


def record(*, actor: Actor | str | None, action: str, **fields: Unpack[AuditFields]) -> AuditEvent:
    """Write one audit event. Call inside the transaction that makes the change.

    ``target`` fills type, id, text and (if it has them) the scope; explicit arguments win.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    event = build(actor=actor, action=action, **fields)
    event.save(force_insert=True)
    return event


def build(
    *,
    actor: Actor | str | None,
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
    """The unsaved event ``record`` writes, content hash included. For a caller that writes
    the event in the very statement that makes the change (one multi-row statement is
    atomic by itself); everyone else calls ``record``."""
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
        actor=actor if is_person else None,  # type: ignore[misc]  # a signed-in User: mypy cannot narrow through getattr
        actor_label=_actor_label(actor),
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=(object_repr or "")[:255],
        institution_id=institution_id,
        agency_id=agency_id,
        changes=canonical(dict(changes) if changes is not None else diff(before, after) if (before or after) else {}),
        ip_address=normalise_ip(context.ip_address),
        user_agent=context.user_agent[:255],
        request_id=context.request_id[:36],
        client_request_id=context.client_request_id[:64],
        content_hash="",
    )
    # Known before the insert (the id is bound by the seal, see ``content_hash_of``):
    # one statement per event.
    event.content_hash = content_hash_of(event)
    return event


def _seal_keys() -> list[str]:
    """The current sealing key first, then retired ones still accepted when verifying."""
    return [settings.AUDIT_SEAL_KEY, *getattr(settings, "AUDIT_SEAL_KEY_FALLBACKS", [])]


def _seal_digest(previous_digest: str, events: Iterable[tuple[int, str]], key: str | None = None) -> str:
    mac = hmac.new((key if key is not None else settings.AUDIT_SEAL_KEY).encode(), digestmod=hashlib.sha256)
    mac.update(previous_digest.encode())
    for event_id, event_hash in events:
        mac.update(f"|{event_id}:{event_hash}".encode())
    return mac.hexdigest()


def _lock_sealer() -> None:
    """Serialise sealers (never writers of events) for the rest of the transaction.

    PostgreSQL: a transaction-scoped advisory lock, so a second sealer waits and then sees
    the first one's seal as the chain head. SQLite: the write transaction (``BEGIN
    IMMEDIATE``, see settings) already serialises writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK_ID])


def seal_pending(*, limit: int = SEAL_BATCH_LIMIT) -> AuditSeal | None:
    """Seal the unsealed events (oldest first) into the next link of the chain.

    Only sealers serialise among themselves; writers of events never wait. An event whose
    transaction commits late (a lower id than events already sealed) joins a later seal:
    membership is by the ``seal`` column, not by id range.
    """
    with transaction.atomic():
        _lock_sealer()
        last = AuditSeal.objects.order_by("-id").first()
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
    # The chain head leaves the database through the log: an operator (or log shipping)
    # keeps it, and ``audit_verify --expect-seal ID:DIGEST`` later proves that no seal at
    # the end of the chain was deleted.
    logger.info("audit seal #%s digest=%s events=%s", seal.pk, seal.digest, seal.event_count)
    return seal


@dataclass
class VerificationReport:
    events_checked: int = 0
    seals_checked: int = 0
    unsealed_events: int = 0
    head_seal_id: int | None = None
    head_digest: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_seal(
    report: VerificationReport, seal: AuditSeal, members: list[tuple[int, str]], previous: AuditSeal | None
) -> None:
    expected_previous_id = previous.pk if previous else None
    if seal.previous_id != expected_previous_id:
        report.problems.append(
            f"seal {seal.pk}: chain broken (expected previous seal {expected_previous_id}, "
            f"found {seal.previous_id}; a seal was deleted or re-linked)"
        )
    if len(members) != seal.event_count:
        report.problems.append(
            f"seal {seal.pk}: holds {len(members)} events, sealed {seal.event_count} (event deleted or moved)"
        )
    if members and (members[0][0] != seal.first_event_id or members[-1][0] != seal.last_event_id):
        report.problems.append(f"seal {seal.pk}: event id range changed")
    previous_digest = previous.digest if previous else GENESIS
    if not any(hmac.compare_digest(_seal_digest(previous_digest, members, key), seal.digest) for key in _seal_keys()):
        report.problems.append(f"seal {seal.pk}: digest mismatch (events edited, deleted or reordered, or seal forged)")


def verify(*, expected_seals: Sequence[tuple[int, str]] = ()) -> VerificationReport:
    """Check every event's hash and every seal's HMAC and chain link, in one pass.

    Detects: an edited event (hash mismatch), an edited hash (seal mismatch), a deleted
    event (seal count/digest mismatch), reordered events (the digest covers ids in order),
    a forged seal (HMAC needs the key, which is not in the database), a deleted or
    re-linked seal inside the chain (link or digest mismatch). A seal deleted at the *end*
    of the chain leaves a shorter but consistent chain; ``expected_seals`` (seal id and
    digest pairs recorded outside the database, e.g. from the sealing log) catches that.
    """
    report = VerificationReport()
    seals = AuditSeal.objects.order_by("id").iterator(chunk_size=500)
    # Events grouped by seal in seal order (unsealed last), so each seal's members arrive
    # together and the whole trail is read once.
    events = AuditEvent.objects.order_by(F("seal_id").asc(nulls_last=True), "id").iterator(chunk_size=2000)
    previous: AuditSeal | None = None
    current: AuditSeal | None = next(seals, None)
    members: list[tuple[int, str]] = []
    known_seal_ids: set[int] = set()

    def close_current() -> None:
        nonlocal previous, current, members
        assert current is not None
        _check_seal(report, current, members, previous)
        report.seals_checked += 1
        known_seal_ids.add(current.pk)
        previous, current, members = current, next(seals, None), []

    for event in events:
        report.events_checked += 1
        if not hash_matches(event):
            report.problems.append(f"event {event.pk}: content does not match its hash (edited)")
        # Close every seal that comes before this event's seal (including empty ones).
        while current is not None and (event.seal_id is None or current.pk < event.seal_id):
            close_current()
        if event.seal_id is None:
            report.unsealed_events += 1
        elif current is not None and current.pk == event.seal_id:
            members.append((event.pk, event.content_hash))
        else:
            report.problems.append(f"event {event.pk}: refers to seal {event.seal_id}, which does not exist")
    while current is not None:
        close_current()
    if previous is not None:
        report.head_seal_id, report.head_digest = previous.pk, previous.digest
    for seal_id, digest in expected_seals:
        if seal_id not in known_seal_ids:
            report.problems.append(f"seal {seal_id}: recorded outside the database but missing (seal deleted)")
        elif AuditSeal.objects.filter(pk=seal_id).values_list("digest", flat=True).first() != digest:
            report.problems.append(f"seal {seal_id}: digest differs from the one recorded outside the database")
    return report


def visible_events(user: Actor) -> QuerySet[AuditEvent]:
    """Audit events ``user`` may read: super admin all, admin instansi their instansi's
    (including its OPDs'), admin OPD their OPD's. Events with no scope: super admin only."""
    from etam.core.permissions import scope_q

    return AuditEvent.objects.filter(
        scope_q(user, "core.view_audit", institution_field="institution_id", agency_field="agency_id")
    )


def audit_events_for(
    user: Actor,
    *,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """The events ``user`` may read, filtered, newest first.

    ``action`` and ``object_type`` match from the start ("core." finds every core action);
    ``actor`` matches anywhere in the recorded name; the dates are whole local days, both
    ends included.
    """
    events = visible_events(user)
    if action:
        events = events.filter(action__startswith=action.strip())
    if object_type:
        events = events.filter(object_type__startswith=object_type.strip().lower())
    if actor:
        events = events.filter(actor_label__icontains=actor.strip())
    if date_from:
        events = events.filter(occurred_at__gte=_start_of_day(date_from))
    if date_to:
        events = events.filter(occurred_at__lt=_start_of_day(date_to + timedelta(days=1)))
    return events.order_by("-id")


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
