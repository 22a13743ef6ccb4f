"""Tracking numbers and receipt secrets.

``64.72-DPMPTSP-2026-000123``: instansi region code, OPD code, year, a per-(instansi,
OPD, year) sequence. See docs/adr/0051-tracking-numbers.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from typing import Any

from django.db import IntegrityError, ProgrammingError, connection, transaction

from etam.core import crypto
from etam.eservices.models import TrackingCounter

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a password; no 0/O, 1/I)


def next_sequence(*, institution_id: int, agency_id: int, year: int) -> int:
    """Take the next number inside the caller's transaction.

    The UPDATE locks the counter row until the caller commits or rolls back: concurrent
    submitters to one OPD queue here, a rolled-back submission gives its number back
    (nothing was issued under it) and a committed number is never handed out again.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_sequence must run inside the submitting transaction")
    key = {"institution_id": institution_id, "agency_id": agency_id, "year": year}
    value = _increment(**key)
    if value is None:
        try:
            with transaction.atomic():
                TrackingCounter.objects.create(**key, value=1)
            return 1
        except IntegrityError:
            # Another transaction created the row first; its lock is ours after it commits.
            value = _increment(**key)
    if value is None:  # pragma: no cover - the row exists by now
        raise RuntimeError("tracking counter row vanished")
    return value


def _increment(*, institution_id: int, agency_id: int, year: int) -> int | None:
    """``UPDATE … SET value = value + 1 … RETURNING value`` (one round trip while the row
    lock is held; PostgreSQL and SQLite ≥ 3.35). The ORM equivalent is
    ``filter(...).update(value=F("value") + 1)`` followed by a read."""
    table = connection.ops.quote_name(TrackingCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET value = value + 1 "  # noqa: S608 (table name from model meta)
            "WHERE institution_id = %s AND agency_id = %s AND year = %s RETURNING value",
            [institution_id, agency_id, year],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def format_number(region_code: str, agency_code: str, year: int, sequence: int) -> str:
    return f"{region_code}-{agency_code}-{year}-{sequence:06d}"


def provisional_number() -> str:
    """A unique placeholder for the moments before ``assign_number`` (same transaction)."""
    return "~" + uuid.uuid4().hex


def assign_number(
    *, application_id: int, institution_id: int, agency_id: int, region_code: str, agency_code: str, year: int
) -> str:
    """Take the next sequence and write the tracking number onto the application.

    PostgreSQL: a sequence per (instansi, OPD, year) (``nextval`` takes no row lock, so
    concurrent submitters to one OPD never queue behind each other's commit) and one
    statement that numbers the case. Elsewhere: the locked counter row (``next_sequence``)
    plus an UPDATE. Either way a number is never handed out twice.
    """
    from etam.eservices.models import Application

    prefix = f"{region_code}-{agency_code}-{year}-"
    if connection.vendor == "postgresql":
        sequence = _ensure_sequence(institution_id=institution_id, agency_id=agency_id, year=year)
        applications = connection.ops.quote_name(Application._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {applications} SET tracking_number = %s || lpad(nextval(%s::regclass)::text, 6, '0') "  # noqa: S608 (name from model meta)
                "WHERE id = %s RETURNING tracking_number",
                [prefix, sequence, application_id],
            )
            row = cursor.fetchone()
        return str(row[0])
    sequence_value = next_sequence(institution_id=institution_id, agency_id=agency_id, year=year)
    number = format_number(region_code, agency_code, year, sequence_value)
    Application.objects.filter(pk=application_id).update(tracking_number=number)
    return number


# Sequences this process has seen committed (so it skips the existence check).
_known_sequences: set[str] = set()


def sequence_name(*, institution_id: int, agency_id: int, year: int) -> str:
    return f"eservices_tn_{int(institution_id)}_{int(agency_id)}_{int(year)}"


def _ensure_sequence(*, institution_id: int, agency_id: int, year: int) -> str:
    """The PostgreSQL sequence of an OPD and year, created on first use.

    It starts after the ``TrackingCounter`` row's value (numbers issued before sequences
    were used, e.g. by an older release), so no number is handed out twice. Creation is
    transactional: a submission that rolls back takes its new sequence with it.
    """
    name = sequence_name(institution_id=institution_id, agency_id=agency_id, year=year)
    if name in _known_sequences:
        return name
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            _known_sequences.add(name)
            return name
        issued = (
            TrackingCounter.objects.filter(institution_id=institution_id, agency_id=agency_id, year=year)
            .values_list("value", flat=True)
            .first()
            or 0
        )
        try:
            with transaction.atomic():
                cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {int(issued) + 1}")
        except (IntegrityError, ProgrammingError):
            # A concurrent submission created it first (catalogue unique violation); it exists now.
            pass
    # Not remembered yet: the creation commits or rolls back with this submission; the
    # next submission finds it with ``to_regclass`` once it is committed.
    return name


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


def reserve(
    *, institution_id: int, agency_id: int, year: int, applicant_id: int, idempotency_key: str | None
) -> tuple[int, int | None]:
    """PostgreSQL: the new case's id and its OPD sequence number, in one round trip.

    The number is taken only when this person has no case under ``idempotency_key`` yet
    (a retry finds its earlier case and burns nothing: ``(id, None)``). An id is always
    taken; ids are not meaningful and may have gaps. Runs outside any transaction: the
    write that follows is one statement (``insert_together``).
    """
    from etam.eservices.models import Application

    sequence = _ensure_sequence(institution_id=institution_id, agency_id=agency_id, year=year)
    table = Application._meta.db_table
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')), CASE WHEN %s::text IS NULL OR NOT EXISTS ("  # noqa: S608 (names from model meta)
            f"SELECT 1 FROM {qn(table)} WHERE applicant_id = %s AND idempotency_key = %s"
            ") THEN nextval(%s::regclass) END",
            [table, idempotency_key, applicant_id, idempotency_key, sequence],
        )
        new_id, number = cursor.fetchone()
    return int(new_id), (int(number) if number is not None else None)


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
    qn = connection.ops.quote_name
    parts: list[str] = []
    params: list[Any] = []
    for index, obj in enumerate(objects):
        meta = obj._meta
        fields = [f for f in meta.local_concrete_fields if not (f.primary_key and obj.pk is None)]
        placeholders = []
        for field in fields:
            value = field.get_db_prep_save(field.pre_save(obj, True), connection)
            placeholders.append(
                field.get_placeholder(value, None, connection) if hasattr(field, "get_placeholder") else "%s"
            )
            params.append(value)
        columns = ", ".join(qn(f.column) for f in fields)
        values = ", ".join(placeholders)
        parts.append(f"i{index} AS (INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({values}))")  # noqa: S608 (names from model metadata; values are parameters)
    sql = "WITH " + ", ".join(parts) + " SELECT 1"
    if connection.in_atomic_block:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
