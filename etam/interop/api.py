"""JSON API of the interoperability node under /api/v1/interop/ (ADR 0152).

- The gateway: ``GET|POST /interop/gateway/{code}`` with the header ``X-Consumer-Key``; the
  provider's JSON comes back as it is (200, 201, 400, 404), every refusal in the error envelope.
- Receipts: ``GET /interop/exchanges/{exchange_id}/receipt`` for the consumer (its key) or the
  staff of either side; ``GET /interop/node-key`` for checking them.
- The public catalogue and each service's OpenAPI document (for publishing on SPLP); staff
  operations on agreements and the exchange log.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Header, Query, Router, Schema
from ninja.security import APIKeyHeader
from pydantic import Field

from etam.api.auth import require_auth
from etam.api.errors import ErrorOut, error_response
from etam.api.params import Id, PageNumber, page_rows
from etam.core.permissions import has_perm
from etam.interop import ledger, openapi, selectors, services
from etam.interop import permissions as perms
from etam.interop.models import Agreement, DataService, Exchange

router = Router(tags=["interop"])
PAGE_SIZE = 50
GATEWAY_RESPONSES: dict[int, Any] = {
    200: dict[str, Any],
    201: dict[str, Any],
    400: dict[str, Any],
    401: ErrorOut,
    403: ErrorOut,
    404: dict[str, Any],
    405: ErrorOut,
    413: ErrorOut,
    429: ErrorOut,
    502: ErrorOut,
    503: ErrorOut,
    504: ErrorOut,
}


class ConsumerKeyHeader(APIKeyHeader):
    """Documents the header; the gateway checks the key itself, so refusals are logged too."""

    param_name = "X-Consumer-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return key or ""


class InteropServiceOut(Schema):
    code: str
    name: str
    description: str
    provider_agency: str = Field(validation_alias="agency.name")
    method: str
    access: str
    quota_per_day: int
    sla_response_ms: int
    sla_availability: float
    status: str
    contact_name: str
    contact_email: str
    openapi_url: str

    @staticmethod
    def resolve_openapi_url(service: DataService) -> str:
        return f"/api/v1/interop/services/{service.code}/openapi.json"


class InteropAgreementOut(Schema):
    id: int
    consumer_id: int
    consumer: str = Field(validation_alias="consumer.name")
    service_code: str = Field(validation_alias="service.code")
    purpose: str
    legal_basis: str
    quota_per_day: int
    status: str
    valid_until: date | None
    requested_at: datetime
    decided_at: datetime | None
    decision_reason: str


class InteropAgreementIn(Schema):
    consumer_id: Id
    service_code: str = Field(max_length=60)
    purpose: str = Field(max_length=2000)
    legal_basis: str = Field("", max_length=300)
    quota_per_day: int | None = Field(None, ge=1, le=10_000_000)
    valid_until: date | None = None


class InteropDecisionIn(Schema):
    approve: bool
    reason: str = Field(max_length=2000)
    quota_per_day: int | None = Field(None, ge=1, le=10_000_000)


class InteropRevocationIn(Schema):
    reason: str = Field(max_length=2000)


class InteropExchangeOut(Schema):
    exchange_id: UUID
    requested_at: datetime
    consumer: str | None
    service_code: str | None
    method: str
    outcome: str
    status_code: int
    latency_ms: int
    request_digest: str
    response_digest: str

    @staticmethod
    def resolve_consumer(entry: Exchange) -> str | None:
        return entry.consumer.name if entry.consumer else None

    @staticmethod
    def resolve_service_code(entry: Exchange) -> str | None:
        return entry.service.code if entry.service else None


class InteropExchangePage(Schema):
    count: int
    page: int
    results: list[InteropExchangeOut]


class InteropExchangeFilters(Schema):
    service: str = Field("", max_length=100)
    consumer: str = Field("", max_length=100)
    outcome: str = Field("", max_length=32)
    since: date | None = None
    until: date | None = None
    page: PageNumber = 1


class InteropNodeKeyOut(Schema):
    algorithm: str
    public_key: str


class InteropHealthOut(Schema):
    name: str
    state: str
    failures_in_a_row: int
    last_success: str | None
    last_failure: str | None
    last_error: str


# -- public -------------------------------------------------------------------------------
@router.get(
    "/services", response=list[InteropServiceOut], summary="The public catalogue of open data-exchange services"
)
def service_list(request: HttpRequest) -> list[DataService]:
    return list(selectors.public_services()[:500])


@router.get("/services/{code}", response=InteropServiceOut, summary="One open data-exchange service")
def service_detail(request: HttpRequest, code: str) -> DataService:
    return selectors.public_service(code[:60])


@router.get(
    "/services/{code}/openapi.json", response=dict[str, Any], summary="The service's OpenAPI document (for SPLP)"
)
def service_openapi(request: HttpRequest, code: str) -> dict[str, Any]:
    return openapi.document_for(selectors.public_service(code[:60]))


@router.get("/node-key", response=InteropNodeKeyOut, summary="The node's public key: checks exchange receipts")
def node_key(request: HttpRequest) -> InteropNodeKeyOut:
    return InteropNodeKeyOut(algorithm="Ed25519", public_key=ledger.node_public_key())


# -- the gateway ----------------------------------------------------------------------------
ConsumerKeyParameter = Header(
    "", alias="X-Consumer-Key", max_length=200, description="The consumer system's key, etamx_<prefix>_<secret>"
)


def _gateway(request: HttpRequest, code: str, key: str) -> HttpResponse:
    answer = services.forward(
        raw_key=key or None,
        code=code[:60],
        method=request.method or "GET",
        query=request.META.get("QUERY_STRING", ""),
        body=request.body if request.method == "POST" else b"",
    )
    if answer.code:
        response: HttpResponse = error_response(answer.status, answer.message, code=answer.code)
    else:
        response = HttpResponse(answer.body, status=answer.status, content_type="application/json")
    for name, value in answer.headers.items():
        response[name] = value
    return response


# No Ninja ``auth=``: the gateway checks the key itself so that a refusal is logged like any exchange.
@router.get("/gateway/{code}", response=GATEWAY_RESPONSES, summary="Call a service (GET)")
def gateway_get(request: HttpRequest, code: str, x_consumer_key: str = ConsumerKeyParameter) -> HttpResponse:
    return _gateway(request, code, x_consumer_key)


@router.post("/gateway/{code}", response=GATEWAY_RESPONSES, summary="Call a service (POST)")
def gateway_post(request: HttpRequest, code: str, x_consumer_key: str = ConsumerKeyParameter) -> HttpResponse:
    return _gateway(request, code, x_consumer_key)


@router.get(
    "/exchanges/{exchange_id}/receipt",
    response=dict[str, Any],
    auth=[ConsumerKeyHeader(), *require_auth],
    summary="A signed receipt of one exchange (the consumer with its key, or either side's staff)",
)
def exchange_receipt(request: HttpRequest, exchange_id: UUID) -> dict[str, Any] | JsonResponse:
    offered = request.headers.get("X-Consumer-Key")
    if offered:
        key = selectors.key_for(offered)
        if key is None or key.revoked_at is not None:
            return error_response(401, str(_invalid_key_message()), code="invalid_key")
        return ledger.receipt(selectors.exchange_for_consumer(key.consumer, exchange_id))
    if not getattr(request.user, "is_authenticated", False):
        return error_response(401, str(_invalid_key_message()), code="invalid_key")
    return ledger.receipt(selectors.exchange_for_actor(request.user, exchange_id))


def _invalid_key_message() -> str:
    from django.utils.translation import gettext

    return gettext("Send a valid consumer key in the header X-Consumer-Key, or sign in.")


# -- staff --------------------------------------------------------------------------------
@router.get("/exchanges", response=InteropExchangePage, auth=require_auth, summary="The exchange log (both sides)")
def exchange_list(request: HttpRequest, filters: Query[InteropExchangeFilters]) -> dict[str, Any]:
    qs = selectors.exchanges_visible_to(request.user, selectors.ExchangeFilter(**filters.dict(exclude={"page"})))
    return {
        "count": qs.count(),
        "page": filters.page,
        "results": page_rows(qs, filters.page, PAGE_SIZE),
    }


@router.get(
    "/agreements",
    response=list[InteropAgreementOut],
    auth=require_auth,
    summary="Agreements of your services and systems",
)
def agreement_list(request: HttpRequest, status: str = "") -> list[Agreement]:
    return list(selectors.agreements_visible_to(request.user, status=status[:10])[:500])


@router.post("/agreements", response={201: InteropAgreementOut}, auth=require_auth, summary="Ask for an agreement")
def agreement_create(request: HttpRequest, payload: InteropAgreementIn) -> tuple[int, Agreement]:
    consumer = selectors.consumer_get(request.user, payload.consumer_id)
    service = selectors.service_by_code(request.user, payload.service_code)
    agreement = services.agreement_request(
        actor=request.user,  # type: ignore[arg-type]  # require_auth: a signed-in User
        consumer=consumer,
        service=service,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        quota_per_day=payload.quota_per_day,
        valid_until=payload.valid_until,
    )
    return 201, agreement


@router.post(
    "/agreements/{agreement_id}/decision", response=InteropAgreementOut, auth=require_auth, summary="Approve or reject"
)
def agreement_decision(request: HttpRequest, agreement_id: Id, payload: InteropDecisionIn) -> Agreement:
    agreement = selectors.agreement_get(request.user, agreement_id)
    services.agreement_decide(
        actor=request.user,  # type: ignore[arg-type]
        agreement=agreement,
        approve=payload.approve,
        reason=payload.reason,
        quota_per_day=payload.quota_per_day,
    )
    return agreement


@router.post(
    "/agreements/{agreement_id}/revocation", response=InteropAgreementOut, auth=require_auth, summary="End an agreement"
)
def agreement_revocation(request: HttpRequest, agreement_id: Id, payload: InteropRevocationIn) -> Agreement:
    agreement = selectors.agreement_get(request.user, agreement_id)
    services.agreement_revoke(actor=request.user, agreement=agreement, reason=payload.reason)  # type: ignore[arg-type]
    return agreement


class InteropServiceIn(Schema):
    agency_id: Id
    code: str = Field(max_length=60, pattern=r"^[-a-z0-9]+$")
    name: str = Field(max_length=200)
    description: str = Field("", max_length=5000)
    host_id: Id
    path: str = Field(max_length=300)
    method: str = Field("GET", pattern="^(GET|POST)$")
    input_schema: dict[str, Any] = {}
    output_schema: dict[str, Any] = {}
    access: str = Field("terbatas", pattern="^(terbuka|terbatas)$")
    quota_per_day: int = Field(1000, ge=1, le=10_000_000)
    sla_response_ms: int = Field(2000, ge=1, le=600_000)
    sla_availability: float = Field(99, ge=0, le=100)
    status: str = Field("draf", pattern="^(draf|aktif|nonaktif)$")
    contact_name: str = Field(max_length=120)
    contact_email: str = Field(max_length=254)


class InteropConsumerIn(Schema):
    agency_id: Id
    name: str = Field(max_length=200)
    kind: str = Field("aplikasi_opd", pattern="^(aplikasi_opd|kabkota|instansi_luar)$")
    organisation: str = Field("", max_length=200)
    contact_name: str = Field(max_length=120)
    contact_email: str = Field(max_length=254)


class InteropConsumerOut(Schema):
    id: int
    name: str
    kind: str
    agency_id: int


class InteropKeyOut(Schema):
    id: int
    prefix: str
    key: str = Field(description="The whole key, shown once: keep it; only its digest is stored")


@router.post(
    "/services", response={201: InteropServiceOut}, auth=require_auth, summary="Register a data-exchange service"
)
def service_create(request: HttpRequest, payload: InteropServiceIn) -> tuple[int, DataService]:
    data = payload.dict()
    agency = selectors.agencies_for(request.user, perms.MANAGE_SERVICE).get(pk=data.pop("agency_id"))
    host = selectors.hosts().get(pk=data.pop("host_id"))
    service = services.service_register(
        actor=request.user,  # type: ignore[arg-type]  # require_auth: a signed-in User
        agency=agency,
        code=data.pop("code"),
        host=host,
        **data,
    )
    return 201, service


@router.post("/consumers", response={201: InteropConsumerOut}, auth=require_auth, summary="Register a consumer system")
def consumer_create(request: HttpRequest, payload: InteropConsumerIn) -> tuple[int, InteropConsumerOut]:
    data = payload.dict()
    agency = selectors.agencies_for(request.user, perms.MANAGE_CONSUMER).get(pk=data.pop("agency_id"))
    consumer = services.consumer_register(actor=request.user, agency=agency, **data)  # type: ignore[arg-type]
    return 201, InteropConsumerOut(id=consumer.pk, name=consumer.name, kind=consumer.kind, agency_id=consumer.agency_id)


@router.post("/consumers/{consumer_id}/keys", response={201: InteropKeyOut}, auth=require_auth, summary="Issue a key")
def consumer_key_create(request: HttpRequest, consumer_id: Id) -> tuple[int, InteropKeyOut]:
    consumer = selectors.consumer_get(request.user, consumer_id)
    key, raw = services.consumer_key_issue(actor=request.user, consumer=consumer)  # type: ignore[arg-type]
    return 201, InteropKeyOut(id=key.pk, prefix=key.prefix, key=raw)


@router.post("/keys/{key_id}/revocation", response=InteropConsumerOut, auth=require_auth, summary="Revoke a key")
def consumer_key_revocation(request: HttpRequest, key_id: Id) -> InteropConsumerOut:
    key = selectors.consumer_key_get(request.user, key_id)
    services.consumer_key_revoke(actor=request.user, key=key)  # type: ignore[arg-type]
    consumer = key.consumer
    return InteropConsumerOut(id=consumer.pk, name=consumer.name, kind=consumer.kind, agency_id=consumer.agency_id)


@router.get("/health", response=list[InteropHealthOut], auth=require_auth, summary="Health of the systems Etam calls")
def connector_health(request: HttpRequest) -> list[InteropHealthOut]:
    if not has_perm(request.user, perms.VIEW_EXCHANGES):
        raise PermissionDenied
    return [InteropHealthOut(**vars(item)) for item in selectors.connector_health()]
