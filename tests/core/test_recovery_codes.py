"""Recovery codes: made at enrolment, single use at /masuk/verifikasi/, regenerable, audited."""

import re
import time
from binascii import unhexlify
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from etam.core import services
from etam.core.models import AuditEvent
from tests.helpers import run_threads

pytestmark = pytest.mark.django_db

PASSWORD = "Kata-Sandi-Uji-123"
CODE = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>")


def totp_code(key):
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    return f"{totp.token():06d}"


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def unthrottle(user):
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None, throttling_failure_count=0)


@pytest.fixture
def enrolled(province):
    """A staff member with an authenticator and a fresh set of recovery codes."""
    user = province.admin_dpmptsp
    TOTPDevice.objects.create(user=user, name="HP", confirmed=True)
    codes = services.recovery_codes_generate(actor=user, user=user)
    return user, codes


def start_login(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.url == reverse("login_verify")


def test_enrolment_shows_eight_codes_once(client, province):
    user = province.officer_dpmptsp
    client.force_login(user)
    client.get(reverse("account_security"))
    key = client.session["etam_totp_enrol_key"]
    response = client.post(reverse("account_security"), {"code": totp_code(key)})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    shown = CODE.findall(response.content.decode())
    assert len(shown) == len(set(shown)) == 8
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {services.recovery_code_digest(c) for c in shown}  # hashed at rest (issue 10)
    event = AuditEvent.objects.get(action="core.recovery_codes_generate")
    assert event.changes == {"device": StaticDevice.objects.get(user=user).persistent_id, "created": 8, "replaced": 0}
    assert not any(c.replace("-", "") in str(event.changes) for c in shown)  # the codes are never audited
    # Later visits show how many are left, never the codes.
    page = client.get(reverse("account_security")).content.decode()
    assert not CODE.findall(page)
    assert "8" in page


def test_a_recovery_code_signs_in_once(client, enrolled):
    user, codes = enrolled
    start_login(client, user)
    response = client.post(reverse("login_verify"), {"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)
    assert client.session["otp_device_id"] == StaticDevice.objects.get(user=user).persistent_id
    assert client.get(reverse("core:agency_list")).status_code == 200
    assert services.recovery_codes_remaining(user) == 7
    event = AuditEvent.objects.get(action="core.recovery_code_use")
    assert event.changes["remaining"] == 7 and event.actor_id == user.pk
    # Spent: the same code does not work again.
    client.post(reverse("logout"))
    start_login(client, user)
    response = client.post(reverse("login_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert "sudah dipakai" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert services.recovery_codes_remaining(user) == 7
    # Another one does (after the back-off of the wrong try).
    unthrottle(user)
    assert client.post(reverse("login_verify"), {"code": codes[1]}).status_code == 302
    assert services.recovery_codes_remaining(user) == 6


def test_wrong_recovery_codes_are_throttled_and_count_towards_the_rate_limit(client, enrolled):
    user, codes = enrolled
    start_login(client, user)
    response = client.post(reverse("login_verify"), {"code": "aaaa-aaaa"})
    assert response.status_code == 200
    # Right after a wrong code even a right one waits.
    response = client.post(reverse("login_verify"), {"code": codes[0]})
    assert "terlalu banyak kode salah" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert services.recovery_codes_remaining(user) == 8  # nothing spent while throttled
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))
    statuses = []
    for _ in range(3):
        unthrottle(user)
        statuses.append(client.post(reverse("login_verify"), {"code": "bbbb-bbbb"}).status_code)
    # Five failed tries in all (two before, three here): axes locks the identifier.
    assert statuses == [200, 200, 429]
    unthrottle(user)
    assert client.post(reverse("login_verify"), {"code": codes[0]}).status_code == 429
    assert signed_in_user_id(client) is None
    assert not AuditEvent.objects.filter(action="core.recovery_code_use").exists()


def test_regenerating_replaces_the_old_codes(client, enrolled):
    user, codes = enrolled
    start_login(client, user)
    client.post(reverse("login_verify"), {"code": codes[0]})
    response = client.post(reverse("account_security"), {"action": "recovery_codes"})
    assert response.status_code == 200
    fresh = CODE.findall(response.content.decode())
    assert len(fresh) == 8 and not set(fresh) & set(codes)
    assert services.recovery_codes_remaining(user) == 8
    event = AuditEvent.objects.filter(action="core.recovery_codes_generate").latest("id")
    assert event.changes["replaced"] == 7 and event.changes["created"] == 8
    client.post(reverse("logout"))
    start_login(client, user)
    assert client.post(reverse("login_verify"), {"code": codes[1]}).status_code == 200
    unthrottle(user)
    assert client.post(reverse("login_verify"), {"code": fresh[0]}).status_code == 302


def test_regenerating_needs_a_verified_session(client, enrolled):
    user, _codes = enrolled
    client.force_login(user)  # owes its code: not verified
    before = (sorted(StaticToken.objects.values_list("token", flat=True)), AuditEvent.objects.count())
    response = client.post(reverse("account_security"), {"action": "recovery_codes"})
    assert response.status_code in (302, 403)
    assert (sorted(StaticToken.objects.values_list("token", flat=True)), AuditEvent.objects.count()) == before


def test_only_the_owner_makes_codes_and_only_with_an_authenticator(province, enrolled):
    user, _codes = enrolled
    before = (sorted(StaticToken.objects.values_list("token", flat=True)), AuditEvent.objects.count())
    for actor in (province.superadmin, province.admin_kaltim):
        with pytest.raises(PermissionDenied):
            services.recovery_codes_generate(actor=actor, user=user)
    with pytest.raises(PermissionDenied):
        services.recovery_codes_generate(actor=province.citizen, user=province.citizen)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.recovery_codes_generate(actor=province.officer_dpmptsp, user=province.officer_dpmptsp)
    assert (sorted(StaticToken.objects.values_list("token", flat=True)), AuditEvent.objects.count()) == before


def test_removing_the_authenticator_removes_the_recovery_codes(province, enrolled):
    user, _codes = enrolled
    services.totp_device_remove(actor=province.superadmin, user=user)
    assert not StaticDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.exists()


def test_the_six_digit_code_still_works_next_to_recovery_codes(client, enrolled):
    user, _codes = enrolled
    device = TOTPDevice.objects.get(user=user)
    start_login(client, user)
    assert client.post(reverse("login_verify"), {"code": totp_code(device.key)}).status_code == 302
    assert services.recovery_codes_remaining(user) == 8


# Issue 10, finding 8: ADR 0006 left the codes in clear in otp_static's table.
def test_recovery_codes_are_hashed_at_rest(enrolled):
    user, codes = enrolled
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    plain = {c.replace("-", "") for c in codes}
    assert len(stored) == 8 and not stored & plain
    assert not any(p in s for s in stored for p in plain)
    # a stored value typed at the code step is not a code
    device = StaticDevice.objects.get(user=user)
    assert services.recovery_code_use(user=user, code=next(iter(stored)))[0] is None
    unthrottle(user)
    assert services.recovery_code_use(user=user, code=codes[0])[0] == device


def test_codes_made_before_a_secret_key_rotation_still_work(settings, enrolled):
    user, codes = enrolled
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-secret-key-" * 4
    assert services.recovery_code_use(user=user, code=codes[0])[0] is not None
    assert services.recovery_codes_remaining(user) == 7


def test_migration_hashes_codes_stored_in_clear(province):
    import importlib

    from django.apps import apps

    user = province.admin_dpmptsp
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in ("abcdefgh", "ijklmnop")])
    migration = importlib.import_module("etam.core.migrations.0005_hash_recovery_codes")
    migration.hash_plain_codes(apps, None)
    migration.hash_plain_codes(apps, None)  # a second run changes nothing
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert "abcdefgh" not in stored and len(stored) == 2
    assert services.recovery_code_use(user=user, code="ABCD-EFGH")[0] == device
    assert services.recovery_codes_remaining(user) == 1


@pytest.mark.django_db(transaction=True)
def test_one_hashed_code_spent_by_racing_requests_signs_in_once(province):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's shared-cache test database cannot run concurrent writers")
    user = province.admin_dpmptsp
    TOTPDevice.objects.create(user=user, name="HP", confirmed=True)
    code = services.recovery_codes_generate(actor=user, user=user)[0]
    barrier, results = threading.Barrier(6), []

    def spend():
        try:
            barrier.wait(timeout=10)
            results.append(services.recovery_code_use(user=user, code=code)[0] is not None)
        finally:
            connection.close()

    run_threads(spend, 6, timeout=60)
    assert len(results) == 6 and results.count(True) == 1
    assert services.recovery_codes_remaining(user) == 7
