"""One resolver of an API token to its (user, token): the bearer-token rule every API uses.

``/api/v1/`` (``etam.api.auth.TokenAuth``), the Satu Data endpoints and the CKAN actions
(``etam.opendata``) all call ``authenticate``; the header parsing differs only in what
each accepts (CKAN clients may send the raw token without ``Bearer``), which
``header_token`` takes as a flag. A token is refused when unknown, expired, revoked or
when its owner is inactive. The user it returns acts only with the token's role grants
that are still active (``user._etam_token_grants``, read by
``etam.core.permissions.active_grants``): revoking a grant, the token, or the account
stops the token at once (ADR 0005).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from etam.core.models import ApiToken, RoleGrant, User
from etam.core.models.people import hash_token

__all__ = ["LAST_USED_RESOLUTION_SECONDS", "authenticate", "header_token", "resolve"]

# How often last_used_at is written (a write per request would make reads cost a write).
LAST_USED_RESOLUTION_SECONDS = 60


def header_token(request: HttpRequest, *, allow_raw: bool = False) -> str | None:
    """The token of the ``Authorization`` header, or None when no token is offered.

    ``Bearer <token>`` (any case); with ``allow_raw`` a header without the scheme is the
    token itself (CKAN clients). An offered but empty token is ``""`` (refused, not ignored).
    """
    header = request.headers.get("Authorization", "").lstrip()
    if header.lower().startswith("bearer "):
        return header.split(" ", 1)[1].strip()
    if allow_raw and header.strip():
        return header.strip()
    return None


def resolve(token: str) -> tuple[Any, ApiToken] | None:
    """(user, token) for a usable token of an active account, else None. The user carries
    the token's still-active grants; ``last_used_at`` is written at most once a minute."""
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
        grants = list(RoleGrant.objects.active().filter(api_tokens=api_token).select_related("institution", "agency"))
    user._etam_token_grants = grants  # type: ignore[attr-defined]
    user._etam_api_token = api_token  # type: ignore[attr-defined]
    now = timezone.now()
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return user, api_token


def authenticate(request: HttpRequest, token: str) -> Any:
    """The token's user (also set as ``request.user``), or None when the token is refused."""
    found = resolve(token)
    if found is None:
        return None
    request.user = found[0]
    return found[0]


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
