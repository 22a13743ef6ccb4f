"""Save a change to one row together with its audit event (the "set fields, save, audit before/after" step).

Used by the services of the modules where an edit audits the same fields it changes::

    with changes.recorded(flag, ("status", "decision_reason"), actor=actor, action="inventory.duplicate_decide"):
        flag.status = status
        ...

The fields' values are read before the block and again after it; on leaving the block without an error the row
is saved and one audit event written, in one transaction. An error inside the block saves and records nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from etam.core import audit
from etam.core.actors import Actor
from etam.core.fieldvalues import stored_values
from etam.core.models import AuditEvent

M = TypeVar("M", bound=models.Model)


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as a dict (the before/after of an audit event)."""
    return {name: getattr(obj, name) for name in fields}


def record_change(
    actor: Actor | str | None,
    action: str,
    obj: models.Model,
    fields: Iterable[str],
    *,
    before: Mapping[str, Any] | None = None,
    also: Mapping[str, Any] | None = None,
    target: models.Model | None = None,
    institution_id: int | None = None,
    agency_id: int | None = None,
) -> AuditEvent:
    """The audit event of a create or an update of ``obj``, written after its ``save()`` in the same
    transaction: ``before`` as the caller read it (``None`` for a create), ``after`` the stored values
    of ``fields`` now (``core.fieldvalues.stored_values``), plus ``also`` (values that are not fields of
    ``obj``: a derived level, the tags, the parent's id). ``target``: what the event names (``obj`` by
    default); the scope, when given, wins over the target's. The one way a service writes the
    "before/after of these fields" event, so the services differ only in their permission, action and
    fields."""
    after = stored_values(obj, fields)
    if also:
        after.update(also)
    return audit.record(
        actor=actor,
        action=action,
        target=obj if target is None else target,
        before=before,
        after=after,
        institution_id=institution_id,
        agency_id=agency_id,
    )


@contextmanager
def recorded(
    obj: models.Model, fields: Iterable[str], *, actor: Actor, action: str, target: models.Model | None = None
) -> Iterator[None]:
    """Audit ``fields`` of ``obj`` before and after the block, then save ``obj`` (``target``: what the event
    names, ``obj`` by default)."""
    names = tuple(fields)
    before = stored_values(obj, names)
    yield
    with transaction.atomic():
        obj.save()
        record_change(actor, action, obj, names, before=before, target=target)


def revoke_once(obj: M) -> tuple[M, bool]:
    """Lock ``obj``'s row and stamp its ``revoked_at`` with now, unless it is stamped already (revoking
    twice changes nothing). The locked, fresh copy and whether this call revoked it: the caller records
    its audit event only then. Call inside the transaction that writes that event."""
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if locked.revoked_at is not None:  # type: ignore[attr-defined]  # any model with a revoked_at field
        return locked, False
    locked.revoked_at = timezone.now()  # type: ignore[attr-defined]
    locked.save(update_fields=["revoked_at"])
    return locked, True
