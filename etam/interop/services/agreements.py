"""Consumers, their keys and their agreements with providers."""

from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Person
from etam.core.models import Agency
from etam.core.permissions import Scope, has_perm, require
from etam.interop import permissions as perms
from etam.interop.models import Agreement, Consumer, ConsumerKey, DataService
from etam.interop.selectors import KEY_PREFIX, secret_hash


def consumer_register(
    *,
    actor: Person,
    agency: Agency,
    name: str,
    kind: str,
    contact_name: str,
    contact_email: str,
    organisation: str = "",
) -> Consumer:
    require(actor, perms.MANAGE_CONSUMER, Scope(institution_id=agency.institution_id, agency_id=agency.pk))
    consumer = Consumer(
        agency=agency,
        institution_id=agency.institution_id,
        name=name.strip(),
        kind=kind,
        organisation=organisation.strip(),
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        created_by=actor,
    )
    if consumer.kind == Consumer.Kind.OUTSIDE and not consumer.organisation:
        raise ValidationError({"organisation": _("Organisation: name the outside agency this system belongs to.")})
    consumer.full_clean()
    with transaction.atomic():
        consumer.save()
        changes.record_change(
            actor, "interop.consumer_registered", consumer, ["name", "kind", "organisation", "contact_email"]
        )
    return consumer


def consumer_key_issue(*, actor: Person, consumer: Consumer) -> tuple[ConsumerKey, str]:
    """A new key for ``consumer``; the raw key is returned once and never stored. Older keys stay
    valid until revoked, so a system can switch over without a gap (rotation)."""
    require(actor, perms.MANAGE_CONSUMER, consumer)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ConsumerKey.objects.create(
            consumer=consumer, prefix=prefix, secret_hash=secret_hash(secret), created_by=actor
        )
        audit.record(actor=actor, action="interop.key_issued", target=consumer, after={"prefix": prefix})
    return key, f"{KEY_PREFIX}{prefix}_{secret}"


def consumer_key_revoke(*, actor: Person, key: ConsumerKey) -> ConsumerKey:
    """Revoke a key: the next call with it is refused (no cache in between)."""
    require(actor, perms.MANAGE_CONSUMER, key.consumer)
    if key.revoked_at is not None:
        raise ValidationError({"key": _("Key: already revoked.")})
    with changes.recorded(key, ["revoked_at"], actor=actor, action="interop.key_revoked", target=key.consumer):
        key.revoked_at = timezone.now()
    return key


def agreement_request(
    *,
    actor: Person,
    consumer: Consumer,
    service: DataService,
    purpose: str,
    legal_basis: str = "",
    quota_per_day: int | None = None,
    valid_until: date | None = None,
) -> Agreement:
    """Ask for access. An open (*terbuka*) service is granted at once with its default quota; a
    restricted one waits for the provider's decision."""
    require(actor, perms.MANAGE_CONSUMER, consumer)
    errors: dict[str, str] = {}
    if service.status != DataService.Status.ACTIVE:
        errors["service"] = _("Service: this service is not active.")
    if not purpose.strip():
        errors["purpose"] = _("Purpose: say what the data will be used for.")
    if quota_per_day is not None and not 1 <= quota_per_day <= 10_000_000:
        errors["quota_per_day"] = _("Quota: a whole number of calls per day from 1.")
    if valid_until is not None and valid_until < timezone.localdate():
        errors["valid_until"] = _("Valid until: a date today or later.")
    if errors:
        raise ValidationError(errors)
    open_service = service.access == DataService.Access.OPEN
    agreement = Agreement(
        consumer=consumer,
        service=service,
        purpose=purpose.strip(),
        legal_basis=legal_basis.strip(),
        quota_per_day=quota_per_day or service.quota_per_day,
        valid_until=valid_until,
        requested_by=actor,
        status=Agreement.Status.APPROVED if open_service else Agreement.Status.REQUESTED,
    )
    if open_service:
        agreement.decided_at = timezone.now()
        agreement.decision_reason = _("Open service: granted on request.")
    try:
        with transaction.atomic():
            agreement.save()
            audit.record(
                actor=actor,
                action="interop.agreement_requested",
                target=agreement,
                institution_id=consumer.institution_id,
                agency_id=consumer.agency_id,
                after={"service": service.code, "status": agreement.status, "quota_per_day": agreement.quota_per_day},
            )
    except IntegrityError:
        raise ValidationError(
            {"service": _("Service: this system already has a pending or approved agreement for it.")}
        ) from None
    return agreement


def agreement_decide(
    *, actor: Person, agreement: Agreement, approve: bool, reason: str, quota_per_day: int | None = None
) -> Agreement:
    """The provider approves or rejects a requested agreement, with reasons."""
    require(actor, perms.MANAGE_SERVICE, agreement.service)
    errors: dict[str, str] = {}
    if agreement.status != Agreement.Status.REQUESTED:
        errors["status"] = _("Status: only a requested agreement can be decided.")
    if not reason.strip():
        errors["reason"] = _("Reason: say why (it is shown to the consumer).")
    if quota_per_day is not None and not 1 <= quota_per_day <= 10_000_000:
        errors["quota_per_day"] = _("Quota: a whole number of calls per day from 1.")
    if errors:
        raise ValidationError(errors)
    fields = ["status", "decided_by_id", "decided_at", "decision_reason", "quota_per_day"]
    with changes.recorded(agreement, fields, actor=actor, action="interop.agreement_decided"):
        agreement.status = Agreement.Status.APPROVED if approve else Agreement.Status.REJECTED
        agreement.decided_by = actor
        agreement.decided_at = timezone.now()
        agreement.decision_reason = reason.strip()
        if quota_per_day:
            agreement.quota_per_day = quota_per_day
    return agreement


def agreement_revoke(*, actor: Person, agreement: Agreement, reason: str) -> Agreement:
    """Either side ends an agreement; the next call under it is refused."""
    if not (
        has_perm(actor, perms.MANAGE_SERVICE, agreement.service)
        or has_perm(actor, perms.MANAGE_CONSUMER, agreement.consumer)
    ):
        raise PermissionDenied
    if agreement.status not in (Agreement.Status.APPROVED, Agreement.Status.REQUESTED):
        raise ValidationError({"status": _("Status: this agreement is not in force.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Reason: say why the agreement ends.")})
    with changes.recorded(agreement, ["status", "decision_reason"], actor=actor, action="interop.agreement_revoked"):
        agreement.status = Agreement.Status.REVOKED
        agreement.decision_reason = reason.strip()
    return agreement
