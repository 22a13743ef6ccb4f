"""Sign-in and registration limits that cannot be dodged (issue 10, finding 3): lockout per
person (email and phone share it), spraying many accounts from one address, registration
throttled per address and silent about which emails and phones have accounts."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from etam.core.models import User
from tests.factories import UserFactory
from tests.helpers import post_register

pytestmark = pytest.mark.django_db

PASSWORD = "Kata-Sandi-Uji-123"
NEW_PASSWORD = "Mahakam-Sungai-2025"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    try:
        from etam.core import ratelimit
    except ImportError:  # before the fix
        pass
    else:
        ratelimit.reset_all()


def post_login(client, username, password, address="198.51.100.20", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def test_failures_with_the_email_lock_the_phone_sign_in_of_the_same_person(client, db):
    UserFactory(email="rina@example.id", phone="+6281347001234")
    statuses = [post_login(client, "rina@example.id", "salah-sekali").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # Same person, other identifier, right password: still locked.
    response = post_login(client, "0813 4700 1234", PASSWORD)
    assert response.status_code == 429
    assert client.session.get("_auth_user_id") is None


def test_mixed_email_and_phone_failures_count_as_one_person(client, db):
    UserFactory(email="rina@example.id", phone="+6281347001234")
    identifiers = ["rina@example.id", "081347001234", "RINA@example.id", "+62 813 4700 1234", "rina@example.id"]
    statuses = [post_login(client, i, "salah-sekali").status_code for i in identifiers]
    assert statuses == [200, 200, 200, 200, 429]


def test_one_account_attacked_from_many_addresses_is_locked(client, db):
    UserFactory(email="rina@example.id")
    statuses = [
        post_login(client, "rina@example.id", "salah-sekali", address=f"203.0.113.{n}").status_code for n in range(25)
    ]
    assert 429 in statuses
    # Past the per-account limit, the right password from a fresh address waits too.
    assert post_login(client, "rina@example.id", PASSWORD, address="203.0.113.200").status_code == 429


def test_spraying_many_accounts_from_one_address_is_limited(client, db):
    accounts = [UserFactory(email=f"warga{n}@example.id") for n in range(40)]
    statuses = [post_login(client, a.email, "salah-sekali", address="198.51.100.30").status_code for a in accounts]
    assert 429 in statuses
    assert statuses.count(200) < 40
    # The address is paused even for an account it never tried; another address is not.
    fresh = UserFactory(email="baru@example.id")
    assert post_login(client, fresh.email, PASSWORD, address="198.51.100.30").status_code == 429
    assert post_login(client, fresh.email, PASSWORD, address="198.51.100.31").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_forwarded_for_does_not_reset_the_login_lockout(client, db):
    UserFactory(email="rina@example.id")
    statuses = [
        post_login(client, "rina@example.id", "salah-sekali", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(5)
    ]
    assert statuses[-1] == 429


def register(client, address="198.51.100.40", **fields):
    return post_register(client, NEW_PASSWORD, meta={"REMOTE_ADDR": address}, **fields)


def _visible(response, client) -> tuple[int, str, str]:
    """What a visitor sees: status, where it leads, and the text of the next page."""
    location = response.get("Location", "")
    page = client.get(location) if location else response
    text = page.content.decode()
    main = text[text.find("<main") : text.find("</main>")]
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)  # random per response
    return response.status_code, location, main


@pytest.mark.parametrize(
    "field,taken,fresh",
    [
        ("email", "warga1@example.id", "baru@example.id"),
        ("phone", "0813 4700 1234", "0813 4700 9999"),
    ],
)
def test_registering_a_taken_email_or_phone_answers_like_a_new_one(client, db, field, taken, fresh):
    owner = UserFactory(email="warga1@example.id", phone="+6281347001234")
    owner_password = owner.password
    first = _visible(register(client, **{field: taken}), client)
    client.logout()
    second = _visible(register(client, address="198.51.100.41", **{field: fresh}), client)
    assert first == second
    owner.refresh_from_db()
    assert owner.password == owner_password  # the existing account is untouched
    assert User.objects.filter(full_name="Rina Wati").count() == 1  # only the fresh one


@override_settings(REGISTRATION_RATE_LIMIT="5/h")
def test_registration_is_throttled_per_address(client, db):
    statuses = [register(client, email=f"orang{n}@example.id", address="198.51.100.50").status_code for n in range(8)]
    assert statuses == [302] * 5 + [429] * 3
    assert User.objects.filter(full_name="Rina Wati").count() == 5
    assert register(client, email="lain@example.id", address="198.51.100.51").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "expected"),
    [(0, "10.0.0.2"), (1, "203.0.113.77")],
)
def test_audit_trail_and_lockout_record_the_address_the_proxy_setting_vouches_for(client, db, proxies, expected):
    from axes.models import AccessAttempt

    from etam.core.models import AuditEvent

    headers = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.77"}
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        post_register(client, NEW_PASSWORD, meta=headers, email="baru@example.id")
        client.post(reverse("login"), {"username": "orang@example.id", "password": "salah"}, **headers)
    assert AuditEvent.objects.get(action="core.citizen_register").ip_address == expected
    assert AccessAttempt.objects.get().ip_address == expected
