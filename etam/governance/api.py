"""JSON API of the governance module under /api/v1/governance/: the same services write, the
same scoped selectors read (an OPD sees its own, Diskominfo and the coordinator the instansi).
A service's ValidationError answers 422 naming the field through the common envelope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from etam.api.auth import require_auth
from etam.api.params import Id, PageNumber, page_rows
from etam.core.lookups import or_404
from etam.governance import permissions as perms
from etam.governance import selectors, services
from etam.governance.models import ApplicationProposal, Incident, Risk, ServiceRequest

router = Router(tags=["governance"])
PAGE_SIZE = 50


def _page(qs: Any, page: int) -> list[Any]:
    return page_rows(qs, page, PAGE_SIZE)


def _checked(payload: Schema) -> dict[str, Any]:
    """The payload as a dict; a NUL character (which PostgreSQL cannot store) is refused naming the
    field, as Django's form fields do for the HTML pages."""
    data = payload.dict()

    def walk(value: Any, path: str) -> None:
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError({path: [_("%(field)s: contains a null character.") % {"field": path}]})
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
        if isinstance(value, list):
            for item in value:
                walk(item, path)

    walk(data, "")
    return data


def _agency(request: HttpRequest, agency_id: int, perm: str) -> Any:
    agency = selectors.agencies_for(request.user, perm).filter(pk=agency_id).first()
    if agency is None:
        raise ValidationError({"agency_id": [_("OPD: not an OPD you may act for.")]})
    return agency


