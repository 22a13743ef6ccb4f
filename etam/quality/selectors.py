"""Reads of the service-quality module, scoped to the actor (public reads: aggregates only)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from etam.core.actors import Actor
from etam.core.models import Agency, Institution, RoleGrant
from etam.core.permissions import scope_q
from etam.eservices.models import (
    Application,
    Service,
    ServiceVersion,
)  # quality → eservices: the services surveyed (pyproject)
from etam.quality import periods, permissions, privacy, scoring
from etam.quality.elements import minimum_sample
from etam.quality.models import (
    ANSWER_FIELDS,
    Complaint,
    FollowUpPlan,
    ServiceCharter,
    ServiceStandard,
    SurveyInvitation,
    SurveyResponse,
)

PROFILE_FIELDS = {
    "age_band": SurveyResponse.AgeBand,
    "sex": SurveyResponse.Sex,
    "education": SurveyResponse.Education,
    "occupation": SurveyResponse.Occupation,
}


def receipt_digest(receipt: str) -> str:
    return hashlib.sha256(receipt.strip().upper().encode()).hexdigest()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> SurveyInvitation | None:
    """The invitation of a survey link (anyone holding the link may answer it once)."""
    if not token or len(token) > 100:
        return None
    return SurveyInvitation.objects.select_related("service", "agency").filter(token_digest=token_digest(token)).first()


def invitation_for_applicant(actor: Actor, application_id: int) -> SurveyInvitation | None:
    """The invitation of the actor's own case; None for anyone else's case or a case without one."""
    if not getattr(actor, "is_authenticated", False):
        return None
    if not Application.objects.filter(pk=application_id, applicant_id=actor.pk).exists():
        return None
    return SurveyInvitation.objects.select_related("service", "agency").filter(application_id=application_id).first()


def open_invitation_exists(application_id: int) -> bool:
    """The case has a survey invitation not answered yet (system read for the case page link)."""
    return SurveyInvitation.objects.filter(application_id=application_id, used_at__isnull=True).exists()


_AGGREGATES = {
    **{f"s_{name}": Sum(name) for name in ANSWER_FIELDS},
    **{f"c_{name}": Count(name) for name in ANSWER_FIELDS},
}


@dataclass
class Report:
    period: str
    respondents: int
    result: scoring.Result | None
    too_few: bool
    population: int  # cases finished in the period with an invitation (users reached through Etam)
    minimum_sample: int
    profile: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    lowest: list[int] = field(default_factory=list)
    plans: dict[int, FollowUpPlan] = field(default_factory=dict)


def _result(row: Any) -> scoring.Result | None:
    respondents = row.get("n") or 0
    if not respondents or privacy.too_few(respondents):
        return None
    return scoring.score_sums(
        [row[f"s_{name}"] or 0 for name in ANSWER_FIELDS], [row[f"c_{name}"] for name in ANSWER_FIELDS], respondents
    )


def services_for_paper(actor: Actor) -> QuerySet[Service]:
    """Services whose paper questionnaires the actor may enter."""
    return (
        Service.objects.filter(scope_q(actor, permissions.ENTER_PAPER))
        .select_related("agency")
        .order_by("agency__name", "name")
    )


def service_for_paper(actor: Actor, service_id: int) -> Service | None:
    return services_for_paper(actor).filter(pk=service_id).first()


def agencies_for_report(actor: Actor) -> QuerySet[Agency]:
    return Agency.objects.filter(
        scope_q(actor, permissions.VIEW_REPORT, institution_field="institution_id", agency_field="id")
    ).order_by("name")


def agency_for_report(actor: Actor, agency_id: int) -> Agency | None:
    return agencies_for_report(actor).select_related("institution").filter(pk=agency_id).first()


def _in_period(qs: QuerySet[SurveyResponse], period: str) -> QuerySet[SurveyResponse]:
    span = periods.bounds(period)
    if span is None:
        return qs.none()
    return qs.filter(answered_on__range=span)


def survey_report(actor: Actor, *, agency: Agency, period: str, service_id: int | None = None) -> Report:
    """The OPD's report of a period: NRR per element, IKM and grade (or the warning), respondent
    profile with small counts suppressed, open comments, the lowest elements and their plans."""
    qs = _in_period(SurveyResponse.objects.filter(scope_q(actor, permissions.VIEW_REPORT), agency=agency), period)
    invitations = SurveyInvitation.objects.filter(agency=agency)
    if service_id:
        qs = qs.filter(service_id=service_id)
        invitations = invitations.filter(service_id=service_id)
    report = _build(qs, invitations, period)
    if report.result is not None:
        report.plans = {
            plan.element: plan
            for plan in FollowUpPlan.objects.filter(agency=agency, period=period, element__in=report.lowest)
        }
    return report


def _build(qs: QuerySet[SurveyResponse], invitations: QuerySet[SurveyInvitation], period: str) -> Report:
    row = qs.aggregate(n=Count("pk"), **_AGGREGATES)
    respondents = row["n"] or 0
    result = _result(row)
    span = periods.bounds(period)
    population = invitations.filter(created_at__date__range=span).count() if span else 0
    report = Report(
        period=period,
        respondents=respondents,
        result=result,
        too_few=result is None,
        population=population,
        minimum_sample=minimum_sample(population),
    )
    if result is None:
        return report
    for name, choices in PROFILE_FIELDS.items():
        counts = dict(qs.values_list(name).annotate(k=Count("pk")).values_list(name, "k"))
        report.profile[name] = [(str(label), privacy.count(counts.get(value, 0))) for value, label in choices.choices]
        report.profile[name].append(("–", privacy.count(counts.get("", 0))))
    report.comments = list(
        qs.exclude(comment="").order_by("-answered_on", "-pk").values_list("comment", flat=True)[:50]
    )
    report.lowest = scoring.lowest_elements(result.unsur)
    return report


def institutions_for_report(actor: Actor) -> QuerySet[Institution]:
    """Instansi whose roll-up the actor may read: instansi-scoped grants only (an OPD grant
    never reaches the other OPDs' figures)."""
    q = scope_q(actor, permissions.VIEW_INSTITUTION_REPORT, institution_field="id", agency_field=None)
    return Institution.objects.filter(q).order_by("name")


def institution_for_report(actor: Actor, institution_id: int) -> Institution | None:
    return institutions_for_report(actor).filter(pk=institution_id).first()


@dataclass(frozen=True)
class AgencyRow:
    agency: str
    respondents: int
    result: scoring.Result | None  # None: too few respondents for an index


def institution_report(actor: Actor, *, institution: Institution, period: str) -> tuple[Report, list[AgencyRow]]:
    """The instansi roll-up of a period: every OPD's responses pooled (NRR per element, IKM,
    grade, profile, lowest elements; no plans — those belong to each OPD), and one row per OPD
    with its own index, the same small-group rule applied to each."""
    q = scope_q(actor, permissions.VIEW_INSTITUTION_REPORT, agency_field=None)
    qs = _in_period(SurveyResponse.objects.filter(q, institution=institution), period)
    report = _build(qs, SurveyInvitation.objects.filter(institution=institution), period)
    names = dict(Agency.objects.filter(institution=institution).values_list("pk", "name"))
    rows = [
        AgencyRow(names.get(row["agency_id"], "?"), row["n"], _result(row))
        for row in qs.values("agency_id").annotate(n=Count("pk"), **_AGGREGATES).order_by("agency_id")
    ]
    rows.sort(key=lambda r: r.agency)
    return report, rows


@dataclass(frozen=True)
class PublicRow:
    service: str
    slug: str
    agency: str
    respondents: int
    result: scoring.Result | None


def public_results(period: str) -> list[PublicRow]:
    """Per service of the period: the index and grade, or none when too few answered (one query)."""
    rows = (
        _in_period(SurveyResponse.objects.all(), period)
        .values("service_id", "service__name", "service__slug", "agency__name")
        .annotate(n=Count("pk"), **_AGGREGATES)
        .order_by("agency__name", "service__name")
    )
    return [PublicRow(r["service__name"], r["service__slug"], r["agency__name"], r["n"], _result(r)) for r in rows]


def public_periods() -> list[str]:
    """Years with answers, newest first."""
    years = SurveyResponse.objects.dates("answered_on", "year", order="DESC")
    return [str(d.year) for d in years]


def may_plan(actor: Actor, agency: Agency) -> bool:
    from etam.core.permissions import has_perm

    return has_perm(actor, permissions.MANAGE_FOLLOWUP, agency)


def demo_services() -> QuerySet[Service]:
    """The published services, oldest first (the demo loader's system read)."""
    return Service.objects.filter(published_version__isnull=False).order_by("pk")


def yearly_service_rows() -> list[tuple[Any, ...]]:
    """Per service and year with at least the minimum respondents: (region code, year, OPD code,
    service slug, service name, respondents, IKM, grade) — the Satu Data system dataset's rows
    (system read; smaller groups are left out, ADR 0137)."""
    rows = (
        SurveyResponse.objects.order_by()
        .values("service_id", "answered_on__year")
        .annotate(n=Count("pk"), **_AGGREGATES)
        .order_by("answered_on__year", "service_id")
    )
    services = {
        s.pk: s
        for s in Service.objects.select_related("agency", "institution").only(
            "slug", "name", "agency__code", "institution__region_code"
        )
    }
    out = []
    for row in rows:
        result = _result(row)
        if result is None:
            continue
        service = services[row["service_id"]]
        out.append(
            (
                service.institution.region_code,
                row["answered_on__year"],
                service.agency.code,
                service.slug,
                service.name,
                row["n"],
                float(result.ikm),
                result.mutu,
            )
        )
    return out


@dataclass(frozen=True)
class ManagementFacts:
    agencies_surveyed: int
    agencies_with_index: int
    plans: int
    plans_moving: int  # in progress or done


def management_facts(institution_id: int, year: int) -> ManagementFacts:
    """How an instansi managed its satisfaction surveys in a year (system read for the
    evaluation suggestion): OPDs surveyed, OPDs with enough respondents, follow-up plans."""
    per_agency = (
        SurveyResponse.objects.filter(institution_id=institution_id, answered_on__year=year)
        .values("agency_id")
        .annotate(n=Count("pk"))
    )
    counts = [r["n"] for r in per_agency]
    plans = FollowUpPlan.objects.filter(institution_id=institution_id, period__startswith=str(year))
    return ManagementFacts(
        agencies_surveyed=len(counts),
        agencies_with_index=sum(1 for n in counts if not privacy.too_few(n)),
        plans=plans.count(),
        plans_moving=plans.exclude(status=FollowUpPlan.Status.PLANNED).count(),
    )


# --- standar pelayanan ------------------------------------------------------------------------


def public_service(slug: str) -> Service | None:
    """A service with a published version, by its address name (public)."""
    return (
        Service.objects.filter(slug=slug, published_version__isnull=False)
        .select_related("agency", "published_version")
        .first()
    )


def standard_for(service: Service, version: ServiceVersion | None = None) -> ServiceStandard | None:
    """The standard of ``version`` (default: the published one), else the latest earlier version's
    (carried over until the version's own is saved). A draft's texts never reach an earlier version."""
    version = version or service.published_version
    if version is None:
        return None
    rows = ServiceStandard.objects.filter(service=service).select_related("version")
    return (
        rows.filter(version_id=version.pk).first()
        or rows.filter(version__number__lt=version.number).order_by("-version__number").first()
    )


def standard_version(service: Service, number: int | None) -> ServiceVersion | None:
    """The version whose standard is edited: the draft or the published one (default); a superseded
    version is frozen with its standard."""
    if number is None:
        return service.published_version
    return ServiceVersion.objects.filter(
        service=service,
        number=number,
        status__in=[ServiceVersion.Status.DRAFT, ServiceVersion.Status.PUBLISHED],
    ).first()


def charter_for(agency_id: int) -> ServiceCharter | None:
    return ServiceCharter.objects.filter(agency_id=agency_id).first()


def charters_to_sign(actor: Actor) -> QuerySet[ServiceCharter]:
    """The maklumat of the OPDs ``actor`` signs for (penandatangan; ADR 0139)."""
    return (
        ServiceCharter.objects.filter(scope_q(actor, permissions.SIGN_CHARTER))
        .select_related("agency", "signed_by")
        .order_by("agency__name")
    )


def charter_to_sign(actor: Actor, charter_id: int) -> ServiceCharter | None:
    return charters_to_sign(actor).filter(pk=charter_id).first()


def services_for_standard(actor: Actor) -> QuerySet[Service]:
    return (
        Service.objects.filter(scope_q(actor, permissions.MANAGE_STANDARD), published_version__isnull=False)
        .select_related("agency", "published_version")
        .order_by("agency__name", "name")
    )


def service_for_standard(actor: Actor, service_id: int) -> Service | None:
    """One service of the actor's OPDs (also one with only a draft: its standard is written in the composer)."""
    return (
        Service.objects.filter(scope_q(actor, permissions.MANAGE_STANDARD), pk=service_id)
        .select_related("agency", "published_version")
        .first()
    )


# --- complaints ----------------------------------------------------------------------------------


def complaint_by_receipt(receipt: str) -> Complaint | None:
    """The complaint a receipt code follows (the code is the citizen's key; only its digest is stored)."""
    if not receipt or len(receipt) > 40:
        return None
    return Complaint.objects.select_related("service", "agency").filter(receipt_digest=receipt_digest(receipt)).first()


def complaint_targets() -> tuple[QuerySet[Service], QuerySet[Agency]]:
    """What a complaint may be about: the published services and the active OPDs (public)."""
    return (
        Service.objects.filter(published_version__isnull=False).select_related("agency").order_by("name"),
        Agency.objects.filter(is_active=True).select_related("institution").order_by("name"),
    )


def complaints_for(actor: Actor) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(scope_q(actor, permissions.HANDLE_COMPLAINT))
        .select_related("service", "agency")
        .order_by("state", "due_date", "pk")
    )


