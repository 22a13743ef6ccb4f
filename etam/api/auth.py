"""Who is calling the API: a bearer token (machine clients) or a signed-in browser session.

``require_auth`` is the Ninja ``auth=`` value for endpoints that need a caller;
public endpoints pass ``auth=None``. A token-authenticated request acts only with the
role grants attached to the token that are still active (``user._etam_token_grants``,
read by ``etam.core.permissions.active_grants``): revoking a grant, the token, or the
account stops the token at once.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from etam.core.models import ApiToken, RoleGrant, User
from etam.core.models.people import hash_token

# How often last_used_at is written (a write per request would make reads cost a write).
LAST_USED_RESOLUTION_SECONDS = 60


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token:
            return None
        # One round trip for the common case (a token without role grants, e.g. a
        # citizen's): the token, its user and whether any of its grants is still active.
        # Only a token that carries active grants costs a second query for them.
        api_token = _load_token(hash_token(token))
        if api_token is None or not api_token.is_usable() or not api_token.user.is_active:
            return None
        user = api_token.user
        grants: list[RoleGrant] = []
        if api_token.has_active_grants:  # type: ignore[attr-defined]
            grants = list(
                RoleGrant.objects.active().filter(api_tokens=api_token).select_related("institution", "agency")
            )
        user._etam_token_grants = grants  # type: ignore[attr-defined]
        user._etam_api_token = api_token  # type: ignore[attr-defined]
        now = timezone.now()
        if (
            api_token.last_used_at is None
            or (now - api_token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = user
        return user


def _load_token(key_hash: str) -> ApiToken | None:
    """The token, its user and whether any of its grants is still active, in one query
    (``has_active_grants``)."""
    active_grant = RoleGrant.objects.filter(api_tokens=OuterRef("pk"), revoked_at__isnull=True)
    return (
        ApiToken.objects.select_related("user")
        .annotate(has_active_grants=Exists(active_grant))
        .filter(key_hash=key_hash)
        .first()
    )


class SessionAuth(APIKeyCookie):
    """The browser's session cookie; CSRF-checked for unsafe methods by Ninja.

    It steps aside when the request carries an ``Authorization`` header (a machine client
    with a bad token must get 401, not a CSRF complaint) or no session cookie at all.
    """

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        if "Authorization" in request.headers or self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


require_auth = [TokenAuth(), SessionAuth()]
