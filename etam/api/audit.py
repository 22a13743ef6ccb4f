"""The audit trail, read-only, scoped like the staff viewer: /api/v1/audit/events."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from etam.api.auth import require_auth
from etam.api.errors import COMMON_ERRORS
from etam.core import audit
from etam.core.permissions import require

router = Router(tags=["audit"], auth=require_auth)


class AuditFilters(Schema):
    action: str = Field("", max_length=80, description="Action prefix, e.g. 'core.' or 'core.api_token_create'")
    object_type: str = Field("", max_length=80, description="Object type prefix, e.g. 'core.agency'")
    actor: str = Field("", max_length=200, description="Part of the actor's recorded name")
    date_from: date | None = Field(None, description="First day (local time), ISO 8601")
    date_to: date | None = Field(None, description="Last day (local time), included")


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    institution_id: int | None
    agency_id: int | None
    changes: dict[str, Any]
    ip_address: str | None
    request_id: str
    sealed: bool

    @staticmethod
    def resolve_sealed(obj: Any) -> bool:
        return obj.seal_id is not None


@router.get(
    "/audit/events",
    response={200: list[AuditEventOut], **COMMON_ERRORS},
    summary="Audit events I may see (super admin: all; admin instansi: their instansi; admin OPD: their OPD)",
)
@paginate(PageNumberPagination, page_size=50, max_page_size=200)
def audit_events(request: HttpRequest, filters: Query[AuditFilters]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    require(user, "core.view_audit")
    return audit.audit_events_for(user, **filters.dict())
