"""Tracking numbers and receipt secrets.

``64.72-DPMPTSP-2026-000123``: instansi region code, OPD code, year, a per-(instansi,
OPD, year) sequence. See docs/adr/0051-tracking-numbers.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from django.db import connection, transaction

from etam.core import crypto, prepared
from etam.eservices.models import TrackingCounter

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a password; no 0/O, 1/I)


def _counter_upsert_sql(*, guarded: bool, also: str = "") -> str:
    """``INSERT … ON CONFLICT DO UPDATE SET value = value + 1 RETURNING value`` on the
    ``TrackingCounter`` row: one statement creates the row on first use or takes the next
    number (PostgreSQL and SQLite ≥ 3.35). ``guarded`` adds ``WHERE key IS NULL OR NOT
    EXISTS (case under this key)``, so a retried submission takes no number."""
    qn = connection.ops.quote_name

    def column(meta: Any, name: str) -> str:
        return str(qn(meta.get_field(name).column))

    meta = TrackingCounter._meta
    table = qn(meta.db_table)
    columns = [column(meta, name) for name in ("institution", "agency", "year", "value")]
    where = "WHERE TRUE"  # SQLite needs a WHERE to parse INSERT … SELECT … ON CONFLICT
    if guarded:
        from etam.eservices.models import Application

        app = Application._meta
        where = (
            f"WHERE {also + ' AND ' if also else ''}(CAST(%s AS text) IS NULL OR NOT EXISTS (SELECT 1 "  # noqa: S608 (names from model meta)
            f"FROM {qn(app.db_table)} WHERE {column(app, 'applicant')} = %s "
            f"AND {column(app, 'idempotency_key')} = %s))"
        )
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT %s, %s, %s, 1 {where} "
        f"ON CONFLICT ({', '.join(columns[:3])}) DO UPDATE SET {columns[3]} = {table}.{columns[3]} + 1 "
        f"RETURNING {columns[3]}"
    )


def next_sequence(*, institution_id: int, agency_id: int, year: int) -> int:
    """Take the next number inside the caller's transaction.

    The upsert locks the counter row until the caller commits or rolls back: concurrent
    submitters to one OPD queue here, a rolled-back submission gives its number back
    (nothing was issued under it) and a committed number is never handed out again.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_sequence must run inside the submitting transaction")
    with connection.cursor() as cursor:
        cursor.execute(_counter_upsert_sql(guarded=False), [institution_id, agency_id, year])
        return int(cursor.fetchone()[0])


def format_number(region_code: str, agency_code: str, year: int, sequence: int) -> str:
    return f"{region_code}-{agency_code}-{year}-{sequence:06d}"


def _format_secret(raw: bytes) -> str:
    value = int.from_bytes(raw[:8], "big")
    chars = []
    for _ in range(12):
        value, index = divmod(value, len(SECRET_ALPHABET))
        chars.append(SECRET_ALPHABET[index])
    text = "".join(chars)
    return f"{text[:4]}-{text[4:8]}-{text[8:]}"


def new_receipt_secret(*, user_id: int, idempotency_key: str | None) -> str:
    """12 characters (≈ 60 bits). With an idempotency key the secret is derived from it
    (keyed HMAC), so a replayed request can return the same receipt while the database
    keeps only a digest."""
    if idempotency_key:
        raw = hmac.new(crypto._lookup_key(), f"receipt|{user_id}|{idempotency_key}".encode(), hashlib.sha256).digest()
    else:
        raw = secrets.token_bytes(16)
    return _format_secret(raw)


def normalise_secret(secret: str) -> str:
    cleaned = "".join(ch for ch in secret.upper() if ch.isalnum())
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:12]}" if len(cleaned) == 12 else cleaned


def secret_binding(applicant_id: int, request_digest: str) -> str:
    """What a receipt digest is bound to (known before the tracking number is)."""
    return f"{applicant_id}|{request_digest}"


def secret_digest(binding: str, secret: str) -> str:
    return crypto.lookup_digest(f"{binding}|{normalise_secret(secret)}", kind="receipt")


def secrets_match(stored_digest: str, binding: str, secret: str) -> bool:
    return hmac.compare_digest(stored_digest, secret_digest(binding, secret))


def verification_code() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode().rstrip("=").lower()


# ---------------------------------------------------------------- one-statement submit (PostgreSQL)


class GuardFailed(Exception):
    """The caller's guard (``selectors_api.loaded_service``: the service as this process
    loaded it) no longer holds; nothing was written and no number taken."""


