"""Reading published tables with DuckDB: row search, keyset pages, aggregates, read-only SQL.

Every query opens its own in-memory DuckDB connection, allowed to read only the Parquet
files it needs (``allowed_paths`` + ``enable_external_access=false`` +
``lock_configuration``), runs under a time limit, and is closed. No state survives a
request, so any web process (or a reader next to object storage) can serve any query
(docs/adr/0042-duckdb-stateless-readers.md).

Identifiers are never interpolated from input: column names are checked against the
table's own columns and quoted; values are bound parameters.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import sqlglot
from django.conf import settings
from django.utils.translation import gettext as _
from sqlglot import exp

from etam.opendata import sqlrunner
from etam.opendata.sqlrunner import json_value

ROW_ID = "_id"
AGGREGATES = ("count", "sum", "avg", "min", "max")
CKAN_TYPES = {"string": "text", "integer": "int", "number": "numeric", "boolean": "bool", "date": "date", "year": "int"}


class QueryError(Exception):
    """Bad input to a query; ``field`` names the parameter at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class QueryTimeout(QueryError):
    pass


class QueryBusy(QueryError):
    """Every free-form SQL slot of this process stayed taken for the query's whole time limit."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, "sql")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Table:
    resource_id: str
    path: str
    columns: tuple[tuple[str, str], ...]  # (name, Table Schema type), without _id
    row_count: int

    @property
    def names(self) -> list[str]:
        return [name for name, _t in self.columns]

    def type_of(self, name: str) -> str:
        if name == ROW_ID:
            return "integer"
        for column, kind in self.columns:
            if column == name:
                return kind
        raise KeyError(name)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _timeout() -> float:
    return float(getattr(settings, "OPENDATA_QUERY_TIMEOUT", 5.0))


def _config() -> dict[str, Any]:
    """Every DuckDB database Etam opens: a thread cap, a memory limit, no spilling to disk
    (an in-memory database would otherwise spill into ``.tmp`` under the working directory)."""
    return {
        "threads": int(getattr(settings, "OPENDATA_DUCKDB_THREADS", 2)),
        "memory_limit": f"{_memory_mb()}MB",
        "temp_directory": "",
    }


def _memory_mb() -> int:
    return int(getattr(settings, "OPENDATA_DUCKDB_MEMORY_MB", 256))


_BASE: dict[str, duckdb.DuckDBPyConnection] = {}


def _base(root: str) -> duckdb.DuckDBPyConnection:
    """One empty in-memory DuckDB database per process, locked to read Parquet under ``root``.

    Structured queries (search, pages, aggregates), whose SQL Etam builds itself, take a
    fresh cursor on it: no file outside ``root`` can be read, no setting changed, and
    nothing but immutable Parquet footers (``parquet_metadata_cache``) is kept between
    requests. Free-form SQL gets a connection of its own (``connection(views=True)``).
    """
    con = _BASE.get(root)
    if con is None:
        con = duckdb.connect(":memory:", config=_config())
        con.execute(f"SET allowed_directories = [{_literal(root)}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET parquet_metadata_cache = true")
        con.execute("SET lock_configuration = true")
        _BASE[root] = con
    return con


@contextmanager
def cursor(tables: Sequence[Table]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor for Etam-built SQL over ``tables`` (all under one storage root)."""
    roots = {os.path.dirname(os.path.dirname(os.path.dirname(t.path))) for t in tables}
    if len(roots) != 1:
        with connection(tables) as con:
            yield con
        return
    cur = _base(roots.pop()).cursor()
    try:
        yield cur
    finally:
        cur.close()


