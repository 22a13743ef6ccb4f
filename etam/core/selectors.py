"""Reads of organisations and people, already narrowed to what the actor may see.

Views and the API never build an unscoped queryset of these models: they call a
selector and, for a single object, ``get_object_or_404`` on the selector's queryset,
so an object outside the actor's scope is simply not found (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from etam.core.actors import Actor
from etam.core.models import Agency, Institution, OrgUnit, Region, RoleGrant, User
from etam.core.permissions import scope_q

VIEW_ORGANISATION = "core.view_organisation"
VIEW_STAFF = "core.view_staff"


def institutions_visible_to(actor: Actor, *, perm: str = VIEW_ORGANISATION) -> QuerySet[Institution]:
    """Instansi the actor may see: those granted instansi-wide, plus the instansi of a granted OPD."""
    via_agency = Agency.objects.filter(scope_q(actor, perm, institution_field=None, agency_field="id")).values(
        "institution_id"
    )
    return Institution.objects.filter(
        scope_q(actor, perm, institution_field="id", agency_field=None) | Q(pk__in=via_agency)
    )


def agencies_visible_to(actor: Actor | None, *, perm: str = VIEW_ORGANISATION) -> QuerySet[Agency]:
    return (
        Agency.objects.filter(scope_q(actor, perm, institution_field="institution_id", agency_field="id"))
        .select_related("institution")
        .order_by("institution__region_code", "code")
    )


def agency_list(
    actor: Actor | None,
    *,
    include_inactive: bool = True,
    public: bool = False,
    institution_id: int | None = None,
    region_code: str | None = None,
) -> QuerySet[Agency]:
    """The OPD list page: each OPD with its instansi and how many units it has. With
    ``public`` (the unauthenticated API): every OPD's public names and codes, no scope."""
    if public:
        return public_agencies(
            include_inactive=include_inactive, institution_id=institution_id, region_code=region_code
        )
    qs = agencies_visible_to(actor).annotate(unit_count=Count("units", distinct=True))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs


def units_visible_to(actor: Actor, *, perm: str = VIEW_ORGANISATION) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(
        scope_q(actor, perm, institution_field="agency__institution_id", agency_field="agency_id")
    ).select_related("agency", "agency__institution", "parent")


def users_visible_to(actor: Actor, *, perm: str = VIEW_STAFF) -> QuerySet[User]:
    """People the actor may see: themselves, and staff holding (or once holding) a grant in
    the actor's scope. Citizens see only their own account."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return User.objects.none()
    in_scope = RoleGrant.objects.filter(
        scope_q(actor, perm, institution_field="institution_id", agency_field="agency_id")
    ).values("user_id")
    return User.objects.filter(Q(pk=actor.pk) | Q(pk__in=in_scope))


def grants_visible_to(actor: Actor, *, perm: str = VIEW_STAFF) -> QuerySet[RoleGrant]:
    """Grants the actor may see: their own, and those inside their scope."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(
        Q(user_id=actor.pk) | scope_q(actor, perm, institution_field="institution_id", agency_field="agency_id")
    ).select_related("user", "institution", "agency", "granted_by", "revoked_by")


def staff_list(actor: Actor) -> QuerySet[User]:
    """The staff list page: staff the actor may see, each with the active grants the actor may see."""
    visible_grants = grants_visible_to(actor).filter(revoked_at__isnull=True).order_by("role", "id")
    return (
        users_visible_to(actor)
        .filter(kind=User.Kind.STAFF)
        .prefetch_related(Prefetch("role_grants", queryset=visible_grants, to_attr="visible_grants"))
        .order_by("full_name", "id")
    )


def own_active_grants(user: Any, *, order_by: tuple[str, ...] = ("id",)) -> QuerySet[RoleGrant]:
    """The user's own active role grants with their scope (the dashboard, /me, the token form)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return RoleGrant.objects.none()
    return (
        RoleGrant.objects.active()
        .filter(user=user)
        .select_related("institution", "agency", "agency__institution")
        .order_by(*order_by)
    )


# --- public reference data (the unauthenticated /api/v1/organisations and /regions) -------


def public_institutions() -> QuerySet[Institution]:
    return Institution.objects.order_by("region_code")


def public_agencies(
    *, include_inactive: bool = False, institution_id: int | None = None, region_code: str | None = None
) -> QuerySet[Agency]:
    """Every OPD (public names and codes only), optionally of one instansi or kode wilayah."""
    qs = Agency.objects.select_related("institution").order_by("institution__region_code", "code")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    if region_code is not None:
        qs = qs.filter(institution__region_code=region_code)
    return qs


def agency_exists(agency_id: int) -> bool:
    return Agency.objects.filter(pk=agency_id).exists()


def public_units(agency_id: int) -> list[Any]:
    return list(
        OrgUnit.objects.filter(agency_id=agency_id)
        .select_related("agency")
        .order_by("code")
        .values("id", "code", "name", "agency_id", "agency__code", "parent_id")
    )


def current_regions(*, parent: str | None = None, level: str | None = None) -> list[Any]:
    qs = Region.objects.current()
    if parent is not None:
        qs = qs.filter(parent_code=parent)
    if level is not None:
        qs = qs.filter(level=level)
    return list(qs.order_by("code").values("code", "name", "level", "kind", "parent_code"))


def current_region_exists(code: str) -> bool:
    return Region.objects.current().filter(code=code).exists()


def institutions_with_perm(actor: Actor, perm: str) -> QuerySet[Institution]:
    """Instansi where ``actor`` holds ``perm`` instansi-wide (choices of the create and grant forms)."""
    return Institution.objects.filter(scope_q(actor, perm, institution_field="id", agency_field=None))


def confirmed_totp_device(user: Actor) -> Any:
    """The user's confirmed authenticator (the first enrolled), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_confirmed_totp_device(user: Actor) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())  # django_otp is untyped


def active_user(pk: int) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first()
