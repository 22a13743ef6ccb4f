"""Who am I, and my API tokens: /api/v1/me, /api/v1/tokens."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from etam.api.auth import require_auth
from etam.api.errors import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from etam.core import selectors, tokens
from etam.core.models import RoleGrant
from etam.core.permissions import active_grants, role_permissions

router = Router(tags=["account"], auth=require_auth)


class ScopeRef(Schema):
    id: int
    name: str


class GrantOut(Schema):
    id: int
    role: str
    role_label: str
    institution: ScopeRef | None
    agency: ScopeRef | None
    permissions: list[str]


class TokenRef(Schema):
    id: int
    name: str
    prefix: str
    expires_at: datetime | None


class MeOut(Schema):
    id: int
    full_name: str
    email: str | None
    kind: str
    authenticated_by: str = Field(description="'token' or 'session'")
    token: TokenRef | None
    grants: list[GrantOut] = Field(description="The role grants this request acts with")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    grants: list[GrantOut]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    usable: bool


class TokenIn(Schema):
    name: str = Field(max_length=tokens.NAME_MAX_LENGTH, description="What the token is for")
    grant_ids: list[int] = Field(default_factory=list, description="Ids of role grants you hold (see /me)")
    expires_at: datetime | None = Field(default=None, description="ISO 8601 with time zone; empty: never")


class TokenCreatedOut(Schema):
    token: TokenOut
    key: str = Field(description="The secret key. Shown only in this answer: store it now.")


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def grant_out(grant: RoleGrant) -> dict[str, Any]:
    return {
        "id": grant.pk,
        "role": grant.role,
        "role_label": str(grant.get_role_display()),
        "institution": _ref(grant.institution),
        "agency": _ref(grant.agency),
        "permissions": sorted(role_permissions(grant.role)),
    }


def token_out(token: Any) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "grants": [grant_out(g) for g in token.grants.all()],
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "usable": token.is_usable(),
    }


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="Who am I, with the grants in effect")
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.auth  # type: ignore[attr-defined]
    api_token = getattr(user, "_etam_api_token", None)
    # A token's grants are already loaded with their scopes by TokenAuth.
    grants = list(active_grants(user) if api_token is not None else selectors.own_active_grants(user))
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "email": user.email,
        "kind": user.kind,
        "authenticated_by": "token" if api_token is not None else "session",
        "token": None
        if api_token is None
        else {
            "id": api_token.pk,
            "name": api_token.name,
            "prefix": api_token.prefix,
            "expires_at": api_token.expires_at,
        },
        "grants": [grant_out(g) for g in sorted(grants, key=lambda g: g.pk)],
    }


@router.get("/tokens", response={200: list[TokenOut], **AUTH_ERRORS}, summary="My API tokens")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [token_out(t) for t in tokens.api_tokens_for(request.auth)]  # type: ignore[attr-defined]


@router.post("/tokens", response={201: TokenCreatedOut, **COMMON_ERRORS}, summary="Issue an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    issued = tokens.api_token_create(
        actor=request.auth,  # type: ignore[attr-defined]
        name=payload.name,
        grants=payload.grant_ids,
        expires_at=payload.expires_at,
    )
    token = tokens.api_tokens_for(issued.token.user).get(pk=issued.token.pk)
    return Status(201, {"token": token_out(token), "key": issued.key})


@router.delete(
    "/tokens/{token_id}", response={204: None, **COMMON_ERRORS, 404: ErrorOut}, summary="Revoke an API token"
)
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = tokens.api_token_of(request.auth, token_id)  # type: ignore[attr-defined]
    tokens.api_token_revoke(actor=request.auth, token=token)  # type: ignore[attr-defined]
    return HttpResponse(status=204)
