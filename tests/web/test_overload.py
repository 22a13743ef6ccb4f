"""Above capacity: a quick 503 with Retry-After and the antrean page (docs/adr/0145). No timing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from etam.web.overload import OverloadMiddleware, queue_seconds

pytestmark = pytest.mark.django_db
NGINX = Path(settings.BASE_DIR) / "deploy" / "nginx"


def stamped(seconds_ago: float) -> str:
    return f"t={time.time() - seconds_ago:.3f}"


def assert_antrean(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    assert "Antrean penuh" in response.content.decode()


@override_settings(OVERLOAD_MAX_QUEUE_MS=3000)
def test_a_request_that_waited_too_long_in_the_backlog_gets_503_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/layanan/", HTTP_X_REQUEST_START=stamped(30))
    assert_antrean(response)


@override_settings(OVERLOAD_MAX_QUEUE_MS=3000)
def test_a_fresh_request_is_served(client):
    assert client.get("/layanan/", HTTP_X_REQUEST_START=stamped(0)).status_code == 200
    assert client.get("/layanan/", HTTP_X_REQUEST_START="garbage").status_code == 200
    assert client.get("/layanan/").status_code == 200  # no nginx in front: nothing to judge by


@override_settings(OVERLOAD_MAX_QUEUE_MS=3000)
def test_posts_and_the_api_are_shed_the_same_way(client):
    assert_antrean(client.post("/masuk/", {"username": "x"}, HTTP_X_REQUEST_START=stamped(30)))
    assert client.post("/api/v1/applications", {}, HTTP_X_REQUEST_START=stamped(30)).status_code == 503


@override_settings(OVERLOAD_MAX_QUEUE_MS=3000)
def test_probes_are_never_shed(client):
    assert client.get("/healthz", HTTP_X_REQUEST_START=stamped(30)).status_code == 200


@override_settings(OVERLOAD_MAX_QUEUE_MS=0)
def test_zero_turns_queue_shedding_off(client):
    assert client.get("/layanan/", HTTP_X_REQUEST_START=stamped(30)).status_code == 200


@override_settings(LANGUAGE_CODE="id")
def test_english_when_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with override_settings(OVERLOAD_MAX_QUEUE_MS=1):
        # Shed before LocaleMiddleware: Bahasa Indonesia, the default, for everyone.
        response = client.get("/layanan/", HTTP_X_REQUEST_START=stamped(30))
    assert "Antrean penuh" in response.content.decode()


@override_settings(OVERLOAD_MAX_INFLIGHT=1, OVERLOAD_MAX_QUEUE_MS=0)
def test_a_process_beyond_its_inflight_limit_answers_503():
    inner: list[HttpResponse] = []

    def view(request):
        # While this request is in flight, a second one arrives at the same process.
        inner.append(middleware(RequestFactory().get("/layanan/")))
        return HttpResponse("ok")

    middleware = OverloadMiddleware(view)
    outer = middleware(RequestFactory().get("/layanan/"))
    assert outer.status_code == 200
    assert_antrean(inner[0])
    assert middleware.inflight == 0  # counted down again, also after the refused one


def test_queue_seconds_reads_nginx_msec():
    request = RequestFactory().get("/", HTTP_X_REQUEST_START="t=1000.250")
    assert queue_seconds(request, now=1001.0) == pytest.approx(0.75)
    assert queue_seconds(RequestFactory().get("/")) is None


def test_nginx_answers_503_with_retry_after_and_the_antrean_page():
    conf = (NGINX / "etam.conf").read_text()
    assert "limit_conn_zone $server_name zone=etam_inflight" in conf
    assert "limit_conn etam_inflight" in conf and "limit_conn_status 503;" in conf
    assert "error_page 503 /_antrean.html;" in conf
    assert "add_header Retry-After 10 always;" in conf
    assert 'proxy_set_header X-Request-Start "t=${msec}";' in conf
    assert "proxy_request_buffering on;" in conf
    page = (NGINX / "_antrean.html").read_text()
    assert 'lang="id"' in page and "Antrean penuh" in page and "<script" not in page
