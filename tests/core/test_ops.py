"""Operations endpoints: /healthz (process alive) and /readyz (database and migrations)."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_stays_up_when_the_database_is_down(client):
    with mock.patch("etam.web.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        assert client.get("/healthz").status_code == 200


def test_readyz_ok_when_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "pending_migrations": 0}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_503_with_a_pending_migration(client):
    pending = [(mock.Mock(name="core.0099_future"), False)]
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=pending):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "pending_migrations": 1}


def test_readyz_503_when_the_database_is_unreachable(client):
    with mock.patch("etam.web.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server: secret-host:5432")
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "unreachable"
    # The reason's class, never the message (it may name hosts or credentials).
    assert "secret-host" not in response.content.decode()
