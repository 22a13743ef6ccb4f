"""Free-form SQL (CKAN ``datastore_search_sql``): checking the statement with sqlglot and
running it in a capped child process (split out of ``query.py``, which re-exports these names;
docs/adr/0072-bounded-queries.md)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import sqlglot
from django.conf import settings
from django.utils.translation import gettext as _
from sqlglot import exp

from etam.opendata import parquetstore, sqlrunner
from etam.opendata.querybase import (
    QueryBusy,
    QueryError,
    QueryTimeout,
    Table,
    _literal,
    _memory_mb,
    _timeout,
    view_sql,
)

BLOCKED_FUNCTION_PREFIXES = (
    "read_",
    "glob",
    "getenv",
    "current_setting",
    "duckdb_",
    "pragma_",
    "sniff_",
    "parquet_",
    "query",
    "iceberg_",
    "delta_",
    "load",
    "install",
    "checkpoint",
    "enable_",
    "disable_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "http",
    "json_execute",
    "range",
    "generate_series",
)
REFUSED_NODES = (
    exp.Create,
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Drop,
    exp.Alter,
    exp.Set,
    exp.Command,
    exp.Pragma,
    exp.Copy,
    exp.Merge,
    exp.Use,
    exp.Describe,
    exp.Into,
)


def nesting_depth(sql: str) -> int:
    """How deep brackets nest, outside string literals, quoted names and comments; read in
    one pass before any parser sees the statement."""
    depth = deepest = 0
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"":
            end = sql.find(char, i + 1)
            while end != -1 and sql[end + 1 : end + 2] == char:  # doubled quote inside
                end = sql.find(char, end + 2)
            i = n if end == -1 else end + 1
            continue
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end == -1 else end + 1
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end == -1 else end + 2
            continue
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
        i += 1
    return deepest


def check_size(sql: str) -> None:
    """Length and bracket depth, before parsing: parsing time grows with both, and deep
    nesting exhausts the parser's recursion."""
    max_chars = int(getattr(settings, "OPENDATA_SQL_MAX_CHARS", 20_000))
    if len(sql) > max_chars:
        raise QueryError(
            _("sql: the statement has %(n)s characters; at most %(max)s are allowed.")
            % {"n": len(sql), "max": max_chars},
            "sql",
        )
    max_depth = int(getattr(settings, "OPENDATA_SQL_MAX_DEPTH", 32))
    if nesting_depth(sql) > max_depth:
        raise QueryError(
            _("sql: brackets are nested more than %(max)s levels deep.") % {"max": max_depth},
            "sql",
        )


def _too_deep() -> QueryError:
    return QueryError(
        _("sql: the statement is nested too deeply to be read (at most %(max)s levels).")
        % {"max": int(getattr(settings, "OPENDATA_SQL_MAX_DEPTH", 32))},
        "sql",
    )


def check_sql(sql: str) -> tuple[exp.Expression, set[str]]:
    """Parse with sqlglot; accept one SELECT; return it and the table names it reads."""
    if not sql or not sql.strip():
        raise QueryError(_("sql: give a SELECT statement."), "sql")
    check_size(sql)
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.SqlglotError as exc:
        raise QueryError(
            _("sql: cannot parse the statement (%(detail)s).") % {"detail": str(exc)[:200]}, "sql"
        ) from exc
    except RecursionError as exc:  # e.g. thousands of NOT or CASE without brackets
        raise _too_deep() from exc
    if len(statements) != 1:
        raise QueryError(_("sql: exactly one statement is allowed."), "sql")
    tree = statements[0]
    if not isinstance(tree, exp.Select | exp.Union | exp.Intersect | exp.Except):
        raise QueryError(_("sql: only SELECT is allowed."), "sql")
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    tables: set[str] = set()
    for node in tree.walk():
        if isinstance(node, REFUSED_NODES):
            raise QueryError(_("sql: only SELECT is allowed."), "sql")
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name.startswith(BLOCKED_FUNCTION_PREFIXES):
                raise QueryError(_("sql: the function %(name)s is not allowed.") % {"name": name}, "sql")
        if isinstance(node, exp.Table):
            if not isinstance(node.this, exp.Identifier) or node.args.get("db") or node.args.get("catalog"):
                raise QueryError(_("sql: only published resources may be read, by their resource id."), "sql")
            if node.name not in cte_names:
                tables.add(node.name)
    if not tables:
        raise QueryError(_("sql: the query must read at least one published resource."), "sql")
    return tree, tables