def check_guard(guard: tuple[str, list[Any]] | None) -> None:
    """Inside the submitting transaction: raise ``GuardFailed`` unless ``guard`` holds."""
    if guard is None:
        return
    with prepared.cursor() as cursor:
        cursor.execute(f"SELECT {guard[0]}", guard[1])
        if not cursor.fetchone()[0]:
            raise GuardFailed


def reserve(
    *,
    institution_id: int,
    agency_id: int,
    year: int,
    applicant_id: int,
    idempotency_key: str | None,
    guard: tuple[str, list[Any]] | None = None,
) -> tuple[int, int | None]:
    """PostgreSQL: the new case's id and its OPD number, in one round trip.

    The number comes from the same ``TrackingCounter`` row as ``next_sequence`` (the
    upsert commits at once, so the row is locked only for this statement), and only when
    this person has no case under ``idempotency_key`` yet (a retry finds its earlier case
    and burns nothing: ``(id, None)``) and ``guard`` (an SQL condition and its values, see
    ``check_guard``) holds — else ``GuardFailed``, nothing taken but an id. An id is always
    taken; ids are not meaningful and may have gaps. The write that follows is one
    statement (``insert_together``).
    """
    from etam.eservices.models import Application

    condition, values = guard if guard is not None else ("TRUE", [])
    with prepared.cursor() as cursor:
        cursor.execute(
            f"WITH g AS (SELECT {condition} AS ok), "  # noqa: S608 (names from model meta)
            f"n AS ({_counter_upsert_sql(guarded=True, also='(SELECT ok FROM g)')}) "
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')), (SELECT value FROM n), (SELECT ok FROM g)",
            [
                *values,
                institution_id,
                agency_id,
                year,
                idempotency_key,
                applicant_id,
                idempotency_key,
                Application._meta.db_table,
            ],
        )
        new_id, number, held = cursor.fetchone()
    if not held:
        raise GuardFailed
    return int(new_id), (int(number) if number is not None else None)


# The statement per shape (the models, and whether each row's primary key is set), built once
# per process from model metadata: code, not data. Also one prepared statement per shape.
_INSERT_SQL: dict[tuple[tuple[type, bool], ...], tuple[str, list[list[Any]]]] = {}


def _insert_sql(shape: tuple[tuple[type, bool], ...]) -> tuple[str, list[list[Any]]]:
    qn = connection.ops.quote_name
    parts: list[str] = []
    field_lists: list[list[Any]] = []
    for index, (model, pk_unset) in enumerate(shape):
        meta = model._meta  # type: ignore[attr-defined]
        fields = [f for f in meta.local_concrete_fields if not (f.primary_key and pk_unset)]
        if any(f.get_placeholder(None, None, connection) != "%s" for f in fields if hasattr(f, "get_placeholder")):
            raise RuntimeError(f"insert_together: {meta.label} has a field with its own placeholder")
        columns = ", ".join(qn(f.column) for f in fields)
        values = ", ".join(["%s"] * len(fields))
        parts.append(f"i{index} AS (INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({values}))")  # noqa: S608 (names from model metadata; values are parameters)
        field_lists.append(fields)
    return "WITH " + ", ".join(parts) + " SELECT 1", field_lists


def insert_together(objects: list[Any]) -> None:
    """INSERT unsaved model instances (primary keys set or left to the database) in ONE
    statement: ``WITH i0 AS (INSERT …), i1 AS (INSERT …) … SELECT 1``.

    A single statement is atomic on its own, so outside a transaction this costs one round
    trip instead of BEGIN, one INSERT per row and COMMIT; inside one (tests, a caller's
    ``atomic``) it runs in a savepoint so a unique violation can be handled. Values are
    prepared exactly as ``Model.save`` prepares them (``pre_save`` then
    ``get_db_prep_save``); models with custom ``save`` logic or signal receivers must not
    be written this way. PostgreSQL only (data-modifying CTEs).
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("insert_together needs PostgreSQL")
    shape = tuple((type(obj), obj.pk is None) for obj in objects)
    if shape not in _INSERT_SQL:
        _INSERT_SQL[shape] = _insert_sql(shape)
    sql, field_lists = _INSERT_SQL[shape]
    params: list[Any] = []
    for obj, fields in zip(objects, field_lists, strict=True):
        params.extend(field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields)
    if connection.in_atomic_block:
        with transaction.atomic(), prepared.cursor() as cursor:
            cursor.execute(sql, params)
    else:
        with prepared.cursor() as cursor:
            cursor.execute(sql, params)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
