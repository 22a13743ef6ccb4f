"""A cursor for the fixed SQL strings of hot paths: on PostgreSQL each statement is prepared
once per connection and then only executed (ADR 0169).

Django's PostgreSQL cursors bind parameters on the client and never prepare, so the server
parses and plans every statement anew. For the few statements that run on every API
submission (the token look-up, the service stamp, ``tracking.reserve`` and
``tracking.insert_together``) that planning was most of PostgreSQL's CPU per submission
(measured in ADR 0169). ``cursor()`` gives the same Django cursor wrapper as
``connection.cursor()`` — execute wrappers, the query log (``assertNumQueries``) and error
translation all see these statements — around psycopg's server-binding cursor, asked to
prepare every statement it runs. psycopg keeps the prepared statements per connection
(the 100 most recent) and drops them on ROLLBACK or DDL, re-preparing on next use.

Only for SQL that is a fixed string per process (model metadata, never data): each
distinct string is one prepared statement. Needs ``prepare_threshold`` not None in the
database OPTIONS (``config/settings.py``; Django's default cursors bind on the client and
still never prepare, so nothing else changes); with None it binds on the server but prepares
nothing. On SQLite it is an ordinary cursor.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

__all__ = ["cursor"]


def cursor() -> Any:
    """A Django cursor wrapper whose statements are prepared on PostgreSQL (use as
    ``with prepared.cursor() as c: c.execute(sql, params)``)."""
    db = connections[DEFAULT_DB_ALIAS]  # the proxy ``connection`` costs a lookup per attribute
    if db.vendor != "postgresql":
        return db.cursor()
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    # What ``connection.cursor()`` does (``BaseDatabaseWrapper._cursor`` and the backend's
    # ``create_cursor``), with the server-binding cursor class.
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = _cursor_class()(db.connection)
        tzloader = db.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if db.timezone != tzloader.timezone:
            register_tzloader(db.timezone, raw)
        db.validate_thread_sharing()
        return _Logged(raw, db) if db.queries_logged else db.make_cursor(raw)


class _Logged(CursorDebugWrapper):
    """The query log (``queries_logged``: DEBUG, ``assertNumQueries``) with the statement and
    its values, as for any other query: psycopg keeps no query text for an executed
    prepared statement, which the backend's ``last_executed_query`` would read."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        ops: Any = self.db.ops  # the PostgreSQL backend's (``compose_sql``: mogrify on the client)
        with self.debug_sql(ops.compose_sql(sql, params) if params else sql, params):
            return CursorWrapper.execute(self, sql, params)


@cache
def _cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):  # type: ignore[misc,valid-type]
        """Django's server-binding cursor, preparing every statement it executes."""

        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = True, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=prepare, **kwargs)  # type: ignore[misc]

    return PreparingCursor
