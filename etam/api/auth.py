"""Who is calling the API: a signed-in browser session or a bearer token.

``require_auth`` is the Ninja ``auth=`` value for endpoints that need a caller;
public endpoints pass ``auth=None``. A token-authenticated request acts only with the
role grants attached to the token (``user._etam_token_grants``), see
``etam.core.permissions.active_grants``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from etam.core.models import ApiToken
from etam.core.models.people import hash_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = (
            ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first() if token else None
        )
        if api_token is None or not api_token.is_usable() or not api_token.user.is_active:
            return None
        user = api_token.user
        user._etam_token_grants = list(api_token.grants.filter(revoked_at__isnull=True))  # type: ignore[attr-defined]
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session cookie; CSRF-checked for unsafe methods by Ninja."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


require_auth = [TokenAuth(), SessionAuth()]