@contextmanager
def connection(tables: Sequence[Table], *, views: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh, locked-down connection that may read only ``tables``' files."""
    con = duckdb.connect(":memory:", config=_config())
    try:
        if views:
            for table in tables:
                con.execute(view_sql(table))
        paths = ", ".join(_literal(t.path) for t in tables)
        con.execute(f"SET allowed_paths = [{paths}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        yield con
    finally:
        con.close()


def view_sql(table: Table) -> str:
    """The view free-form SQL reads a resource through: ``_id`` and the table's own
    columns, never ``*``. A ``Table`` holds only the columns its reader may see
    (``selectors.table_for``), so a column left out there cannot be reached by SQL."""
    select = ", ".join(quote(c) for c in [ROW_ID, *table.names])
    return f"CREATE VIEW {quote(table.resource_id)} AS SELECT {select} FROM read_parquet({_literal(table.path)})"  # noqa: S608


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None, timeout: float | None = None) -> Any:
    timer = threading.Timer(timeout or _timeout(), con.interrupt)
    timer.start()
    try:
        return con.execute(sql, params) if params is not None else con.execute(sql)
    except duckdb.InterruptException as exc:
        raise QueryTimeout(_("The query took longer than %(s)s seconds.") % {"s": timeout or _timeout()}) from exc
    except duckdb.OutOfMemoryException as exc:
        raise QueryError(_memory_message(_memory_mb())) from exc
    finally:
        timer.cancel()


def _memory_message(mb: int) -> str:
    return _("The query needs more than the %(mb)s MB of memory a query may use; narrow it down.") % {"mb": mb}


def coerce(table: Table, column: str, value: Any, field: str) -> Any:
    """A filter value, typed like its column, or a QueryError naming the field."""
    kind = table.type_of(column)
    if value is None:
        return None
    try:
        if kind in ("integer", "year"):
            if isinstance(value, bool):
                raise ValueError
            return int(str(value).strip())
        if kind == "number":
            return float(str(value).strip())
        if kind == "boolean":
            text = str(value).strip().lower()
            if text in ("true", "1", "ya", "yes"):
                return True
            if text in ("false", "0", "tidak", "no"):
                return False
            raise ValueError
        if kind == "date":
            return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise QueryError(
            _("%(field)s: %(value)s is not a valid %(type)s value for column %(column)s.")
            % {"field": field, "value": value, "type": kind, "column": column},
            field,
        ) from exc
    return str(value)


def _check_column(table: Table, name: Any, field: str) -> str:
    if not isinstance(name, str) or (name not in table.names and name != ROW_ID):
        raise QueryError(_("%(field)s: unknown column %(name)s.") % {"field": field, "name": name}, field)
    return name


@dataclass
class Where:
    sql: str
    params: dict[str, Any]


def build_where(table: Table, filters: dict[str, Any] | None, q: Any = None) -> Where:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for i, (column, value) in enumerate((filters or {}).items()):
        _check_column(table, column, f"filters.{column}")
        values = value if isinstance(value, list) else [value]
        if not values:
            raise QueryError(_("filters.%(c)s: give at least one value.") % {"c": column}, f"filters.{column}")
        names = []
        for j, v in enumerate(values):
            key = f"f{i}_{j}"
            params[key] = coerce(table, column, v, f"filters.{column}")
            names.append(f"${key}")
        clauses.append(f"{quote(column)} IN ({', '.join(names)})")
    text_columns = [name for name, kind in table.columns if kind == "string"]
    if isinstance(q, dict):
        for i, (column, text) in enumerate(q.items()):
            _check_column(table, column, f"q.{column}")
            params[f"q{i}"] = f"%{_escape_like(str(text))}%"
            clauses.append(f"CAST({quote(column)} AS VARCHAR) ILIKE $q{i} ESCAPE '\\'")
    elif q not in (None, ""):
        params["q"] = f"%{_escape_like(str(q))}%"
        if text_columns:
            clauses.append("(" + " OR ".join(f"{quote(c)} ILIKE $q ESCAPE '\\'" for c in text_columns) + ")")
        else:
            clauses.append("false")
    return Where(" AND ".join(clauses), params)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


SORT_RE = re.compile(r"^\s*(?P<name>\"[^\"]+\"|[^\s,\"]+)(\s+(?P<dir>asc|desc))?\s*$", re.IGNORECASE)


def parse_sort(table: Table, sort: str | None, field: str = "sort") -> list[tuple[str, bool]]:
    """CKAN style: ``"col1 desc, col2"`` → [(col1, True), (col2, False)]."""
    result: list[tuple[str, bool]] = []
    for part in (sort or "").split(","):
        if not part.strip():
            continue
        match = SORT_RE.match(part)
        if not match:
            raise QueryError(
                _("%(field)s: cannot read %(part)s; write column [asc|desc].") % {"field": field, "part": part}, field
            )
        name = match["name"].strip('"')
        _check_column(table, name, field)
        result.append((name, (match["dir"] or "asc").lower() == "desc"))
    return result


def _order_sql(order: list[tuple[str, bool]]) -> str:
    return ", ".join(f"{quote(n)} {'DESC' if d else 'ASC'} NULLS LAST" for n, d in order)


def _records(cursor: Any) -> tuple[list[str], list[dict[str, Any]]]:
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return names, [{n: json_value(v) for n, v in zip(names, row, strict=True)} for row in rows]


def search(
    table: Table,
    *,
    filters: dict[str, Any] | None = None,
    q: Any = None,
    fields: list[str] | None = None,
    sort: str | None = None,
    limit: int = 100,
    offset: int = 0,
    include_total: bool = True,
    distinct: bool = False,
) -> dict[str, Any]:
    """CKAN ``datastore_search`` semantics over one Parquet table."""
    chosen = [_check_column(table, f, "fields") for f in fields] if fields else [ROW_ID, *table.names]
    where = build_where(table, filters, q)
    order = parse_sort(table, sort) or ([] if distinct else [(ROW_ID, False)])
    select = ", ".join(quote(c) for c in chosen)
    base = f"SELECT {'DISTINCT ' if distinct else ''}{select} FROM read_parquet($path)"  # noqa: S608 (identifiers checked and quoted)
    if where.sql:
        base += f" WHERE {where.sql}"
    params = {"path": table.path, **where.params}
    sql = base + (f" ORDER BY {_order_sql(order)}" if order else "") + " LIMIT $limit OFFSET $offset"
    total: int | None = None
    with cursor([table]) as con:
        if include_total and (where.sql or distinct):
            # One pass: the filtered rows are counted and paged by the same statement.
            counted = (
                f"WITH etam_f AS MATERIALIZED ({base}) "  # noqa: S608 (identifiers checked and quoted)
                f"SELECT *, (SELECT count(*) FROM etam_f) AS etam_total FROM etam_f"
                + (f" ORDER BY {_order_sql(order)}" if order else "")
                + " LIMIT $limit OFFSET $offset"
            )
            cur = _run(con, counted, {**params, "limit": limit, "offset": offset})
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
            # An empty page (offset past the end) still needs the count.
            total = rows[0][-1] if rows else _run(con, f"SELECT count(*) FROM ({base})", params).fetchone()[0]  # noqa: S608
            records = [{n: json_value(v) for n, v in zip(names[:-1], r[:-1], strict=True)} for r in rows]
        else:
            _names, records = _records(_run(con, sql, {**params, "limit": limit, "offset": offset}))
            if include_total:
                total = table.row_count  # kept in the catalogue at publication, never counted per request
    result: dict[str, Any] = {
        "fields": [{"id": c, "type": CKAN_TYPES.get(table.type_of(c), "text")} for c in chosen],
        "records": records,
        "limit": limit,
        "offset": offset,
    }
    if total is not None:
        result["total"] = total
        result["total_was_estimated"] = False
    return result


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=json_value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError) as exc:
        raise QueryError(_("after: the cursor is damaged; use next_cursor from the previous page."), "after") from exc
    if not isinstance(values, list) or len(values) != 2:
        raise QueryError(_("after: the cursor is damaged; use next_cursor from the previous page."), "after")
    return values


