from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive. Touches nothing else, so a slow database cannot fail it."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers and no migration is pending."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # any database failure means "not ready"
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "detail": exc.__class__.__name__}, status=503
        )
    if pending:
        return JsonResponse({"status": "unavailable", "database": "ok", "pending_migrations": len(pending)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "pending_migrations": 0})
