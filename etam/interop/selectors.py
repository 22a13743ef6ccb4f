"""Reads of the interoperability node, already narrowed to what the actor may see."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from etam.core.actors import Actor
from etam.core.models import Agency
from etam.core.outbound import Health, health_of_all
from etam.core.permissions import has_perm, scope_q
from etam.interop import permissions as perms
from etam.interop.models import Agreement, Consumer, ConsumerKey, DataService, Exchange, NikVerification, ProviderHost

KEY_PREFIX = "etamx_"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(raw: str) -> tuple[str, str] | None:
    """(prefix, secret) of ``etamx_<prefix>_<secret>``, or None for anything else."""
    if not raw.startswith(KEY_PREFIX):
        return None
    prefix, _sep, secret = raw[len(KEY_PREFIX) :].partition("_")
    if not prefix or not secret or len(prefix) > 12:
        return None
    return prefix, secret


def public_services() -> QuerySet[DataService]:
    """The public catalogue: active, open services."""
    return (
        DataService.objects.filter(status=DataService.Status.ACTIVE, access=DataService.Access.OPEN)
        .select_related("agency", "institution")
        .order_by("name", "id")
    )


def public_service(code: str) -> DataService:
    return public_services().get(code=code)


def services_visible_to(actor: Actor) -> QuerySet[DataService]:
    """Staff: every active service (to ask for an agreement) and every service of their own OPDs."""
    visible = scope_q(actor, perms.MANAGE_SERVICE)
    if has_perm(actor, perms.MANAGE_SERVICE) or has_perm(actor, perms.MANAGE_CONSUMER):
        visible |= Q(status=DataService.Status.ACTIVE)
    return DataService.objects.filter(visible).select_related("agency", "institution", "host").order_by("name", "id")


def services_managed_by(actor: Actor) -> QuerySet[DataService]:
    return services_visible_to(actor).filter(scope_q(actor, perms.MANAGE_SERVICE))


def service_get(actor: Actor, pk: int) -> DataService:
    return services_visible_to(actor).get(pk=pk)


def service_by_code(actor: Actor, code: str) -> DataService:
    return services_visible_to(actor).get(code=code)


def can_manage_service(actor: Actor, service: DataService) -> bool:
    return has_perm(actor, perms.MANAGE_SERVICE, service)


def hosts() -> QuerySet[ProviderHost]:
    return ProviderHost.objects.order_by("base_url")


def agencies_for(actor: Actor, perm: str) -> QuerySet[Agency]:
    return Agency.objects.filter(scope_q(actor, perm, institution_field="institution_id", agency_field="id")).order_by(
        "name"
    )


def consumers_visible_to(actor: Actor) -> QuerySet[Consumer]:
    return (
        Consumer.objects.filter(scope_q(actor, perms.MANAGE_CONSUMER)).select_related("agency").order_by("name", "id")
    )


def consumer_get(actor: Actor, pk: int) -> Consumer:
    return consumers_visible_to(actor).get(pk=pk)


def consumer_keys(consumer: Consumer) -> QuerySet[ConsumerKey]:
    return consumer.keys.order_by("-created_at", "-id")


def key_for(raw: str | None) -> ConsumerKey | None:
    """The key a consumer offered (revoked ones too: the caller says so), or None when it is not one of ours."""
    parts = split_key(raw or "")
    if parts is None:
        return None
    key = ConsumerKey.objects.select_related("consumer").filter(prefix=parts[0]).first()
    if key is None or not hmac.compare_digest(key.secret_hash, secret_hash(parts[1])):
        return None
    return key


def consumer_key_get(actor: Actor, pk: int) -> ConsumerKey:
    return ConsumerKey.objects.select_related("consumer").get(pk=pk, consumer__in=consumers_visible_to(actor))


def _either_side(actor: Actor, provider_perm: str, consumer_perm: str, prefix: str = "") -> Q:
    return scope_q(
        actor,
        provider_perm,
        institution_field=f"{prefix}service__institution_id",
        agency_field=f"{prefix}service__agency_id",
    ) | scope_q(
        actor,
        consumer_perm,
        institution_field=f"{prefix}consumer__institution_id",
        agency_field=f"{prefix}consumer__agency_id",
    )


def agreements_visible_to(actor: Actor, *, status: str = "") -> QuerySet[Agreement]:
    qs = Agreement.objects.filter(_either_side(actor, perms.MANAGE_SERVICE, perms.MANAGE_CONSUMER)).select_related(
        "consumer", "consumer__agency", "service", "service__agency"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-id")


def agreement_get(actor: Actor, pk: int) -> Agreement:
    return agreements_visible_to(actor).get(pk=pk)


@dataclass(frozen=True)
class ExchangeFilter:
    service: str = ""
    consumer: str = ""
    outcome: str = ""
    since: date | None = None
    until: date | None = None


def exchanges_visible_to(actor: Actor, filters: ExchangeFilter | None = None) -> QuerySet[Exchange]:
    """The exchange log each side may read: its services' calls and its consumers' calls."""
    qs = Exchange.objects.filter(_either_side(actor, perms.VIEW_EXCHANGES, perms.VIEW_EXCHANGES)).select_related(
        "consumer", "service"
    )
    f = filters or ExchangeFilter()
    if f.service:
        qs = qs.filter(Q(service__code__icontains=f.service) | Q(service__name__icontains=f.service))
    if f.consumer:
        qs = qs.filter(consumer__name__icontains=f.consumer)
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    zone = timezone.get_current_timezone()
    if f.since:
        qs = qs.filter(requested_at__gte=datetime.combine(f.since, time.min, tzinfo=zone))
    if f.until:
        qs = qs.filter(requested_at__lte=datetime.combine(f.until, time.max, tzinfo=zone))
    return qs.order_by("-id")


def exchange_for_actor(actor: Actor, exchange_id: UUID) -> Exchange:
    return exchanges_visible_to(actor).get(exchange_id=exchange_id)


def exchange_for_consumer(consumer: Consumer, exchange_id: UUID) -> Exchange:
    return Exchange.objects.get(consumer=consumer, exchange_id=exchange_id)


def connector_health() -> list[Health]:
    return health_of_all()


def nik_statuses(application_ids: list[int]) -> dict[int, str]:
    """The NIK-verification status of each of these cases that has one (the inbox badge; the
    inbox already narrowed the cases to the officer's scope)."""
    return dict(
        NikVerification.objects.filter(application_id__in=application_ids).values_list("application_id", "status")
    )
