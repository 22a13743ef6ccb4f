"""Free-form SQL (``datastore_search_sql``) runs in a child process with a kernel-enforced heap cap.

DuckDB's ``memory_limit`` governs what its buffer manager allocates (hash tables, sorts,
aggregate states), not the strings a scalar function builds: ``SELECT repeat('x', 2000000)``
over 1,000 rows took a process to 2.4 GB under a 256 MB ``memory_limit``. Anything a caller
may write therefore runs where running out of memory cannot hurt the web process: a child
forked from a ``forkserver`` (DuckDB preloaded, no Django, no threads inherited) with
``RLIMIT_DATA`` set before DuckDB opens. There DuckDB reports an allocation beyond the cap
as an ``OutOfMemoryException``; if the child dies instead, the parent sees the pipe close.
The child converts rows to JSON-ready values and stops at the row and byte caps; the parent
kills it if it is not done shortly after the time limit (an ``interrupt()`` timer inside the
child ends the query first). See docs/adr/0072-bounded-queries.md.

This module imports nothing from Django: it is what the forkserver preloads.
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from multiprocessing.connection import Connection
from typing import Any

import duckdb

# Seconds the parent waits past the time limit before it kills the child: the interrupt
# timer in the child normally ends the query well before.
KILL_GRACE = 2.0
FETCH_ROWS = 256


@dataclass(frozen=True)
class Limits:
    timeout: float  # seconds for the statement inside the child
    process_bytes: int  # RLIMIT_DATA of the child: its whole heap
    duckdb_mb: int  # DuckDB memory_limit inside the child
    threads: int
    rows: int  # records kept; one more tells that the result was truncated
    bytes: int  # JSON size of the records


@dataclass(frozen=True)
class Outcome:
    kind: str  # ok | timeout | memory | bytes | error
    detail: str = ""
    names: tuple[str, ...] = ()
    records: tuple[dict[str, Any], ...] = ()
    truncated: bool = False


def json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def _execute(setup: list[str], sql: str, limits: Limits) -> Outcome:
    con = duckdb.connect(
        ":memory:",
        config={"threads": limits.threads, "memory_limit": f"{limits.duckdb_mb}MB", "temp_directory": ""},
    )
    try:
        for statement in setup:
            con.execute(statement)
        timer = threading.Timer(limits.timeout, con.interrupt)
        timer.start()
        try:
            cursor = con.execute(sql)
            names = tuple(d[0] for d in cursor.description)
            records: list[dict[str, Any]] = []
            size = 2  # the enclosing brackets
            while len(records) <= limits.rows:
                rows = cursor.fetchmany(FETCH_ROWS)
                if not rows:
                    break
                for row in rows:
                    record = {n: json_value(v) for n, v in zip(names, row, strict=True)}
                    size += len(json.dumps(record, ensure_ascii=False, default=str).encode()) + 2
                    if size > limits.bytes:
                        return Outcome("bytes")
                    records.append(record)
                    if len(records) > limits.rows:
                        break
        finally:
            timer.cancel()
    except duckdb.InterruptException:
        return Outcome("timeout")
    except (duckdb.OutOfMemoryException, MemoryError) as exc:
        return Outcome("memory", str(exc).splitlines()[0][:300])
    except duckdb.Error as exc:
        return Outcome("error", str(exc).splitlines()[0][:300])
    finally:
        con.close()
    truncated = len(records) > limits.rows
    return Outcome("ok", names=names, records=tuple(records[: limits.rows]), truncated=truncated)


def _child(conn: Connection, setup: list[str], sql: str, limits: Limits) -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (limits.process_bytes, limits.process_bytes))
    try:
        outcome = _execute(setup, sql, limits)
    except MemoryError:
        outcome = Outcome("memory")
    conn.send(outcome)
    conn.close()


_context: Any = None
_context_lock = threading.Lock()


def _mp() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload([__name__])
            _context = ctx
    return _context


def run(setup: list[str], sql: str, limits: Limits) -> Outcome:
    """Run ``setup`` then ``sql`` in a fresh capped child; always returns (never hangs past
    the time limit plus ``KILL_GRACE``)."""
    ctx = _mp()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(sender, setup, sql, limits), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(limits.timeout + KILL_GRACE):
            return Outcome("timeout")
        try:
            outcome: Outcome = receiver.recv()
        except EOFError:  # the child died: the kernel refused it memory in a way DuckDB could not report
            return Outcome("memory", f"exit code {process.exitcode}")
        return outcome
    finally:
        receiver.close()
        process.join(0.5)
        if process.is_alive():
            process.kill()
            process.join()
