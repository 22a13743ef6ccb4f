"""Sign-in: password, rate limiting, TOTP second factor, enrolment, registration, logout,
password change."""

import time
from binascii import unhexlify
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from etam.core.models import AuditEvent, User
from etam.core.staff_access import SECOND_FACTOR_KEY
from tests.factories import UserFactory
from tests.helpers import post_register

pytestmark = pytest.mark.django_db

PASSWORD = "Kata-Sandi-Uji-123"
NEW_PASSWORD = "Mahakam-Sungai-2025"


def code_for(device_or_key, offset_steps=0):
    key = device_or_key.key if isinstance(device_or_key, TOTPDevice) else device_or_key
    totp = TOTP(unhexlify(key))
    totp.time = time.time() + 30 * offset_steps
    return f"{totp.token():06d}"


def wrong_code(device):
    """A code that is valid at no step inside the ±1 tolerance window."""
    valid = {code_for(device, o) for o in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def post_login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


# --- password sign-in ---------------------------------------------------------------


def test_login_with_email_goes_to_next(client, province):
    response = post_login(client, "Warga1@Example.id", PASSWORD, next="/akun/")
    assert response.status_code == 302 and response.url == "/akun/"
    assert signed_in_user_id(client) == str(province.citizen.pk)


def test_login_with_phone_in_local_format(client, db):
    user = UserFactory(email=None, phone="+6281347001234")
    response = post_login(client, "0813-4700-1234", PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_staff_lands_on_the_staff_area(client, province):
    response = post_login(client, province.officer_dpmptsp.email, PASSWORD)
    assert response.url == reverse("web:staff_dashboard")


def test_wrong_password_keeps_the_identifier_and_says_so_in_indonesian(client, province):
    response = post_login(client, "warga1@example.id", "salah-sekali")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Gagal masuk" in body
    assert 'value="warga1@example.id"' in body
    assert "salah-sekali" not in body  # a password is never echoed back
    assert signed_in_user_id(client) is None


def test_next_must_stay_on_this_site(client, province):
    response = post_login(client, "warga1@example.id", PASSWORD, next="https://evil.example/")
    assert response.url == reverse("web:home")


def test_sixth_attempt_after_five_failures_is_locked_out_even_with_the_right_password(client, province):
    for _ in range(4):
        assert post_login(client, "warga1@example.id", "salah-sekali").status_code == 200
    fifth = post_login(client, "warga1@example.id", "salah-sekali")
    assert fifth.status_code == 429
    sixth = post_login(client, "warga1@example.id", PASSWORD)
    assert sixth.status_code == 429
    assert "dijeda" in sixth.content.decode()
    assert signed_in_user_id(client) is None


def test_lockout_counts_phone_spellings_as_one_account(client, db):
    UserFactory(email=None, phone="+6281347001234")
    spellings = ["081347001234", "+62 813 4700 1234", "6281347001234", "0813-4700-1234", "+6281347001234"]
    statuses = [post_login(client, s, "salah-sekali").status_code for s in spellings]
    assert statuses == [200, 200, 200, 200, 429]
    assert post_login(client, "081347001234", PASSWORD).status_code == 429


def test_another_account_is_not_locked_by_someone_elses_failures(client, province):
    for _ in range(5):
        post_login(client, "warga1@example.id", "salah-sekali")
    assert post_login(client, "warga2@example.id", PASSWORD).status_code == 302


# --- TOTP ---------------------------------------------------------------------------


@pytest.fixture
def staff_with_device(province):
    user = province.admin_dpmptsp
    device = TOTPDevice.objects.create(user=user, name="HP", confirmed=True)
    return user, device


def test_password_alone_does_not_sign_in_a_staff_member_with_a_device(client, staff_with_device):
    user, _device = staff_with_device
    response = post_login(client, user.email, PASSWORD, next=reverse("core:agency_list"))
    assert response.url == reverse("login_verify")
    assert signed_in_user_id(client) is None
    # Staff pages stay closed until the code is given.
    assert client.get(reverse("core:agency_list")).status_code == 302
    assert signed_in_user_id(client) is None


def test_wrong_code_is_refused_and_the_right_one_signs_in_verified(client, staff_with_device):
    user, device = staff_with_device
    post_login(client, user.email, PASSWORD, next=reverse("core:agency_list"))
    response = client.post(reverse("login_verify"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "Kode: kode salah" in response.content.decode()
    assert signed_in_user_id(client) is None
    # Throttled: right after a wrong code even the right code waits (2 s).
    response = client.post(reverse("login_verify"), {"code": code_for(device)})
    assert "terlalu banyak kode salah" in response.content.decode()
    assert signed_in_user_id(client) is None
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(minutes=1))
    response = client.post(reverse("login_verify"), {"code": code_for(device)})
    assert response.status_code == 302 and response.url == reverse("core:agency_list")
    assert signed_in_user_id(client) == str(user.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get(reverse("core:agency_list")).status_code == 200


def test_a_code_cannot_be_used_twice(client, staff_with_device):
    user, device = staff_with_device
    code = code_for(device)
    post_login(client, user.email, PASSWORD)
    assert client.post(reverse("login_verify"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    post_login(client, user.email, PASSWORD)
    response = client.post(reverse("login_verify"), {"code": code})
    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_wrong_codes_count_towards_the_login_rate_limit(client, staff_with_device):
    user, device = staff_with_device
    post_login(client, user.email, PASSWORD)
    statuses = []
    for _ in range(5):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)
        statuses.append(client.post(reverse("login_verify"), {"code": wrong_code(device)}).status_code)
    assert statuses == [200, 200, 200, 200, 429]
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    assert client.post(reverse("login_verify"), {"code": code_for(device)}).status_code == 429
    assert signed_in_user_id(client) is None


def test_pending_login_expires(client, staff_with_device):
    user, device = staff_with_device
    post_login(client, user.email, PASSWORD)
    session = client.session
    session["etam_pending_login"]["at"] -= 3600
    session.save()
    response = client.post(reverse("login_verify"), {"code": code_for(device)})
    assert response.status_code == 302 and response.url == reverse("login")
    assert signed_in_user_id(client) is None


def test_a_session_signed_in_elsewhere_must_still_give_its_code(client, staff_with_device):
    """force_login stands for any other login path (e.g. the Django admin form)."""
    user, device = staff_with_device
    client.force_login(user)
    assert client.session[SECOND_FACTOR_KEY] == "verify"
    response = client.get(reverse("core:agency_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login_verify"))
    # Half-signed-in sessions are anonymous to the API.
    assert client.get("/api/v1/account/me").status_code in (401, 404)
    response = client.post(reverse("login_verify") + "?next=/staf/organisasi/", {"code": code_for(device)})
    assert response.status_code == 302 and response.url == "/staf/organisasi/"
    assert client.get(reverse("core:agency_list")).status_code == 200


def test_staff_without_device_is_not_asked_for_a_code_by_default(client, province):
    client.force_login(province.admin_dpmptsp)
    assert client.get(reverse("core:agency_list")).status_code == 200


def test_required_second_factor_forces_enrolment(client, province, settings):
    settings.ETAM_REQUIRE_STAFF_2FA = True
    user = province.admin_dpmptsp
    post_login(client, user.email, PASSWORD)
    response = client.get(reverse("core:agency_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_security"))
    page = client.get(reverse("account_security"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "wajib" in body
    key = client.session["etam_totp_enrol_key"]
    response = client.post(reverse("account_security"), {"code": code_for(key)})
    # Confirmed: the answer shows the recovery codes once (tests/core/test_recovery_codes.py).
    assert response.status_code == 200 and "Kode pemulihan Anda" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert client.get(reverse("core:agency_list")).status_code == 200
    # Citizens are never asked.
    client.post(reverse("logout"))
    post_login(client, "warga1@example.id", PASSWORD)
    assert client.get(reverse("account")).status_code == 200


def test_enrolment_shows_qr_and_secret_and_refuses_a_wrong_code(client, province):
    user = province.officer_dpmptsp
    client.force_login(user)
    page = client.get(reverse("account_security")).content.decode()
    key = client.session["etam_totp_enrol_key"]
    assert "<svg" in page and "otpauth://totp/" in page
    from base64 import b32encode

    secret = b32encode(unhexlify(key)).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    valid = {code_for(key, o) for o in (-1, 0, 1)}
    bad = next(c for c in ("000000", "111111", "222222") if c not in valid)
    response = client.post(reverse("account_security"), {"code": bad})
    assert response.status_code == 200
    assert "Kode:" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not AuditEvent.objects.exists()


def test_citizens_have_no_enrolment_page(client, province):
    client.force_login(province.citizen)
    assert client.get(reverse("account_security")).status_code == 403


# --- logout, registration, password -------------------------------------------------------


def test_logout_needs_post(client, province):
    client.force_login(province.citizen)
    page = client.get(reverse("logout"))
    assert page.status_code == 200 and signed_in_user_id(client) == str(province.citizen.pk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_register_with_phone_then_sign_in(client, db):
    response = post_register(client, NEW_PASSWORD, phone="0813 4700 1234")
    # Registration does not sign in (the answer is the same for a taken number, ADR 0075).
    assert response.status_code == 302 and response.url == reverse("login")
    user = User.objects.get(phone="+6281347001234")
    assert user.kind == User.Kind.CITIZEN
    assert signed_in_user_id(client) is None
    assert AuditEvent.objects.get().action == "core.citizen_register"
    assert post_login(client, "0813 4700 1234", NEW_PASSWORD).status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_register_bad_input_keeps_values_with_indonesian_messages(client, province):
    response = post_register(client, NEW_PASSWORD, email="warga1@example.id", phone="0812", password2="lain")
    assert response.status_code == 200
    body = response.content.decode()
    assert "sudah terdaftar" not in body  # never says who has an account (ADR 0075)
    assert "Nomor telepon: 0812 bukan nomor telepon Indonesia" in body
    assert 'value="Rina Wati"' in body and 'value="0812"' in body
    assert NEW_PASSWORD not in body
    assert User.objects.filter(full_name="Rina Wati").count() == 0


def test_password_change(client, province):
    client.force_login(province.citizen)
    response = client.post(
        reverse("account_password"),
        {"old_password": "salah", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "Kata sandi saat ini" in response.content.decode()
    response = client.post(
        reverse("account_password"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(province.citizen.pk)  # the session survives its own change
    province.citizen.refresh_from_db()
    assert province.citizen.check_password(NEW_PASSWORD)


def test_own_account_form_pages_share_one_gate(client, province):
    """core.views_account.own_account_form_view: signed in, GET/POST only, the right kind of account."""
    for name in ("account_password", "account_profile", "account_security"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(province.citizen)
    assert client.put(reverse("account_profile")).status_code == 405
    assert client.get(reverse("account_profile"))["Cache-Control"].startswith("max-age=0")
    assert client.get(reverse("account_security")).status_code == 403
    client.force_login(province.officer_dpmptsp)
    assert client.get(reverse("account_profile")).status_code == 403
