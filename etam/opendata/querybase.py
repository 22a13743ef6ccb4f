"""The DuckDB side of the query layer: errors, the ``Table`` a query reads, and locked-down
connections (split out of ``query.py``, which re-exports these names).

Every query opens its own in-memory DuckDB connection (or a cursor on a per-process empty
one), allowed to read only the Parquet it needs (``allowed_paths``/``allowed_directories`` +
``enable_external_access=false`` + ``lock_configuration``), runs under a time limit, and is
closed (docs/adr/0042-duckdb-stateless-readers.md). A table's ``path`` is a local file, or,
on object storage read directly, a URL of the bucket filesystem that ``parquetstore``
registers on each connection before it is locked (docs/adr/0101-parquet-over-s3.md).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
from django.conf import settings
from django.utils.translation import gettext as _

from etam.opendata import parquetstore

ROW_ID = "_id"


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
        # Never fetch or load an extension (httpfs for s3:// above all): sites block it, and
        # the bucket is read through a registered Python filesystem instead (ADR 0101).
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
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
        parquetstore.register(con, root)
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
        for table in tables:
            parquetstore.register(con, table.path)
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
