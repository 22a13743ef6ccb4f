"""Operations endpoints: /healthz (process alive) and /readyz (database, migrations, cache, queue, storage)."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.migrations.executor import MigrationExecutor

from etam.core import readiness

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_readiness():
    """Each test starts with nothing remembered (readiness caches per process)."""
    readiness.forget()
    yield
    readiness.forget()


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_stays_up_when_the_database_is_down(client):
    with mock.patch("etam.core.readiness.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        assert client.get("/healthz").status_code == 200


def _summary(body: dict) -> dict:
    """The top-level verdict of /readyz (the per-component detail left out)."""
    return {k: body[k] for k in ("status", "database", "pending_migrations")}


def test_readyz_ok_when_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert _summary(body) == {"status": "ok", "database": "ok", "pending_migrations": 0}
    assert set(body["components"]) == {"database", "cache", "queue", "storage"}
    assert all(c["status"] == "ok" and c["backend"] for c in body["components"].values())
    assert "no-cache" in response["Cache-Control"]


def test_readyz_503_with_a_pending_migration(client):
    pending = [(mock.Mock(name="core.0099_future"), False)]
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=pending):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert _summary(body) == {"status": "unavailable", "database": "ok", "pending_migrations": 1}


def test_readyz_503_when_the_database_is_unreachable(client):
    with mock.patch("etam.core.readiness.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server: secret-host:5432")
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "unreachable"
    # The reason's class, never the message (it may name hosts or credentials).
    assert "secret-host" not in response.content.decode()


def test_readyz_503_names_the_component_that_is_down(client):
    with mock.patch("etam.core.readiness._storage_check", side_effect=ConnectionError("s3 at secret-host")):
        response = client.get("/readyz")
    assert response.status_code == 503
    components = response.json()["components"]
    assert components["storage"]["status"] == "down"
    assert components["storage"]["detail"] == "ConnectionError"
    assert components["database"]["status"] == "ok"
    assert "secret-host" not in response.content.decode()


def test_readyz_answers_within_its_deadline_when_a_component_hangs(client, settings):
    import threading

    release = threading.Event()
    with (
        mock.patch("etam.core.readiness.READINESS_TIMEOUT", 0.2),
        mock.patch("etam.core.readiness._storage_check", side_effect=lambda: release.wait(5)),
    ):
        response = client.get("/readyz")
    release.set()
    assert response.status_code == 503
    assert response.json()["components"]["storage"]["status"] == "timeout"


def test_super_admin_sees_component_status_on_the_dashboard(client, province):
    client.force_login(province.superadmin)
    with mock.patch("etam.core.readiness._cache_check", side_effect=ConnectionError("redis at secret-host")):
        page = client.get("/staf/").content.decode()
    assert "Komponen sistem" in page
    assert "mati" in page and "ConnectionError" in page
    assert "secret-host" not in page and "Traceback" not in page


def test_other_staff_do_not_see_component_status(client, province):
    client.force_login(province.admin_kaltim)
    with mock.patch("etam.core.readiness.check_all") as check_all:
        page = client.get("/staf/").content.decode()
    assert "Komponen sistem" not in page
    check_all.assert_not_called()


def test_readyz_builds_the_migration_graph_only_until_every_migration_is_applied(client):
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=[]) as plan:
        assert client.get("/readyz").status_code == 200
        assert client.get("/readyz").status_code == 200
    assert plan.call_count == 1
    readiness.forget()
    pending = [(mock.Mock(name="core.0099_future"), False)]
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=pending) as plan:
        assert client.get("/readyz").status_code == 503
        assert client.get("/readyz").status_code == 503
    assert plan.call_count == 2  # still pending: built again on every probe, ready once migrated


def test_dashboard_widget_reuses_a_recent_report(client, province):
    client.force_login(province.superadmin)
    with mock.patch("etam.core.readiness.check_all", wraps=readiness.check_all) as check_all:
        client.get("/staf/")
        client.get("/staf/")
        assert check_all.call_count == 1
        with mock.patch("etam.core.readiness.WIDGET_SECONDS", 0):
            client.get("/staf/")
        assert check_all.call_count == 2
