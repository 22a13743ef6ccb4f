"""Who is calling the API: a bearer token (machine clients) or a signed-in browser session.

``require_auth`` is the Ninja ``auth=`` value for endpoints that need a caller;
public endpoints pass ``auth=None``. A token-authenticated request acts only with the
role grants attached to the token that are still active (``user._etam_token_grants``,
read by ``etam.core.permissions.active_grants``): revoking a grant, the token, or the
account stops the token at once. The token rule itself is ``etam.core.bearer``, shared with
the Satu Data and CKAN endpoints.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from etam.core import bearer

# Kept importable from here: the resolution itself is ``etam.core.bearer``.
LAST_USED_RESOLUTION_SECONDS = bearer.LAST_USED_RESOLUTION_SECONDS


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return bearer.authenticate(request, token)


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
