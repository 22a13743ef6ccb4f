"""Governance reads, scoped to the actor (an OPD sees its own, instansi roles the instansi)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from etam.core.actors import Actor
from etam.core.models import Agency, Institution, User
from etam.core.permissions import has_perm, scope_q
from etam.governance import permissions as perms
from etam.governance.models import (
    ApplicationProposal,
    AuditEngagement,
    AuditFinding,
    DataProtectionOfficer,
    Incident,
    ProcessingActivity,
    RequestKind,
    RequestStatus,
    Risk,
    RiskBand,
    RiskCell,
    RiskContext,
    RiskScale,
    SecurityControl,
    ServiceRequest,
    Treatment,
)
from etam.governance.registry import catalogue
from etam.governance.riskmatrix import SCALE_CODE


def requests_visible_to(actor: Actor) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(scope_q(actor, perms.VIEW)).select_related(
        "agency", "institution", "assignee", "filed_by"
    )


def request_get(actor: Actor, pk: int) -> ServiceRequest:
    return requests_visible_to(actor).select_related("proposal").get(pk=pk)


def request_detail(actor: Actor, pk: int) -> dict[str, Any]:
    req = request_get(actor, pk)
    proposal = (
        ApplicationProposal.objects.filter(request=req)
        .select_related("reuse_application", "created_application", "decided_by")
        .first()
    )
    return {
        "req": req,
        "proposal": proposal,
        "comments": list(req.comments.select_related("author")),
        "files": list(req.files.select_related("uploaded_by")),
        "can_handle": has_perm(actor, perms.HANDLE_REQUEST, req),
        "can_take_part": has_perm(actor, perms.FILE_REQUEST, req) or has_perm(actor, perms.HANDLE_REQUEST, req),
    }


def proposal_get(actor: Actor, request_pk: int) -> ApplicationProposal:
    return ApplicationProposal.objects.select_related("request", "request__agency").get(
        request__in=requests_visible_to(actor), request_id=request_pk
    )


def request_file_get(actor: Actor, request_pk: int, file_pk: int) -> Any:
    return request_get(actor, request_pk).files.get(pk=file_pk)


def agencies_for(actor: Actor, perm: str) -> QuerySet[Agency]:
    return Agency.objects.filter(scope_q(actor, perm, institution_field="institution_id", agency_field="id")).order_by(
        "institution_id", "name"
    )


def institutions_for(actor: Actor, perm: str) -> QuerySet[Institution]:
    return Institution.objects.filter(scope_q(actor, perm, institution_field="id", agency_field=None))


def handlers_for(actor: Actor, req: ServiceRequest) -> list[User]:
    """People who may be assigned a request (they handle requests over its OPD)."""
    candidates = User.objects.filter(
        is_active=True, role_grants__revoked_at__isnull=True, role_grants__institution_id=req.institution_id
    ).distinct()
    return [u for u in candidates.order_by("full_name")[:200] if has_perm(u, perms.HANDLE_REQUEST, req)]


def applications_for(actor: Actor) -> Any:
    cat = catalogue()
    return cat.applications(actor) if cat else []


def application_get(actor: Actor, pk: int | None) -> Any:
    cat = catalogue()
    if cat is None or pk is None:
        return None
    return cat.applications(actor).filter(pk=pk).first()


def data_centres_for(actor: Actor) -> Any:
    cat = catalogue()
    return cat.data_centres(actor) if cat else []


def record_choices(actor: Actor, perm: str) -> dict[str, Any]:
    """The choices of a record owned by an OPD and tied to an asset (a risk, an incident): the OPDs
    the actor may act for with ``perm``, and the applications and data centres they can see."""
    return {
        "agency": agencies_for(actor, perm),
        "application": applications_for(actor),
        "data_centre": data_centres_for(actor),
    }


def reference_codes() -> list[tuple[str, str]]:
    cat = catalogue()
    return list(cat.reference_codes()) if cat else []


# --- Risk -------------------------------------------------------------------------------------


def risks_visible_to(actor: Actor) -> QuerySet[Risk]:
    return Risk.objects.filter(scope_q(actor, perms.VIEW)).select_related(
        "agency", "institution", "owner", "application", "data_centre"
    )


def risk_get(actor: Actor, pk: int) -> Risk:
    return risks_visible_to(actor).get(pk=pk)


def risk_detail(actor: Actor, risk: Risk) -> dict[str, Any]:
    return {
        "risk": risk,
        "treatments": list(risk.treatments.select_related("owner")),
        "monitoring": list(risk.monitoring.select_related("recorded_by")),
        "can_manage": has_perm(actor, perms.MANAGE_RISK, risk),
    }


def treatment_get(actor: Actor, pk: int) -> Treatment:
    return Treatment.objects.select_related("risk").get(risk__in=risks_visible_to(actor), pk=pk)


def risk_contexts_visible_to(actor: Actor) -> QuerySet[RiskContext]:
    return RiskContext.objects.filter(scope_q(actor, perms.VIEW, agency_field=None)).select_related("institution")


def risk_owners_for(actor: Actor) -> QuerySet[User]:
    """Staff of the OPDs or instansi the actor manages risks for."""
    institutions = {a.institution_id for a in agencies_for(actor, perms.MANAGE_RISK)}
    return (
        User.objects.filter(
            is_active=True, role_grants__revoked_at__isnull=True, role_grants__institution_id__in=institutions
        )
        .distinct()
        .order_by("full_name")
    )


def matrix(scale: RiskScale | None = None) -> tuple[dict[tuple[int, int], int], dict[int, RiskBand]]:
    scale = scale or RiskScale.objects.filter(code=SCALE_CODE, is_current=True).first()
    if scale is None:
        return {}, {}
    cells = {(c.likelihood, c.impact): c.magnitude for c in RiskCell.objects.filter(scale=scale)}
    bands = {b.level: b for b in RiskBand.objects.filter(scale=scale)}
    return cells, bands


def risk_counts_by_cell(actor: Actor, *, residual: bool = False) -> dict[tuple[int, int], int]:
    x, y = ("residual_likelihood", "residual_impact") if residual else ("likelihood", "impact")
    rows = (
        risks_visible_to(actor).exclude(**{f"{x}__isnull": True}).values_list(x, y).annotate(n=Count("id")).order_by()
    )
    return {(lk, im): n for lk, im, n in rows}


# --- Security, audit, personal data -----------------------------------------------------------


def controls_visible_to(actor: Actor) -> QuerySet[SecurityControl]:
    return SecurityControl.objects.filter(scope_q(actor, perms.VIEW)).select_related("application", "agency")


def incidents_visible_to(actor: Actor) -> QuerySet[Incident]:
    return Incident.objects.filter(scope_q(actor, perms.VIEW)).select_related(
        "agency", "application", "data_centre", "reported_by"
    )


def incident_get(actor: Actor, pk: int) -> Incident:
    return incidents_visible_to(actor).get(pk=pk)


def audits_visible_to(actor: Actor) -> QuerySet[AuditEngagement]:
    return AuditEngagement.objects.filter(scope_q(actor, perms.VIEW, agency_field=None)).select_related("institution")


def audit_get(actor: Actor, pk: int) -> AuditEngagement:
    return audits_visible_to(actor).get(pk=pk)


def findings_visible_to(actor: Actor) -> QuerySet[AuditFinding]:
    return AuditFinding.objects.filter(scope_q(actor, perms.VIEW)).select_related(
        "engagement", "agency", "application", "risk"
    )


def finding_get(actor: Actor, pk: int) -> AuditFinding:
    return findings_visible_to(actor).get(pk=pk)


def processing_visible_to(actor: Actor) -> QuerySet[ProcessingActivity]:
    return ProcessingActivity.objects.filter(scope_q(actor, perms.VIEW)).select_related("application", "agency")


def processing_get(actor: Actor, pk: int) -> ProcessingActivity:
    return processing_visible_to(actor).get(pk=pk)


def dpos_visible_to(actor: Actor) -> QuerySet[DataProtectionOfficer]:
    return DataProtectionOfficer.objects.filter(scope_q(actor, perms.VIEW, agency_field=None)).select_related(
        "institution"
    )


def proposals_pending(actor: Actor) -> QuerySet[ServiceRequest]:
    return requests_visible_to(actor).filter(kind=RequestKind.NEW_APPLICATION, proposal__decision="")


def desk_widget_context(request: HttpRequest) -> dict[str, Any] | None:
    """The staff dashboard card: open requests, those past their SLA, proposals awaiting a decision."""
    counts = (
        requests_visible_to(request.user)
        .filter(status__in=[RequestStatus.FILED, RequestStatus.IN_PROGRESS])
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_on__lt=timezone.localdate())),
            proposals=Count("id", filter=Q(kind=RequestKind.NEW_APPLICATION)),
        )
    )
    return {"open_count": counts["open"], "overdue_count": counts["overdue"], "proposals_count": counts["proposals"]}
