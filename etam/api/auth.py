"""Who is calling the API: a bearer token (machine clients) or a signed-in browser session.

``require_auth`` is the Ninja ``auth=`` value for endpoints that need a caller;
public endpoints pass ``auth=None``. A token-authenticated request acts only with the
role grants attached to the token that are still active (``user._etam_token_grants``,
read by ``etam.core.permissions.active_grants``): revoking a grant, the token, or the
account stops the token at once.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
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


_TOKEN_SQL: str | None = None


def _token_sql() -> str:
    """The token look-up as one fixed SQL string (built once per process from the models'
    metadata): token columns, user columns, ``EXISTS(active grant)``. It is the same query
    as ``ApiToken.objects.select_related("user").annotate(has_active_grants=Exists(...))
    .filter(key_hash=...)``, without compiling that queryset on every request (≈1 ms of
    CPU, most of a small API request's own work)."""
    global _TOKEN_SQL
    if _TOKEN_SQL is None:
        qn = connection.ops.quote_name
        through = ApiToken.grants.through._meta
        token_field = ApiToken._meta.get_field("grants")
        token_columns = ", ".join(f"t.{qn(str(f.column))}" for f in ApiToken._meta.concrete_fields)
        user_columns = ", ".join(f"u.{qn(str(f.column))}" for f in User._meta.concrete_fields)
        _TOKEN_SQL = (
            f"SELECT {token_columns}, {user_columns}, EXISTS("  # noqa: S608 (names from model metadata)
            f"SELECT 1 FROM {qn(RoleGrant._meta.db_table)} g INNER JOIN {qn(through.db_table)} tg "
            f"ON g.{qn(str(RoleGrant._meta.pk.column))} = tg.{qn(token_field.m2m_reverse_name())} "  # type: ignore[attr-defined]
            f"WHERE tg.{qn(token_field.m2m_column_name())} = t.{qn(str(ApiToken._meta.pk.column))} "  # type: ignore[attr-defined]
            f"AND g.{qn('revoked_at')} IS NULL) "
            f"FROM {qn(ApiToken._meta.db_table)} t INNER JOIN {qn(User._meta.db_table)} u "
            f"ON u.{qn(str(User._meta.pk.column))} = t.{qn(str(ApiToken._meta.get_field('user').column))} "
            f"WHERE t.{qn(str(ApiToken._meta.get_field('key_hash').column))} = %s"
        )
    return _TOKEN_SQL


_CONVERTERS: dict[str, list[tuple[int, Any, list[Any]]]] = {}


def _converters() -> list[tuple[int, Any, list[Any]]]:
    """The database-value converters of each selected column (as the ORM applies them,
    e.g. SQLite's text → datetime), worked out once per process and database vendor."""
    if connection.vendor not in _CONVERTERS:
        found = []
        fields = (*ApiToken._meta.concrete_fields, *User._meta.concrete_fields)
        for index, field in enumerate(fields):
            column = field.get_col(field.model._meta.db_table)
            converters = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
            if converters:
                found.append((index, column, converters))
        _CONVERTERS[connection.vendor] = found
    return _CONVERTERS[connection.vendor]


def _load_token(key_hash: str) -> ApiToken | None:
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    token_fields = ApiToken._meta.concrete_fields
    user_fields = User._meta.concrete_fields
    values = list(row)
    for index, column, converters in _converters():
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    n = len(token_fields)
    api_token = ApiToken.from_db(connection.alias, [f.attname for f in token_fields], values[:n])
    user = User.from_db(connection.alias, [f.attname for f in user_fields], values[n : n + len(user_fields)])
    api_token.user = user
    api_token.has_active_grants = bool(values[-1])  # type: ignore[attr-defined]
    return api_token


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