def _sql_setup(tables: Sequence[Table]) -> list[str]:
    """What ``connection(tables, views=True)`` does, as statements for the SQL child process.
    The child holds no storage credentials, so a table in the bucket is read from its local
    read-through copy (``parquetstore.localise``)."""
    tables = [dataclasses.replace(t, path=parquetstore.localise(t.path)) for t in tables]
    paths = ", ".join(_literal(t.path) for t in tables)
    return [
        *(view_sql(table) for table in tables),
        f"SET allowed_paths = [{paths}]",
        "SET enable_external_access = false",
        "SET lock_configuration = true",
    ]


_SQL_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SQL_SLOTS_LOCK = threading.Lock()


def _sql_slots() -> threading.BoundedSemaphore:
    """The process-wide cap on capped SQL children running at once (``OPENDATA_SQL_CONCURRENCY``):
    each may use ``OPENDATA_SQL_PROCESS_MEMORY_MB``, so without it N concurrent requests could
    use N times that."""
    size = int(getattr(settings, "OPENDATA_SQL_CONCURRENCY", 2))
    with _SQL_SLOTS_LOCK:
        slots = _SQL_SLOTS.get(size)
        if slots is None:
            slots = _SQL_SLOTS[size] = threading.BoundedSemaphore(size)
        return slots


def run_sql(
    sql: str,
    resolve: Callable[[set[str]], dict[str, Table]],
    *,
    row_limit: int,
    timeout: float | None = None,
) -> dict[str, Any]:
    """CKAN ``datastore_search_sql``: one checked SELECT over published resources.

    One time limit covers checking, parsing and running. Parsing cannot be interrupted, so
    its cost is bounded by the length and depth caps (``check_size``) and what it took is
    taken off the time DuckDB gets. The statement runs in a capped child process
    (``sqlrunner``); the result is cut at ``row_limit`` rows (``records_truncated``, as
    CKAN does) and refused beyond ``OPENDATA_SQL_BYTES_MAX`` bytes of JSON."""
    started = time.monotonic()
    budget = timeout or _timeout()
    tree, names = check_sql(sql)
    tables = resolve(names)
    unknown = sorted(names - set(tables))
    if unknown:
        raise QueryError(
            _("sql: %(names)s is not a published resource you may read.") % {"names": ", ".join(unknown)}, "sql"
        )
    try:
        checked = tree.sql(dialect="duckdb")
    except RecursionError as exc:
        raise _too_deep() from exc
    wrapped = f"SELECT * FROM ({checked}) AS etam_q LIMIT {int(row_limit) + 1}"  # noqa: S608 (identifiers checked and quoted)
    left = budget - (time.monotonic() - started)
    if left <= 0:
        raise QueryTimeout(_("The query took longer than %(s)s seconds.") % {"s": budget}, "sql")
    process_mb = int(getattr(settings, "OPENDATA_SQL_PROCESS_MEMORY_MB", 512))
    max_bytes = int(getattr(settings, "OPENDATA_SQL_BYTES_MAX", 10_000_000))
    limits = sqlrunner.Limits(
        timeout=left,
        process_bytes=process_mb * 1024 * 1024,
        duckdb_mb=min(_memory_mb(), process_mb // 2),
        threads=int(getattr(settings, "OPENDATA_DUCKDB_THREADS", 2)),
        rows=int(row_limit),
        bytes=max_bytes,
    )
    slots = _sql_slots()
    waited = time.monotonic()
    if not slots.acquire(timeout=left):
        raise QueryBusy(
            _("sql: %(n)s queries are already running; try again in a few seconds.")
            % {"n": int(getattr(settings, "OPENDATA_SQL_CONCURRENCY", 2))},
            retry_after=max(1, round(budget)),
        )
    try:
        left -= time.monotonic() - waited
        if left <= 0:
            raise QueryTimeout(_("The query took longer than %(s)s seconds.") % {"s": budget}, "sql")
        limits = dataclasses.replace(limits, timeout=left)
        outcome = sqlrunner.run(_sql_setup(list(tables.values())), wrapped, limits)
    finally:
        slots.release()
    if outcome.kind == "timeout":
        raise QueryTimeout(_("The query took longer than %(s)s seconds.") % {"s": budget}, "sql")
    if outcome.kind == "memory":
        raise QueryError(
            _("sql: the query needs more than the %(mb)s MB of memory a query may use; narrow it down.")
            % {"mb": process_mb},
            "sql",
        )
    if outcome.kind == "bytes":
        raise QueryError(
            _("sql: the result is larger than %(mb)s MB (%(bytes)s bytes of JSON); select fewer columns or rows.")
            % {"mb": round(max_bytes / 1_000_000, 1), "bytes": max_bytes},
            "sql",
        )
    if outcome.kind == "error":
        raise QueryError(_("sql: %(detail)s") % {"detail": outcome.detail}, "sql")
    return {
        "records": list(outcome.records),
        "fields": [{"id": n} for n in outcome.names],
        "sql": sql,
        "records_truncated": outcome.truncated,
    }