def keyset_page(
    table: Table,
    *,
    filters: dict[str, Any] | None = None,
    sort: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """Rows in a stable order (one sort column, then ``_id``), continued by a cursor, not OFFSET."""
    where = build_where(table, filters)
    order = parse_sort(table, sort)
    if len(order) > 1:
        raise QueryError(_("sort: keyset pages sort by one column."), "sort")
    column, desc = order[0] if order else (ROW_ID, False)
    clauses = [where.sql] if where.sql else []
    params: dict[str, Any] = {"path": table.path, **where.params, "limit": limit + 1}
    if after:
        last_value, last_id = decode_cursor(after)
        if not isinstance(last_id, int):
            raise QueryError(_("after: the cursor is damaged; use next_cursor from the previous page."), "after")
        params["last_id"] = last_id
        cmp = "<" if desc else ">"
        col = quote(column)
        if column == ROW_ID:
            clauses.append(f"{col} {cmp} $last_id")
        elif last_value is None:
            clauses.append(f"({col} IS NULL AND _id > $last_id)")
        else:
            params["last_value"] = coerce(table, column, last_value, "after")
            clauses.append(f"({col} {cmp} $last_value OR ({col} = $last_value AND _id > $last_id) OR {col} IS NULL)")
    order_sql = f"{quote(column)} {'DESC' if desc else 'ASC'} NULLS LAST" + (", _id ASC" if column != ROW_ID else "")
    if column == ROW_ID:
        order_sql = f"_id {'DESC' if desc else 'ASC'}"
    select = ", ".join(quote(c) for c in [ROW_ID, *table.names])
    sql = f"SELECT {select} FROM read_parquet($path)"  # noqa: S608 (identifiers checked and quoted)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {order_sql} LIMIT $limit"
    with cursor([table]) as con:
        _names, records = _records(_run(con, sql, params))
    next_cursor = None
    if len(records) > limit:
        records = records[:limit]
        last = records[-1]
        next_cursor = encode_cursor([last[column] if column != ROW_ID else None, last[ROW_ID]])
    return {"records": records, "next_cursor": next_cursor}


def aggregate(
    table: Table,
    *,
    group_by: list[str],
    metrics: list[tuple[str, str]],
    filters: dict[str, Any] | None = None,
    sort: str | None = None,
    limit: int = 1000,
) -> dict[str, Any]:
    """``GROUP BY`` one or more columns with count/sum/avg/min/max. ``metrics`` holds
    (function, column); count may use column ``*``."""
    groups = [_check_column(table, g, "group_by") for g in group_by]
    if not metrics:
        metrics = [("count", "*")]
    parts = [quote(g) for g in groups]
    labels: list[str] = []
    for fn, column in metrics:
        if fn not in AGGREGATES:
            raise QueryError(_("metrics: %(fn)s is not one of count, sum, avg, min, max.") % {"fn": fn}, "metrics")
        if column == "*" and fn == "count":
            parts.append("count(*) AS count")
            labels.append("count")
            continue
        _check_column(table, column, "metrics")
        if fn in ("sum", "avg") and table.type_of(column) not in ("integer", "number", "year"):
            raise QueryError(
                _("metrics: %(fn)s needs a numeric column; %(c)s is not numeric.") % {"fn": fn, "c": column}, "metrics"
            )
        label = f"{fn}_{column}"
        parts.append(f"{fn}({quote(column)}) AS {quote(label)}")
        labels.append(label)
    where = build_where(table, filters)
    sql = f"SELECT {', '.join(parts)} FROM read_parquet($path)"  # noqa: S608 (identifiers checked and quoted)
    if where.sql:
        sql += f" WHERE {where.sql}"
    if groups:
        sql += " GROUP BY " + ", ".join(quote(g) for g in groups)
    allowed_sort = set(groups) | set(labels)
    order: list[tuple[str, bool]] = []
    for part in (sort or "").split(","):
        if part.strip():
            match = SORT_RE.match(part)
            name = match["name"].strip('"') if match else ""
            if not match or name not in allowed_sort:
                raise QueryError(_("sort: sort by a group column or a metric label."), "sort")
            order.append((name, (match["dir"] or "asc").lower() == "desc"))
    if not order:
        order = [(g, False) for g in groups]
    if order:
        sql += " ORDER BY " + _order_sql(order)
    sql += " LIMIT $limit"
    with cursor([table]) as con:
        _names, records = _records(_run(con, sql, {"path": table.path, **where.params, "limit": limit}))
    return {"group_by": groups, "metrics": labels, "records": records}


def iter_rows(table: Table, *, filters: dict[str, Any] | None = None, batch_rows: int = 10_000) -> Iterator[Any]:
    """Every row (without ``_id``) in ``_id`` order, as Arrow record batches, for downloads."""
    where = build_where(table, filters)
    select = ", ".join(quote(c) for c in table.names)
    sql = f"SELECT {select} FROM read_parquet($path)"  # noqa: S608 (identifiers checked and quoted)
    if where.sql:
        sql += f" WHERE {where.sql}"
    sql += " ORDER BY _id"
    with cursor([table]) as con:
        reader: Any = con.execute(sql, {"path": table.path, **where.params}).to_arrow_reader(batch_rows)  # type: ignore[attr-defined]
        yield from reader


# ---------------------------------------------------------------------------- SQL endpoint

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
    """What ``connection(tables, views=True)`` does, as statements for the SQL child process."""
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