def _asset(request: HttpRequest, lookup: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = lookup(request.user).filter(pk=pk).first() if callable(lookup) else None
    if found is None:
        raise ValidationError({field: [_("%(field)s: not found among the assets you can see.") % {"field": field}]})
    return found


# --- Service desk -----------------------------------------------------------------------------


class ProposalOut(Schema):
    name: str
    purpose: str
    legal_basis: str
    problem: str
    scope: str
    cost_benefit: str
    initial_risk: str
    raa_code: str
    business_process_code: str
    duplicate_matches: list[dict[str, Any]]
    decision: str
    decision_reason: str
    created_application_id: int | None
    reuse_application_id: int | None


class RequestOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    status: str
    agency_id: int
    institution_id: int
    sla_days: int
    filed_on: date
    due_on: date
    assignee_id: int | None


class RequestDetailOut(RequestOut):
    proposal: ProposalOut | None = None

    @staticmethod
    def of(req: ServiceRequest, proposal: ApplicationProposal | None) -> RequestDetailOut:
        out = RequestDetailOut(**RequestOut.from_orm(req).dict())
        if proposal is not None:
            out.proposal = ProposalOut.from_orm(proposal)
        return out


class ProposalIn(Schema):
    name: str = ""
    acronym: str = ""
    purpose: str = ""
    legal_basis: str = ""
    problem: str = ""
    audit_findings: str = ""
    scope: str = ""
    cost_benefit: str = ""
    initial_risk: str = ""
    raa_code: str = ""
    business_process_code: str = ""
    datasets: list[str] = []


class RequestIn(Schema):
    agency_id: Id
    kind: str
    title: str
    description: str
    proposal: ProposalIn | None = None


class DecisionIn(Schema):
    decision: str
    reason: str = ""
    reuse_application_id: Id | None = None


@router.get("/requests", response=list[RequestOut], auth=require_auth, summary="Service-desk requests in scope")
def request_list(request: HttpRequest, page: PageNumber = 1) -> list[Any]:
    return _page(selectors.requests_visible_to(request.user), page)


@router.get("/requests/{request_id}", response=RequestDetailOut, auth=require_auth, summary="One request")
def request_detail(request: HttpRequest, request_id: Id) -> RequestDetailOut:
    detail = or_404(selectors.request_detail, request.user, request_id)
    return RequestDetailOut.of(detail["req"], detail["proposal"])


@router.post("/requests", response={201: RequestDetailOut}, auth=require_auth, summary="File a request")
def request_create(request: HttpRequest, payload: RequestIn) -> tuple[int, RequestDetailOut]:
    _checked(payload)
    agency = _agency(request, payload.agency_id, perms.FILE_REQUEST)
    req = services.request_file(
        actor=request.user,  # type: ignore[arg-type]
        agency=agency,
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        proposal=payload.proposal.dict() if payload.proposal else ({} if payload.kind == "aplikasi_baru" else None),
    )
    detail = selectors.request_detail(request.user, req.pk)
    return 201, RequestDetailOut.of(detail["req"], detail["proposal"])


@router.post(
    "/requests/{request_id}/decision", response=RequestDetailOut, auth=require_auth, summary="Decide a proposal"
)
def proposal_decide(request: HttpRequest, request_id: Id, payload: DecisionIn) -> RequestDetailOut:
    _checked(payload)
    proposal = or_404(selectors.proposal_get, request.user, request_id)
    services.proposal_decide(
        actor=request.user,  # type: ignore[arg-type]
        proposal=proposal,
        decision=payload.decision,
        reason=payload.reason,
        reuse_application_id=payload.reuse_application_id,
    )
    detail = selectors.request_detail(request.user, request_id)
    return RequestDetailOut.of(detail["req"], detail["proposal"])


# --- Risk -------------------------------------------------------------------------------------


class RiskOut(Schema):
    id: int
    title: str
    agency_id: int
    category: str
    impact_area: str
    positive: bool
    asset_kind: str
    application_id: int | None
    data_centre_id: int | None
    asset_reference: str
    owner_id: int
    likelihood: int
    impact: int
    magnitude: int
    level: int
    residual_magnitude: int | None
    residual_level: int | None
    status: str


class RiskIn(Schema):
    agency_id: Id
    title: str = ""
    category: str = ""
    impact_area: str = ""
    positive: bool = False
    asset_kind: str = ""
    application_id: Id | None = None
    data_centre_id: Id | None = None
    asset_reference: str = ""
    causes: str = ""
    consequences: str = ""
    owner_id: Id | None = None
    likelihood: int | None = None
    impact: int | None = None


class TreatmentIn(Schema):
    action: str = ""
    owner_id: Id | None = None
    due_on: date | None = None


class TreatmentOut(Schema):
    id: int
    action: str
    owner_id: int
    due_on: date
    status: str


class CellOut(Schema):
    likelihood: int
    impact: int
    magnitude: int
    level: int
    level_name: str


@router.get("/risk-matrix", response=list[CellOut], auth=require_auth, summary="The 5×5 risk matrix in force")
def risk_matrix(request: HttpRequest) -> list[CellOut]:
    cells, bands = selectors.matrix()
    out = []
    for (likelihood, impact), magnitude in sorted(cells.items()):
        band = next(b for b in bands.values() if b.low <= magnitude <= b.high)
        out.append(
            CellOut(likelihood=likelihood, impact=impact, magnitude=magnitude, level=band.level, level_name=band.name)
        )
    return out


@router.get("/risks", response=list[RiskOut], auth=require_auth, summary="Risks in scope")
def risk_list(request: HttpRequest, page: PageNumber = 1) -> list[Risk]:
    return _page(selectors.risks_visible_to(request.user), page)


@router.get("/risks/{risk_id}", response=RiskOut, auth=require_auth, summary="One risk")
def risk_detail(request: HttpRequest, risk_id: Id) -> Risk:
    return or_404(selectors.risk_get, request.user, risk_id)  # type: ignore[no-any-return]


@router.post("/risks", response={201: RiskOut}, auth=require_auth, summary="Record a risk")
def risk_create(request: HttpRequest, payload: RiskIn) -> tuple[int, Risk]:
    data = _checked(payload)
    agency = _agency(request, payload.agency_id, perms.MANAGE_RISK)
    data["application"] = _asset(request, selectors.applications_for, payload.application_id, "application_id")
    data["data_centre"] = _asset(request, selectors.data_centres_for, payload.data_centre_id, "data_centre_id")
    data["owner"] = _asset(request, selectors.risk_owners_for, payload.owner_id, "owner_id")
    return 201, services.risk_create(actor=request.user, agency=agency, data=data)  # type: ignore[arg-type]


@router.post(
    "/risks/{risk_id}/treatments", response={201: TreatmentOut}, auth=require_auth, summary="Add a treatment plan"
)
def risk_treat(request: HttpRequest, risk_id: Id, payload: TreatmentIn) -> tuple[int, Any]:
    _checked(payload)
    risk = or_404(selectors.risk_get, request.user, risk_id)
    owner = _asset(request, selectors.risk_owners_for, payload.owner_id, "owner_id")
    return 201, services.treatment_add(
        actor=request.user,  # type: ignore[arg-type]
        risk=risk,
        action=payload.action,
        owner=owner,
        due_on=payload.due_on,
    )


# --- Security, audit, personal data -----------------------------------------------------------


class ControlOut(Schema):
    id: int
    application_id: int
    area: str
    status: str
    evidence: str


class IncidentOut(Schema):
    id: int
    agency_id: int
    title: str
    severity: str
    application_id: int | None
    data_centre_id: int | None
    detected_at: datetime
    personal_data: bool
    notice_due: datetime | None
    notified_at: datetime | None
    status: str


class IncidentIn(Schema):
    agency_id: Id
    title: str = ""
    description: str = ""
    severity: str = ""
    application_id: Id | None = None
    data_centre_id: Id | None = None
    detected_at: datetime | None = None
    personal_data: bool = False


class AuditOut(Schema):
    id: int
    institution_id: int
    title: str
    year: int
    auditor: str
    stage: str


class ProcessingOut(Schema):
    id: int
    application_id: int
    agency_id: int
    name: str
    purpose: str
    legal_basis: str
    data_categories: str
    specific_data: bool
    recipients: str
    retention: str


@router.get("/controls", response=list[ControlOut], auth=require_auth, summary="BSSN 4/2021 checklist entries")
def control_list(request: HttpRequest, page: PageNumber = 1) -> list[Any]:
    return _page(selectors.controls_visible_to(request.user), page)


@router.get("/incidents", response=list[IncidentOut], auth=require_auth, summary="Incidents in scope")
def incident_list(request: HttpRequest, page: PageNumber = 1) -> list[Incident]:
    return _page(selectors.incidents_visible_to(request.user), page)


@router.post("/incidents", response={201: IncidentOut}, auth=require_auth, summary="Report an incident")
def incident_create(request: HttpRequest, payload: IncidentIn) -> tuple[int, Incident]:
    data = _checked(payload)
    agency = _agency(request, payload.agency_id, perms.MANAGE_SECURITY)
    data["application"] = _asset(request, selectors.applications_for, payload.application_id, "application_id")
    data["data_centre"] = _asset(request, selectors.data_centres_for, payload.data_centre_id, "data_centre_id")
    return 201, services.incident_report(actor=request.user, agency=agency, data=data)  # type: ignore[arg-type]


@router.get("/audits", response=list[AuditOut], auth=require_auth, summary="Internal ICT audits in scope")
def audit_list(request: HttpRequest, page: PageNumber = 1) -> list[Any]:
    return _page(selectors.audits_visible_to(request.user), page)


@router.get("/processing", response=list[ProcessingOut], auth=require_auth, summary="Personal-data processing register")
def processing_list(request: HttpRequest, page: PageNumber = 1) -> list[Any]:
    return _page(selectors.processing_visible_to(request.user), page)
