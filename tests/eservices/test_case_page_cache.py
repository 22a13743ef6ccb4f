"""The citizen's case page (the status poll) is kept rendered per person, language and version
of the case (docs/adr/0168): a change to the case shows at once, nobody else ever gets it, and
each answer carries its own CSRF token and CSP nonce."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from etam.eservices import services
from tests.eservices.conftest import drive

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
NONCE = re.compile(r'<style nonce="([^"]+)"')


@pytest.fixture(autouse=True)
def case_cache(settings):
    settings.CASE_PAGE_CACHE_SECONDS = 60
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


def kept() -> list[str]:
    return [key for key in cache._cache if "casepage:" in key]  # type: ignore[attr-defined]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_second_poll_is_served_from_the_kept_rendering(province, submitted, django_assert_max_num_queries):
    url = f"/permohonan/{submitted.application.tracking_number}/"
    citizen = signed_in(province.citizen)
    first = citizen.get(url)
    assert first.status_code == 200 and len(kept()) == 1
    # Served kept: no events, document, region or template queries (session, user, case,
    # actions, links and the one stamp query only).
    with django_assert_max_num_queries(7):
        second = citizen.get(url)
    assert second.status_code == 200
    assert TOKEN.sub("", NONCE.sub("", second.content.decode())) == TOKEN.sub("", NONCE.sub("", first.content.decode()))
    assert "no-store" in second["Cache-Control"]  # still the person's own page (ADR 0079)


def test_each_answer_has_its_own_token_and_nonce(province, submitted):
    url = f"/permohonan/{submitted.application.tracking_number}/"
    citizen = signed_in(province.citizen)
    citizen.get(url)
    kept_answer = citizen.get(url)
    body = kept_answer.content.decode()
    nonce = NONCE.search(body).group(1)
    assert f"'nonce-{nonce}'" in kept_answer["Content-Security-Policy"]
    assert "\x00" not in body
    token = TOKEN.search(body).group(1)
    # The sign-out form's token works with this browser's cookie.
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies = citizen.cookies
    assert csrf_client.post("/keluar/", {"csrfmiddlewaretoken": token}).status_code in (302, 303)


def test_a_change_to_the_case_shows_at_once(province, submitted):
    application = submitted.application
    url = f"/permohonan/{application.tracking_number}/"
    citizen = signed_in(province.citizen)
    before = citizen.get(url).content.decode()
    application = drive(application, province.officer_dpmptsp, "mulai_verifikasi")
    services.application_act(
        actor=province.officer_dpmptsp, application=application, action="minta_perbaikan", reason="Judul kurang jelas"
    )
    after = citizen.get(url).content.decode()
    assert "Judul kurang jelas" not in before
    assert "Judul kurang jelas" in after and "/perbaikan/" in after
    assert len(kept()) == 2  # a new version, kept under its own key


def test_another_person_never_gets_the_kept_page(province, submitted):
    url = f"/permohonan/{submitted.application.tracking_number}/"
    signed_in(province.citizen).get(url)
    assert len(kept()) == 1
    for user in (province.other_citizen, province.admin_diskominfo):
        assert signed_in(user).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page
    assert len(kept()) == 1


def test_a_waiting_message_is_rendered_not_served_kept(province, submitted):
    url = f"/permohonan/{submitted.application.tracking_number}/"
    citizen = signed_in(province.citizen)
    citizen.get(url)
    citizen.cookies["messages"] = "pending"
    citizen.get(url)
    assert len(kept()) == 1


def test_off_when_zero(province, submitted, settings):
    settings.CASE_PAGE_CACHE_SECONDS = 0
    signed_in(province.citizen).get(f"/permohonan/{submitted.application.tracking_number}/")
    assert kept() == []
