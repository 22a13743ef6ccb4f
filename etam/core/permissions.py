"""The permission engine: which role may do what, and within which scope.

Every service checks ``require(actor, perm, scope)`` before it changes anything, and
every selector narrows its queryset with ``scope_q(actor, perm)``. Templates may hide
a button as a courtesy; they are never the check.

Scope rules:
- a super-admin grant covers everything;
- an instansi-scoped grant (walidata, koordinator SPBE, asesor, admin instansi) covers
  the instansi and every OPD in it;
- an OPD-scoped grant (petugas layanan, admin OPD, produsen data) covers that OPD only.

Modules add their own permissions with ``register_role_permissions`` from their
``AppConfig.ready``, so this file does not grow with every module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core.actors import Actor
from etam.core.models.people import Role, RoleGrant

_ROLE_PERMISSIONS: dict[str, set[str]] = defaultdict(set)

CORE_ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.INSTITUTION_ADMIN: {
        "core.view_organisation",
        "core.edit_institution",
        "core.manage_agency",
        "core.manage_unit",
        "core.manage_grants",
        "core.view_audit",
        "core.view_staff",
    },
    Role.AGENCY_ADMIN: {
        "core.view_organisation",
        "core.edit_agency",
        "core.manage_unit",
        "core.manage_grants",
        "core.view_audit",
        "core.view_staff",
    },
    Role.SERVICE_OFFICER: {"core.view_organisation"},
    Role.DATA_PRODUCER: {"core.view_organisation"},
    Role.DATA_STEWARD: {"core.view_organisation"},
    Role.SPBE_COORDINATOR: {"core.view_organisation", "core.view_staff"},
    Role.ASSESSOR: {"core.view_organisation"},
}


def register_role_permissions(mapping: Mapping[str, Iterable[str]]) -> None:
    for role, perms in mapping.items():
        _ROLE_PERMISSIONS[str(role)].update(perms)


def role_permissions(role: str) -> frozenset[str]:
    return frozenset(_ROLE_PERMISSIONS.get(str(role), ()))


class Scoped(Protocol):
    """Anything that knows which instansi/OPD it belongs to."""

    @property
    def scope_institution_id(self) -> int | None: ...

    @property
    def scope_agency_id(self) -> int | None: ...


@dataclass(frozen=True)
class Scope:
    institution_id: int | None
    agency_id: int | None = None

    @classmethod
    def of(cls, obj: Scoped) -> Scope:
        return cls(institution_id=obj.scope_institution_id, agency_id=obj.scope_agency_id)


def active_grants(user: Any) -> list[RoleGrant]:
    """The grants a request acts with. A token-authenticated request carries only the
    token's grants (set by the API auth as ``user._etam_token_grants``)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    token_grants = getattr(user, "_etam_token_grants", None)
    if token_grants is not None:
        return list(token_grants)
    cached = getattr(user, "_etam_grants_cache", None)
    if cached is None:
        cached = list(RoleGrant.objects.active().filter(user=user))
        user._etam_grants_cache = cached
    return list(cached)


def forget_cached_grants(user: Any) -> None:
    if hasattr(user, "_etam_grants_cache"):
        del user._etam_grants_cache


def _grant_covers(grant: RoleGrant, scope: Scope | None) -> bool:
    if grant.role == Role.SUPER_ADMIN:
        return True
    if scope is None:
        return False
    if grant.agency_id is not None:
        return scope.agency_id is not None and grant.agency_id == scope.agency_id
    return grant.institution_id is not None and grant.institution_id == scope.institution_id


def has_perm(user: Actor | None, perm: str, scope: Scope | Scoped | None = None) -> bool:
    """True if one of the user's active grants gives ``perm`` over ``scope``.

    ``scope=None`` asks "anywhere at all?" (e.g. whether to show a menu entry).
    """
    grants = [g for g in active_grants(user) if g.role == Role.SUPER_ADMIN or perm in role_permissions(g.role)]
    if scope is None:
        return bool(grants)
    resolved = scope if isinstance(scope, Scope) else Scope.of(scope)
    return any(_grant_covers(g, resolved) for g in grants)


def require(user: Actor | None, perm: str, scope: Scope | Scoped | None = None) -> None:
    if not has_perm(user, perm, scope):
        raise PermissionDenied(_("You do not have permission for this action."))


def scope_q(
    user: Actor | None,
    perm: str,
    *,
    institution_field: str | None = "institution_id",
    agency_field: str | None = "agency_id",
) -> Q:
    """A filter selecting the rows ``user`` may act on with ``perm``.

    Pass the lookups that reach the row's instansi and OPD ids. Rows with no OPD
    (instansi-level objects) are reachable only through instansi-scoped grants.
    Returns an always-false filter when nothing is granted.
    """
    nothing = Q(pk__in=[])
    grants = [g for g in active_grants(user) if g.role == Role.SUPER_ADMIN or perm in role_permissions(g.role)]
    if any(g.role == Role.SUPER_ADMIN for g in grants):
        # Not ``Q()``: an empty Q vanishes when combined (``Q(a) | Q()`` is ``Q(a)``), which
        # hid restricted rows from super admins wherever a selector ORs scope_q with a
        # public condition. A negated empty set is an always-true filter that survives ``|``.
        return ~nothing
    institution_ids = {g.institution_id for g in grants if g.agency_id is None and g.institution_id}
    agency_ids = {g.agency_id for g in grants if g.agency_id is not None}
    q = nothing
    if institution_ids and institution_field:
        q |= Q(**{f"{institution_field}__in": institution_ids})
    if agency_ids and agency_field:
        q |= Q(**{f"{agency_field}__in": agency_ids})
    return q


def grant_is_current(grant: RoleGrant) -> bool:
    return grant.revoked_at is None or grant.revoked_at > timezone.now()
