"""``etam.core.prepared``: fixed SQL prepared once per connection on PostgreSQL (ADR 0169)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from etam.core import prepared
from etam.core.models import Institution

pytestmark = pytest.mark.django_db

SQL = "SELECT %s + 1, %s"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_statement_is_prepared_once_and_logged_with_its_values():
    with CaptureQueriesContext(connection) as ctx:
        for value in (41, 1):
            with prepared.cursor() as cursor:
                cursor.execute(SQL, [value, "kaltim"])
                assert cursor.fetchone() == (value + 1, "kaltim")
    # Both executions are in the query log (assertNumQueries counts them), with their values.
    assert [q["sql"] for q in ctx.captured_queries] == ["SELECT 41 + 1, 'kaltim'", "SELECT 1 + 1, 'kaltim'"]
    if connection.vendor != "postgresql":
        return  # SQLite: an ordinary cursor
    assert [s for s in _prepared_statements() if "+ 1" in s] == ["SELECT $1 + 1, $2"]


def test_errors_are_django_errors_and_the_cursor_works_after_a_rollback():
    Institution.objects.create(region_code="64", name="Kaltim", short_name="Kaltim", kind="provinsi")
    table = Institution._meta.db_table
    insert = (
        f"INSERT INTO {table} (region_code, name, short_name, kind, created_at, updated_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    with pytest.raises(IntegrityError), transaction.atomic(), prepared.cursor() as cursor:
        cursor.execute(insert, ["64", "Lagi", "Lagi", "provinsi"])
    # The connection is usable afterwards, and the statement can be run again.
    with prepared.cursor() as cursor:
        cursor.execute(SQL, [2, "x"])
        assert cursor.fetchone() == (3, "x")
