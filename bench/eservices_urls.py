"""URLs for the benchmark: every Etam URL plus a minimal insert-one-row endpoint."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def insert_one_row(request: HttpRequest) -> JsonResponse:
    """The ceiling: parse the body, insert one row, answer 201 (same middleware stack)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO eservices_bench_probe (body) VALUES (%s) RETURNING id", [request.body[:2000].decode()]
        )
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [
    path("bench/insert-one-row", insert_one_row),
    path("", include("config.urls")),
]
