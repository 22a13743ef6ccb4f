"""Reads of the electronic-services module, already scoped to what the actor may see."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest
from django.utils import timezone

from etam.core.actors import Actor
from etam.core.bounds import parse_id
from etam.core.models import Agency, Institution
from etam.core.permissions import Scope, has_perm, scope_q
from etam.eservices import tracking
from etam.eservices.models import (
    Application,
    ApplicationEvent,
    Draft,
    IssuedDocument,
    Service,
    ServiceVersion,
    UploadedFile,
)
from etam.eservices.services import PERM_MANAGE, PERM_PROCESS, PERM_STATS, PERM_VIEW

# ======================================================================================
# Catalogue


@lru_cache(maxsize=1)
def text_search_config() -> str:
    """``indonesian`` when this PostgreSQL has it (it ships with PostgreSQL ≥ 12's
    snowball dictionaries), otherwise ``simple``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'indonesian'")
        return "indonesian" if cursor.fetchone() else "simple"


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(status=Service.Status.ACTIVE, published_version__isnull=False).select_related(
        "agency", "institution"
    )


SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "sinonim_pencarian.csv"


@lru_cache(maxsize=1)
def search_synonyms() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(phrase, terms) from ``data/sinonim_pencarian.csv`` (issue 15), longest phrase first."""
    with SYNONYMS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [
            (" ".join(row["kata"].lower().split()), tuple(t.strip() for t in row["istilah"].split("|") if t.strip()))
            for row in csv.DictReader(handle)
        ]
    return tuple(sorted((r for r in rows if r[0] and r[1]), key=lambda r: -len(r[0])))


def synonym_terms(q: str) -> list[str]:
    """The catalogue terms the everyday words in ``q`` stand for ("daftar sekolah" → PPDB)."""
    words = re.findall(r"[\w-]+", q.lower())
    text = f" {' '.join(words)} "
    terms: list[str] = []
    for phrase, mapped in search_synonyms():
        if f" {phrase} " in text:
            terms.extend(t for t in mapped if t not in terms)
    return terms


def search_services(qs: QuerySet[Service], q: str) -> QuerySet[Service]:
    """Full-text search in Bahasa Indonesia on PostgreSQL (stemmed: ``perizinan`` finds
    ``izin``), word-by-word substring match on SQLite. Either way a service also matches
    when it matches a synonym of the everyday words typed (``search_synonyms``)."""
    q = " ".join(q.split())[:200]
    if not q:
        return qs
    alternatives = synonym_terms(q)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        config = text_search_config()
        vector = (
            SearchVector("name", weight="A", config=config)
            + SearchVector("summary", "output_document", weight="B", config=config)
            + SearchVector("requirements", "eligibility", "agency__name", weight="C", config=config)
        )
        query = SearchQuery(q, config=config, search_type="websearch")
        by_name = Q(name__icontains=q)
        for term in alternatives:
            query = query | SearchQuery(term, config=config, search_type="phrase")
            by_name |= Q(name__icontains=term)
        # Match with @@ (``search=query``), rank only to order: ts_rank is above zero for a document that
        # shares any lexeme with a hyphenated or many-word query, so ``rank > 0`` matched nearly everything.
        return (
            qs.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(Q(search=query) | by_name)
            .order_by("-rank", "name")
        )
    matches = Q()
    for phrase in [q, *alternatives]:
        every_word = Q()
        for term in phrase.split():
            every_word &= (
                Q(name__icontains=term)
                | Q(summary__icontains=term)
                | Q(requirements__icontains=term)
                | Q(output_document__icontains=term)
                | Q(agency__name__icontains=term)
            )
        matches |= every_word
    return qs.filter(matches)


def catalogue(*, q: str = "", sector: str = "", institution: str = "", agency: str = "") -> QuerySet[Service]:
    qs = public_services()
    if sector:
        qs = qs.filter(sector=sector)
    if institution:
        qs = qs.filter(institution__region_code=institution)
    if agency and (agency_id := parse_id(agency)) is not None:
        qs = qs.filter(agency_id=agency_id)
    return search_services(qs, q)


def catalogue_filters(institution: str = "") -> tuple[QuerySet[Institution], QuerySet[Agency]]:
    """The instansi and OPD that have a public service (the catalogue's filter lists);
    OPD narrowed to the chosen instansi (kode wilayah)."""
    active = public_services()
    institutions = Institution.objects.filter(pk__in=active.values("institution_id")).order_by("region_code")
    agencies = Agency.objects.filter(pk__in=active.values("agency_id")).select_related("institution")
    if institution:
        agencies = agencies.filter(institution__region_code=institution)
    return institutions, agencies.order_by("institution__region_code", "name")


def service_by_slug(slug: str) -> Service:
    service = public_services().select_related("published_version").filter(slug=slug).first()
    if service is None:
        raise Http404
    return service


def completion_summary(service: Service) -> dict[str, Any]:
    """Public "selesai rata-rata N hari kerja" figure for a service."""
    from etam.eservices.stats import service_summary

    return service_summary(service)


# ======================================================================================
# Citizen


def applications_of(user: Any) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return Application.objects.filter(applicant=user).select_related("service", "version")


def application_of(user: Actor, tracking_number: str) -> Application:
    """The signed-in citizen's own case; anybody else's is a 404 (never a hint it exists)."""
    return _case_or_404(applications_of(user).select_related("agency__institution", "applicant"), tracking_number)


def _case_or_404(cases: QuerySet[Application], tracking_number: str) -> Application:
    application = cases.filter(tracking_number=tracking_number).first()
    if application is None:
        raise Http404
    return application


def drafts_of(user: Actor) -> QuerySet[Draft]:
    return Draft.objects.filter(user_id=getattr(user, "pk", None) or 0).select_related("service")


def public_events(application: Application) -> QuerySet[ApplicationEvent]:
    return application.events.filter(internal=False).order_by("at", "id")


def status_lookup(tracking_number: str, secret: str) -> Application | None:
    """Anonymous status: both the number and the receipt secret must match."""
    application = (
        Application.objects.select_related("service", "version")
        .filter(tracking_number=tracking_number.strip().upper())
        .first()
    )
    if application is None:
        tracking.secrets_match("0" * 64, tracking_number, secret)  # same work either way
        return None
    binding = tracking.secret_binding(application.applicant_id, application.request_digest)
    if not tracking.secrets_match(application.receipt_secret_digest, binding, secret):
        return None
    return application


# ======================================================================================
# Staff


def staff_applications(user: Actor, perm: str = PERM_VIEW) -> QuerySet[Application]:
    return Application.objects.filter(scope_q(user, perm, institution_field="institution_id", agency_field="agency_id"))


def application_for_staff(user: Actor, tracking_number: str, perm: str = PERM_VIEW) -> Application:
    cases = staff_applications(user, perm).select_related(
        "service", "version", "applicant", "agency__institution", "assigned_to"
    )
    return _case_or_404(cases, tracking_number)


def case_events(application: Application) -> QuerySet[ApplicationEvent]:
    """The whole timeline of a case, internal notes included (staff only)."""
    return application.events.order_by("at", "id")


@dataclass
class InboxFilters:
    state: str = ""
    service: str = ""
    assigned: str = ""  # "me" | "none" | ""
    q: str = ""
    show: str = "open"  # "open" | "closed" | "all"


def inbox(user: Any, filters: InboxFilters, *, today: date | None = None) -> QuerySet[Application]:
    """The officer's queue: their OPD's cases, overdue first, then by deadline."""
    today = today or timezone.localdate()
    qs = staff_applications(user, PERM_PROCESS).select_related("service", "version", "assigned_to")
    if filters.show == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif filters.show == "closed":
        qs = qs.filter(closed_at__isnull=False)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.service.isdigit():
        qs = qs.filter(service_id=int(filters.service))
    if filters.assigned == "me":
        qs = qs.filter(assigned_to=user)
    elif filters.assigned == "none":
        qs = qs.filter(assigned_to__isnull=True)
    if filters.q:
        term = filters.q.strip()[:100]
        qs = qs.filter(Q(tracking_number__icontains=term) | Q(holder_name__icontains=term))
    return qs.annotate(
        overdue=Case(
            When(closed_at__isnull=True, due_date__lt=today, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("overdue", "due_date", "submitted_at", "id")


def inbox_services(user: Actor) -> QuerySet[Service]:
    return Service.objects.filter(scope_q(user, PERM_PROCESS)).order_by("name")


def services_with_published(services: list[Service]) -> QuerySet[Service]:
    """The same services with their published version (its workflow names the states)."""
    return Service.objects.filter(pk__in=[s.pk for s in services]).select_related("published_version")


def user_by_id(raw: str) -> Any | None:
    """The user a staff form names by id (digits only), or None. Whether that user may
    take the case is the service's decision (``services.application_assign``)."""
    from etam.core.models import User

    user_id = parse_id(raw) if raw.isdigit() else None
    return User.objects.filter(pk=user_id).first() if user_id is not None else None


def officers_for(application: Application) -> list[Any]:
    from etam.core.models import Role, RoleGrant, User

    user_ids = (
        RoleGrant.objects.active()
        .filter(Q(agency_id=application.agency_id, role__in=[Role.SERVICE_OFFICER, Role.AGENCY_ADMIN]))
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("full_name"))


def inbox_widget_context(request: HttpRequest) -> dict[str, Any] | None:
    today = timezone.localdate()
    counts = (
        staff_applications(request.user, PERM_PROCESS)
        .filter(closed_at__isnull=True)
        .aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    )
    return {"open_count": counts["open"], "overdue_count": counts["overdue"]}


def managed_services(user: Actor) -> QuerySet[Service]:
    return (
        Service.objects.filter(scope_q(user, PERM_MANAGE))
        .select_related("agency", "institution", "published_version")
        .order_by("institution__region_code", "agency__code", "name")
    )


def manageable_agencies(user: Actor) -> QuerySet[Agency]:
    """OPD in which the user may manage services (the OPD choice of the service forms)."""
    return Agency.objects.filter(
        scope_q(user, PERM_MANAGE, institution_field="institution_id", agency_field="id")
    ).select_related("institution")


def managed_service(user: Actor, pk: int) -> Service:
    service = managed_services(user).filter(pk=pk).first()
    if service is None:
        raise Http404
    return service


def versions_of(service: Service) -> QuerySet[ServiceVersion]:
    """Every version of a service, newest first."""
    return service.versions.order_by("-number")


def version_of(service: Service, number: int) -> ServiceVersion | None:
    return service.versions.filter(number=number).first()


def draft_version(service: Service) -> ServiceVersion | None:
    """The newest draft version (what the composer edits), if any."""
    return service.versions.filter(status=ServiceVersion.Status.DRAFT).order_by("-number").first()


def statistics_scope(user: Actor) -> QuerySet[Application]:
    return Application.objects.filter(scope_q(user, PERM_STATS))


# ======================================================================================
# Files and documents


def may_see_files(user: Actor, application: Application) -> bool:
    """The applicant, or staff who may view the cases of the application's OPD."""
    if getattr(user, "is_authenticated", False) and user.pk == application.applicant_id:
        return True
    return has_perm(user, PERM_VIEW, Scope(application.institution_id, application.agency_id))


def application_with_files(user: Actor, tracking_number: str) -> Application:
    """A case whose files and document the user may download; anybody else gets a 404."""
    application = Application.objects.filter(tracking_number=tracking_number).first()
    if application is None or not may_see_files(user, application):
        raise Http404
    return application


def file_for(user: Actor, application: Application, file_id: int) -> UploadedFile:
    """A file attached to the case, only for a user who may see the case's files."""
    if not may_see_files(user, application):
        raise Http404
    upload = UploadedFile.objects.filter(pk=file_id, application=application).first()
    if upload is None:
        raise Http404
    return upload


def draft_file_for(user: Any, file_id: int) -> UploadedFile:
    upload = UploadedFile.objects.filter(pk=file_id, owner=user, application__isnull=True).first()
    if upload is None:
        raise Http404
    return upload


def document_by_code(code: str) -> IssuedDocument | None:
    return (
        IssuedDocument.objects.select_related("application__service", "application__agency__institution")
        .filter(code=code.strip().lower())
        .first()
    )


def document_of(application: Application) -> IssuedDocument | None:
    """The case's document in any status (staff page, revocation, the citizen's case page)."""
    return IssuedDocument.objects.filter(application=application).first()


def issued_document_of(application: Application) -> IssuedDocument | None:
    """The case's document once issued (what may be downloaded)."""
    return IssuedDocument.objects.filter(application=application, status=IssuedDocument.Status.ISSUED).first()


def documents_to_sign(user: Actor) -> QuerySet[IssuedDocument]:
    """Documents waiting for this official's signature (oldest first)."""
    return (
        IssuedDocument.objects.filter(signer_id=getattr(user, "pk", None), status=IssuedDocument.Status.TO_SIGN)
        .select_related("application__service", "application__agency")
        .order_by("created_at", "id")
    )


def case_page_stamp(application: Application) -> str:
    """What the citizen's case page shows that can change without the case row changing: its
    latest event (public or not) and its document's state. One query; with the row's own
    ``updated_at`` and state it keys the kept rendering of the page (docs/adr/0168)."""
    qn = connection.ops.quote_name
    events, documents = ApplicationEvent._meta, IssuedDocument._meta
    app_column = qn(events.get_field("application").column)
    doc_column = qn(documents.get_field("application").column)
    sql = (
        f"SELECT (SELECT MAX(id) FROM {qn(events.db_table)} WHERE {app_column} = %s), "  # noqa: S608 (names from model meta)
        f"(SELECT {qn('status')} || ':' || {qn('attempts')} || ':' || COALESCE(CAST({qn('revoked_at')} AS text), '') "
        f"FROM {qn(documents.db_table)} WHERE {doc_column} = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [application.pk, application.pk])
        last_event, document = cursor.fetchone()
    return f"{application.updated_at.isoformat()}|{application.state}|{last_event}|{document or ''}"
