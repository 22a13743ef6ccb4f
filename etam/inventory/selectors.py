"""Reads of the inventory, already narrowed to what the actor may see.

A view or API endpoint never builds an unscoped queryset: it calls one of these and,
for a single object, looks it up in the selector's queryset, so anything outside the
actor's scope is simply not found (404). Anonymous visitors see no application
(docs/adr/0031-no-public-application-register.md); village connectivity is public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from etam.core.actors import Actor
from etam.core.models import Agency, AuditEvent, Institution, Region
from etam.core.permissions import has_perm, scope_q
from etam.inventory import permissions as perms
from etam.inventory.models import (
    AccessPoint,
    Application,
    DataCentre,
    DuplicateFlag,
    DuplicateStatus,
    ImportBatch,
    NationalApplication,
    NetworkLink,
    ProgrammeTarget,
    VillageConnectivity,
)


@dataclass(frozen=True)
class ApplicationFilter:
    q: str = ""
    institution_id: int | None = None
    agency_id: int | None = None
    kind: str = ""
    lifecycle: str = ""
    hosting: str = ""
    national_application_id: int | None = None


def applications_visible_to(actor: Actor, *, perm: str = perms.VIEW_APPLICATION) -> QuerySet[Application]:
    return Application.objects.filter(scope_q(actor, perm)).select_related(
        "agency", "institution", "national_application", "data_centre"
    )


def application_list(actor: Actor, filters: ApplicationFilter | None = None) -> QuerySet[Application]:
    f = filters or ApplicationFilter()
    qs = applications_visible_to(actor)
    exact = ("institution_id", "agency_id", "kind", "lifecycle", "hosting", "national_application_id")
    qs = qs.filter(**{name: getattr(f, name) for name in exact if getattr(f, name)})
    for term in f.q.split()[:6]:
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(acronym__icontains=term)
            | Q(purpose__icontains=term)
            | Q(business_process_code__startswith=term)
        )
    return qs.order_by("name", "id")


def application_get(actor: Actor, pk: int, *, perm: str = perms.VIEW_APPLICATION) -> Application:
    """The application if the actor may see it (``Application.DoesNotExist`` otherwise)."""
    return applications_visible_to(actor, perm=perm).get(pk=pk)


def can_manage(actor: Actor, obj: Any, perm: str = perms.MANAGE_APPLICATION) -> bool:
    return has_perm(actor, perm, obj)


def application_history(app: Application, *, limit: int = 50) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="inventory.application", object_id=str(app.pk))
        .select_related("actor")
        .order_by("-id")[:limit]
    )


def agencies_manageable_by(actor: Actor | None, perm: str = perms.MANAGE_APPLICATION) -> QuerySet[Agency]:
    return (
        Agency.objects.filter(scope_q(actor, perm, institution_field="institution_id", agency_field="id"))
        .filter(is_active=True)
        .select_related("institution")
        .order_by("institution__region_code", "code")
    )


def agencies_visible_for_filter(actor: Actor) -> QuerySet[Agency]:
    return (
        Agency.objects.filter(
            scope_q(actor, perms.VIEW_APPLICATION, institution_field="institution_id", agency_field="id")
        )
        .select_related("institution")
        .order_by("institution__region_code", "code")
    )


def institutions_visible_to(actor: Actor, perm: str = perms.VIEW_APPLICATION) -> QuerySet[Institution]:
    via_agency = Agency.objects.filter(scope_q(actor, perm, institution_field=None, agency_field="id")).values(
        "institution_id"
    )
    return Institution.objects.filter(
        scope_q(actor, perm, institution_field="id", agency_field=None) | Q(pk__in=via_agency)
    ).order_by("region_code")


def national_applications(*, active_only: bool = False) -> QuerySet[NationalApplication]:
    """The national reference list is public reference data (names, owners, purposes)."""
    qs = NationalApplication.objects.all()
    return qs.filter(is_active=True) if active_only else qs


# --- Duplicate candidates ---------------------------------------------------------------


def duplicate_flags_visible_to(actor: Actor, *, status: str = "") -> QuerySet[DuplicateFlag]:
    """Flags touching at least one application the actor may see."""
    visible = scope_q(
        actor,
        perms.VIEW_APPLICATION,
        institution_field="application__institution_id",
        agency_field="application__agency_id",
    )
    visible_other = scope_q(
        actor, perms.VIEW_APPLICATION, institution_field="other__institution_id", agency_field="other__agency_id"
    )
    qs = DuplicateFlag.objects.filter(visible | visible_other).select_related(
        "application__agency__institution",
        "other__agency__institution",
        "national_application",
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-score", "id")


def duplicate_flag_get(actor: Actor, pk: int) -> DuplicateFlag:
    return duplicate_flags_visible_to(actor).get(pk=pk)


def rationalisation_report(actor: Actor) -> list[dict[str, Any]]:
    """Per instansi: applications, candidates by status, and an estimate of how many
    applications could go (one per confirmed/merge-planned pair; each application that
    duplicates a national Aplikasi Umum)."""
    rows: list[dict[str, Any]] = []
    for institution in institutions_visible_to(actor):
        apps = Application.objects.filter(institution=institution).exclude(lifecycle="dihentikan")
        flags = DuplicateFlag.objects.filter(Q(institution_a=institution) | Q(institution_b=institution))
        by_status = dict(flags.values_list("status").annotate(n=Count("id")).order_by())
        actionable = flags.filter(status__in=[DuplicateStatus.CONFIRMED, DuplicateStatus.MERGE_PLANNED])
        removable_apps: set[int] = set()
        for app_id, other_id, inst_b in actionable.values_list("application_id", "other_id", "institution_b_id"):
            # The application of this instansi that would go: for a pair inside the instansi
            # the later one; across instansi, this instansi's own.
            if other_id is None or inst_b == institution.pk:
                removable_apps.add(other_id or app_id)
            else:
                removable_apps.add(app_id)
        rows.append(
            {
                "institution": institution,
                "applications": apps.count(),
                "open": by_status.get(DuplicateStatus.OPEN, 0),
                "confirmed": by_status.get(DuplicateStatus.CONFIRMED, 0),
                "merge_planned": by_status.get(DuplicateStatus.MERGE_PLANNED, 0),
                "dismissed": by_status.get(DuplicateStatus.DISMISSED, 0),
                "national_duplicates": flags.filter(
                    national_application__isnull=False, status__in=[DuplicateStatus.OPEN, DuplicateStatus.CONFIRMED]
                ).count(),
                "estimated_removable": len(removable_apps),
            }
        )
    return rows


# --- Infrastructure ----------------------------------------------------------------------


def data_centres_visible_to(actor: Actor | None) -> QuerySet[DataCentre]:
    return (
        DataCentre.objects.filter(scope_q(actor, perms.VIEW_APPLICATION))
        .select_related("institution", "agency")
        .annotate(application_count=Count("applications"))
        .order_by("institution__region_code", "name")
    )


def network_links_visible_to(actor: Actor) -> QuerySet[NetworkLink]:
    return (
        NetworkLink.objects.filter(scope_q(actor, perms.VIEW_APPLICATION, agency_field=None))
        .select_related("institution", "data_centre")
        .order_by("institution__region_code", "name")
    )


# --- Village connectivity -----------------------------------------------------------------


def village_scope_q(actor: Actor, perm: str = perms.MANAGE_CONNECTIVITY) -> Q:
    """Villages inside the kode wilayah of the instansi the actor holds ``perm`` for."""
    from etam.core.permissions import active_grants, role_permissions

    grants = [g for g in active_grants(actor) if g.role == "super_admin" or perm in role_permissions(g.role)]
    if any(g.role == "super_admin" for g in grants):
        return Q()
    institution_ids = {g.institution_id for g in grants if g.agency_id is None and g.institution_id}
    q = Q(pk__in=[])
    for code in Institution.objects.filter(pk__in=institution_ids).values_list("region_code", flat=True):
        q |= Q(region_code__startswith=f"{code}.")
    return q


def villages_manageable_by(actor: Actor) -> QuerySet[VillageConnectivity]:
    return VillageConnectivity.objects.filter(village_scope_q(actor))


def village_list(
    actor: Actor, *, regency_code: str = "", district_code: str = "", q: str = "", coverage: str | None = None
) -> QuerySet[VillageConnectivity]:
    qs = villages_manageable_by(actor).annotate(
        active_points=Count("access_points", filter=Q(access_points__status=AccessPoint.Status.ACTIVE))
    )
    if regency_code:
        qs = qs.filter(regency_code=regency_code)
    if district_code:
        qs = qs.filter(district_code=district_code)
    if coverage is not None and coverage != "*":
        qs = qs.filter(coverage=coverage)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(region_code__startswith=q))
    return qs.order_by("region_code")


def region_names(level: str, prefix: str = "64") -> dict[str, str]:
    return dict(Region.objects.current().filter(level=level, code__startswith=prefix).values_list("code", "name"))


def programme_progress() -> list[dict[str, Any]]:
    """Per kab/kota: desa in the programme target, desa with an active programme access point."""
    targets = {t.regency_code: t for t in ProgrammeTarget.objects.all()}
    connected = dict(
        VillageConnectivity.objects.filter(
            is_kelurahan=False,
            access_points__programme=AccessPoint.Programme.INTERNET_DESA,
            access_points__status=AccessPoint.Status.ACTIVE,
        )
        .values_list("regency_code")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    names = region_names("kabupaten_kota")
    rows = []
    for code in sorted(set(names) | set(targets)):
        target = targets.get(code)
        target_n = target.target_villages if target else 0
        done = connected.get(code, 0)
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "target": target_n,
                "connected": done,
                "percent": round(100 * done / target_n) if target_n else None,
                "reported_connected": target.reported_connected if target else None,
                "reported_on": target.reported_on if target else None,
            }
        )
    return rows


def district_unserved_shares() -> dict[str, tuple[int, int]]:
    """Per kecamatan: (villages with neither cellular signal nor an active access point, villages)."""
    active = AccessPoint.objects.filter(village=OuterRef("pk"), status=AccessPoint.Status.ACTIVE)
    shares: dict[str, list[int]] = {}
    for district, coverage, has_point in (
        VillageConnectivity.objects.annotate(has_point=Exists(active))
        .values_list("district_code", "coverage", "has_point")
        .order_by()
    ):
        entry = shares.setdefault(district, [0, 0])
        entry[1] += 1
        if coverage == "tidak_ada" and not has_point:
            entry[0] += 1
    return {code: (v[0], v[1]) for code, v in shares.items()}


# ---------------------------------------------------------------------------- single lookups for pages and the API


def import_batch_for(actor: Actor, pk: int) -> ImportBatch:
    """A staged import is seen only by the person who uploaded it (others: 404)."""
    return get_object_or_404(ImportBatch, pk=pk, created_by=actor)


def national_application_for(actor: Actor, pk: int) -> NationalApplication:
    """The Aplikasi Umum list is reference data every staff member reads."""
    return get_object_or_404(NationalApplication, pk=pk)


def national_application_by_code(code: str) -> NationalApplication | None:
    return NationalApplication.objects.filter(code=code).first() if code else None


def public_villages(*, regency_code: str = "", district_code: str = "") -> QuerySet[Any]:
    """Village connectivity is public (ADR 0031): every village, annotated ``active`` (its
    active access points)."""
    qs = VillageConnectivity.objects.annotate(
        active=Count("access_points", filter=Q(access_points__status="aktif"))
    ).order_by("region_code")
    if regency_code:
        qs = qs.filter(regency_code=regency_code)
    if district_code:
        qs = qs.filter(district_code=district_code)
    return qs


def has_demo_villages() -> bool:
    return VillageConnectivity.objects.filter(is_demo=True).exists()
