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

from etam.core import prepared
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
    # citizen's): the user of a usable token, and whether any of its grants is still
    # active. Only a token that carries active grants costs a second query for them.
    user = _load_token_user(hash_token(token))
    if user is None or not user.is_active:
        return None
    api_token = ApiToken(
        pk=user.etam_token_id,
        user=user,
        prefix=user.etam_token_prefix,
        name=user.etam_token_name,
        expires_at=user.etam_token_expires_at,
    )
    grants: list[RoleGrant] = []
    if user.etam_token_has_grants:
        grants = list(RoleGrant.objects.active().filter(api_tokens=api_token).select_related("institution", "agency"))
    user._etam_token_grants = grants
    user._etam_api_token = api_token
    if user.etam_token_stale:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
    return user, api_token


def authenticate(request: HttpRequest, token: str) -> Any:
    """The token's user (also set as ``request.user``), or None when the token is refused."""
    found = resolve(token)
    if found is None:
        return None
    request.user = found[0]
    return found[0]


_TOKEN_SQL: dict[str, str] = {}


def _token_sql() -> str:
    """The look-up as one fixed SQL string (model metadata only; built once per process
    and database vendor — code, not data, so nothing can go stale): the user's columns,
    loaded by ``User.objects.raw`` (the ORM's own conversions, public API), plus the
    token's id, prefix, name and expiry, ``EXISTS(active grant)`` and whether
    ``last_used_at`` is older than ``LAST_USED_RESOLUTION_SECONDS``. Revoked and expired
    tokens match no row (checked in SQL against the database clock). Same rows as
    ``ApiToken.objects.select_related("user").annotate(...)``, without compiling a
    queryset per request (≈2 ms of CPU on a loaded worker, ADR 0093)."""
    vendor = connection.vendor
    if vendor not in _TOKEN_SQL:
        qn = connection.ops.quote_name
        if vendor == "sqlite":  # datetimes are stored as ISO text in UTC
            now = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')"
            stale = f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-{LAST_USED_RESOLUTION_SECONDS} seconds')"
        else:
            now = "CURRENT_TIMESTAMP"
            stale = f"CURRENT_TIMESTAMP - INTERVAL '{LAST_USED_RESOLUTION_SECONDS} seconds'"
        token, grant = ApiToken._meta, RoleGrant._meta
        through = ApiToken.grants.through._meta
        grants: Any = token.get_field("grants")

        def column(meta: Any, name: str) -> str:
            return qn(str(meta.get_field(name).column))

        user_columns = ", ".join(f"u.{qn(str(f.column))}" for f in User._meta.concrete_fields)
        last_used = f"t.{column(token, 'last_used_at')}"
        expires = f"t.{column(token, 'expires_at')}"
        _TOKEN_SQL[vendor] = (
            f"SELECT {user_columns}, t.{column(token, 'id')} AS etam_token_id, "  # noqa: S608 (names from model metadata)
            f"t.{column(token, 'prefix')} AS etam_token_prefix, t.{column(token, 'name')} AS etam_token_name, "
            f"{expires} AS etam_token_expires_at, "
            f"EXISTS(SELECT 1 FROM {qn(grant.db_table)} g INNER JOIN {qn(through.db_table)} tg "
            f"ON g.{column(grant, 'id')} = tg.{qn(grants.m2m_reverse_name())} "
            f"WHERE tg.{qn(grants.m2m_column_name())} = t.{column(token, 'id')} "
            f"AND g.{column(grant, 'revoked_at')} IS NULL) AS etam_token_has_grants, "
            f"({last_used} IS NULL OR {last_used} < {stale}) AS etam_token_stale "
            f"FROM {qn(token.db_table)} t INNER JOIN {qn(User._meta.db_table)} u "
            f"ON u.{column(User._meta, 'id')} = t.{column(token, 'user')} "
            f"WHERE t.{column(token, 'key_hash')} = %s AND t.{column(token, 'revoked_at')} IS NULL "
            f"AND ({expires} IS NULL OR {expires} > {now})"
        )
    return _TOKEN_SQL[vendor]


def _load_token_user(key_hash: str) -> Any:
    """The token's user with ``etam_token_*`` attributes, or None (unknown, revoked or
    expired token).

    PostgreSQL: a prepared statement (``etam.core.prepared``, ADR 0169) and
    ``User.from_db`` on the row — psycopg loads these column types (integers, text,
    booleans, timestamps with time zone) as the ORM does, with no converter, which
    ``tests/api/test_tokens.py`` pins field by field. SQLite stores datetimes as text and
    needs the ORM's conversions: ``User.objects.raw``."""
    if connection.vendor != "postgresql":
        return next(iter(User.objects.raw(_token_sql(), [key_hash])), None)
    with prepared.cursor() as cursor:
        cursor.execute(_token_sql(), [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    fields = User._meta.concrete_fields
    user = User.from_db(connection.alias, [f.attname for f in fields], row[: len(fields)])
    for name, value in zip(_EXTRA_COLUMNS, row[len(fields) :], strict=True):
        setattr(user, name, value)
    return user


# The look-up's columns after the user's, in ``_token_sql``'s order.
_EXTRA_COLUMNS = (
    "etam_token_id",
    "etam_token_prefix",
    "etam_token_name",
    "etam_token_expires_at",
    "etam_token_has_grants",
    "etam_token_stale",
)
