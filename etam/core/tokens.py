"""API tokens for machine clients: issue (the raw key is shown once) and revoke.

Only a hash and a short prefix of each key are stored. A token carries a subset of the
role grants its owner holds *at the moment of issuing* (and, if the owner is itself
acting through a token, a subset of that token's grants: a token cannot mint a wider
one). At use, only the token's grants that are still active count (etam.api.auth).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, changes
from etam.core.actors import Actor, Person
from etam.core.models import ApiToken, RoleGrant
from etam.core.models.people import hash_token
from etam.core.permissions import active_grants
from etam.core.services._common import FieldErrors, is_super_admin, require_authenticated

KEY_PREFIX = "etam_"
PREFIX_LENGTH = 12  # "etam_" + 7 random characters: enough to tell tokens apart in lists and logs
NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # the only time the raw key exists outside the client


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _grant_id(grant: RoleGrant | int | str) -> int | None:
    if isinstance(grant, RoleGrant):
        return grant.pk
    try:
        return int(grant)
    except (TypeError, ValueError):
        return None


def _summary(token: ApiToken, grant_ids: Iterable[int]) -> dict[str, Any]:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "owner": token.user_id,
        "grants": sorted(grant_ids),
        "expires_at": token.expires_at,
    }


def api_token_create(
    *, actor: Person, name: str, grants: Iterable[RoleGrant | int | str], expires_at: datetime | None = None
) -> IssuedToken:
    """Issue a token for ``actor`` acting with ``grants`` (a subset of what the actor holds)."""
    require_authenticated(actor)
    errors = FieldErrors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("Name: required, e.g. “Sinkronisasi Satu Data”."), "required")
    elif len(name) > NAME_MAX_LENGTH:
        errors.add(
            "name",
            _("Name: at most %(max)s characters (you typed %(length)s)."),
            "max_length",
            {"max": NAME_MAX_LENGTH, "length": len(name)},
        )
    held = {g.pk: g for g in active_grants(actor)}
    requested = [_grant_id(g) for g in grants]
    unknown = sorted({str(g) for g, gid in zip(grants, requested, strict=False) if gid is None})
    not_held = sorted({gid for gid in requested if gid is not None and gid not in held})
    if unknown or not_held:
        errors.add(
            "grants",
            _("Grants: a token may only carry role grants you hold now (not held: %(ids)s)."),
            "not_held",
            {"ids": ", ".join([*unknown, *map(str, not_held)])},
        )
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            errors.add(
                "expires_at", _("Expires at: give a time zone, e.g. 2026-06-30T17:00:00+08:00."), "naive_datetime"
            )
        elif expires_at <= timezone.now():
            errors.add("expires_at", _("Expires at: must be in the future."), "in_past")
    errors.raise_if_any()
    chosen = sorted({gid for gid in requested if gid is not None})
    with transaction.atomic():
        key = _new_key()
        while ApiToken.objects.filter(prefix=key[:PREFIX_LENGTH]).exists():  # pragma: no cover - 1 in 64**7
            key = _new_key()
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=key[:PREFIX_LENGTH],
            key_hash=hash_token(key),
            expires_at=expires_at,
        )
        token.grants.set([held[gid] for gid in chosen])
        audit.record(actor=actor, action="core.api_token_create", target=token, after=_summary(token, chosen))
    return IssuedToken(token=token, key=key)


def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner or a super admin may. Revoking twice changes nothing."""
    require_authenticated(actor)
    if token.user_id != actor.pk and not is_super_admin(actor):
        raise PermissionDenied(_("You may only revoke your own API tokens."))
    with transaction.atomic():
        locked, revoked = changes.revoke_once(token)
        if revoked:
            audit.record(
                actor=actor,
                action="core.api_token_revoke",
                target=locked,
                before={"revoked_at": None},
                after={"revoked_at": locked.revoked_at},
            )
    token.revoked_at = locked.revoked_at
    return token


# --- selectors ------------------------------------------------------------------------


def api_tokens_for(actor: Person) -> QuerySet[ApiToken]:
    """The actor's own tokens, newest first, grants (with their scope names) prefetched."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ApiToken.objects.none()
    return (
        ApiToken.objects.filter(user=actor)
        .prefetch_related(
            Prefetch("grants", queryset=RoleGrant.objects.select_related("institution", "agency").order_by("id"))
        )
        .order_by("-created_at", "-id")
    )


def api_token_of(actor: Person, token_id: int) -> ApiToken:
    """One token the actor may manage (own; any for the super admin); 404 otherwise."""
    from django.http import Http404

    queryset = ApiToken.objects.all() if is_super_admin(actor) else api_tokens_for(actor)
    token = queryset.filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token