def complaint_handlers(agency_id: int) -> list[Any]:
    """The active people whose OPD-scoped role handles the OPD's complaints (petugas layanan,
    admin OPD): notified of a new one. Instansi-wide roles are not (they see the list)."""
    roles = [role for role, granted in permissions.ROLE_PERMISSIONS.items() if permissions.HANDLE_COMPLAINT in granted]
    grants = (
        RoleGrant.objects.active()
        .filter(role__in=roles, agency_id=agency_id, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    return list({grant.user_id: grant.user for grant in grants}.values())


def complaint_for(actor: Actor, complaint_id: int) -> Complaint | None:
    return complaints_for(actor).filter(pk=complaint_id).first()


def published_services(institution_id: int) -> list[Service]:
    """Active services of the instansi with a published version (system read for the evidence feed)."""
    return list(
        Service.objects.filter(
            institution_id=institution_id, status=Service.Status.ACTIVE, published_version__isnull=False
        ).order_by("name")
    )


def year_applications(institution_id: int, year: int) -> QuerySet[Application]:
    """Cases of the instansi submitted in ``year`` (system read; aggregated by eservices' statistics)."""
    return Application.objects.filter(institution_id=institution_id, submitted_at__year=year)


def sla_totals(applications: QuerySet[Application]) -> tuple[int, int]:
    """(cases closed and measured against the SLA, of which on time)."""
    row = applications.filter(closed_at__isnull=False, met_sla__isnull=False).aggregate(
        closed=Count("pk"), met=Count("pk", filter=Q(met_sla=True))
    )
    return row["closed"] or 0, row["met"] or 0
