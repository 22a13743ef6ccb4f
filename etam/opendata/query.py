"""Reading published tables with DuckDB: row search, keyset pages, aggregates, read-only SQL.

This module holds the structured queries Etam builds itself; the connections, errors and
``Table`` live in ``querybase`` and the free-form SQL endpoint in ``querysql``; both are
re-exported here, so callers keep using ``query.X``. Every query opens its own locked-down
DuckDB connection or cursor, and no state survives a request, so any web process can serve
any query, from local disk or object storage (docs/adr/0042, docs/adr/0101).

Identifiers are never interpolated from input: column names are checked against the
table's own columns and quoted; values are bound parameters.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from etam.opendata.querybase import (
    ROW_ID,
    QueryBusy,
    QueryError,
    QueryTimeout,
    Table,
    _run,
    connection,
    cursor,
    quote,
    view_sql,
)
from etam.opendata.querysql import (
    BLOCKED_FUNCTION_PREFIXES,
    REFUSED_NODES,
    check_size,
    check_sql,
    nesting_depth,
    run_sql,
)
from etam.opendata.sqlrunner import json_value

__all__ = [
    "AGGREGATES",
    "BLOCKED_FUNCTION_PREFIXES",
    "CKAN_TYPES",
    "REFUSED_NODES",
    "ROW_ID",
    "QueryBusy",
    "QueryError",
    "QueryTimeout",
    "Table",
    "aggregate",
    "check_size",
    "check_sql",
    "connection",
    "cursor",
    "iter_rows",
    "json_value",
    "keyset_page",
    "nesting_depth",
    "quote",
    "run_sql",
    "search",
    "view_sql",
]

AGGREGATES = ("count", "sum", "avg", "min", "max")
CKAN_TYPES = {"string": "text", "integer": "int", "number": "numeric", "boolean": "bool", "date": "date", "year": "int"}


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
    count_groups: bool = False,
) -> dict[str, Any]:
    """``GROUP BY`` one or more columns with count/sum/avg/min/max. ``metrics`` holds
    (function, column); count may use column ``*``. With ``count_groups``, ``groups`` is
    the number of groups there are (a chart of the first ``limit`` says "40 of 105")."""
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
    grouped = sql
    sql += " LIMIT $limit"
    with cursor([table]) as con:
        _names, records = _records(_run(con, sql, {"path": table.path, **where.params, "limit": limit}))
        result: dict[str, Any] = {"group_by": groups, "metrics": labels, "records": records}
        if count_groups:
            total = _run(con, f"SELECT count(*) FROM ({grouped})", {"path": table.path, **where.params})  # noqa: S608
            result["groups"] = int(total.fetchone()[0])
    return result


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
