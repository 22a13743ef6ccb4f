"""Citizen password recovery (issue 15, docs/adr/0131): the same answer for every identifier,
throttled, codes sent by email or SMS, stored only as a hash, single-use and short-lived;
and the citizen's profile page."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from etam.core import services
from etam.core.models import AuditEvent, PasswordRecoveryCode, User
from etam.core.services.password_recovery import MAX_WRONG_ATTEMPTS
from tests.factories import TEST_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mahakam-Sungai-2025"
REQUEST = "/lupa-kata-sandi/"
CODE = "/lupa-kata-sandi/kode/"


def code_from_mail() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def ask(client, identifier):
    return client.post(REQUEST, {"identifier": identifier}, follow=True)


def finish(client, code, password=NEW_PASSWORD):
    return client.post(CODE, {"code": code, "new_password1": password, "new_password2": password})


def shown_message(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.search(r'<ul class="msgs"[^>]*>(.*?)</ul>', html, re.S).group(1))


def test_the_sign_in_page_links_to_recovery(client):
    assert 'href="/lupa-kata-sandi/"' in client.get("/masuk/").content.decode()


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, province):
    known = ask(client, "WARGA1@example.id")
    assert known.redirect_chain == [(CODE, 302)] and len(mail.outbox) == 1
    unknown = ask(client, "tidak-ada@example.id")
    assert unknown.redirect_chain == [(CODE, 302)] and len(mail.outbox) == 1  # nothing sent
    staff = ask(client, province.officer_dpmptsp.email)  # staff recover through their admin (ADR 0006)
    assert staff.redirect_chain == [(CODE, 302)] and len(mail.outbox) == 1
    texts = [shown_message(r) for r in (known, unknown, staff)]
    assert texts[0].replace("warga1@example.id", "X") == texts[1].replace("tidak-ada@example.id", "X")
    assert "kode 6 angka" in texts[0]
    assert PasswordRecoveryCode.objects.count() == 1


def test_a_code_by_email_resets_the_password_once(client, province):
    ask(client, "warga1@example.id")
    message = mail.outbox[0]
    assert message.to == ["warga1@example.id"] and "Etam" in message.subject
    code = code_from_mail()
    row = PasswordRecoveryCode.objects.get()
    assert code not in row.code_digest and len(row.code_digest) == 64  # only a keyed hash is kept
    response = finish(client, code)
    assert response.status_code == 302 and response["Location"] == "/masuk/"
    user = User.objects.get(pk=province.citizen.pk)
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="core.password_recovery_complete", object_id=str(user.pk)).count() == 1
    # Single use: the same code again, in a new recovery session, is refused.
    ask(client, "tidak-ada@example.id")  # (a session pointing elsewhere does not help either)
    client.session.save()
    session = client.session
    session["etam_recovery_identifier"] = "warga1@example.id"
    session.save()
    again = finish(client, code, "Sungai-Kedua-2026")
    assert again.status_code == 200
    assert "Kode: kode salah, sudah dipakai, atau kedaluwarsa" in again.content.decode()
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)


def test_a_code_by_sms_is_written_to_the_demo_outbox(client, db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    person = UserFactory(email=None, phone="+6281234567890")
    response = ask(client, "0812 3456 7890")
    assert response.redirect_chain == [(CODE, 302)]
    lines = (tmp_path / "log" / "sms.log").read_text(encoding="utf-8").splitlines()
    sent = json.loads(lines[-1])
    assert sent["to"] == "+6281234567890" and sent["channel"] == "sms"
    code = re.search(r"\b(\d{6})\b", sent["body"]).group(1)
    assert finish(client, code).status_code == 302
    assert User.objects.get(pk=person.pk).check_password(NEW_PASSWORD)


def test_an_expired_code_is_refused(client, province):
    ask(client, "warga1@example.id")
    PasswordRecoveryCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = finish(client, code_from_mail())
    assert response.status_code == 200
    assert "sudah dipakai, atau kedaluwarsa" in response.content.decode()
    assert User.objects.get(pk=province.citizen.pk).check_password(TEST_PASSWORD)


def test_wrong_codes_kill_the_code(client, province):
    ask(client, "warga1@example.id")
    code = code_from_mail()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(MAX_WRONG_ATTEMPTS):
        assert finish(client, wrong).status_code == 200
    assert finish(client, code).status_code == 200  # right code, too late
    assert User.objects.get(pk=province.citizen.pk).check_password(TEST_PASSWORD)


def test_a_new_request_replaces_the_open_code(client, province):
    ask(client, "warga1@example.id")
    first = code_from_mail()
    ask(client, "warga1@example.id")
    second = code_from_mail()
    assert PasswordRecoveryCode.objects.count() == 1
    if first != second:
        assert finish(client, first).status_code == 200
    assert finish(client, second).status_code == 302


def test_a_weak_password_keeps_the_code_unspent(client, province):
    ask(client, "warga1@example.id")
    code = code_from_mail()
    weak = finish(client, code, "12345")
    assert weak.status_code == 200 and "Kata sandi baru" in weak.content.decode()
    assert finish(client, code).status_code == 302


def test_requests_are_throttled_per_person_with_the_same_answer(client, province):
    for _ in range(3):
        assert ask(client, "warga1@example.id").redirect_chain == [(CODE, 302)]
        assert ask(client, "orang-lain@example.id").redirect_chain == [(CODE, 302)]
    known = client.post(REQUEST, {"identifier": "warga1@example.id"})
    unknown = client.post(REQUEST, {"identifier": "orang-lain@example.id"})
    assert known.status_code == unknown.status_code == 429
    assert "Terlalu banyak percobaan" in known.content.decode()
    assert known["Retry-After"] and unknown["Retry-After"]
    assert len(mail.outbox) == 3


def test_code_tries_are_throttled_per_network(client, province):
    ask(client, "warga1@example.id")
    statuses = {finish(client, "000000").status_code for _ in range(20)}
    assert statuses == {200}
    assert finish(client, code_from_mail()).status_code == 429


def test_the_code_page_needs_a_request_first(client):
    assert client.get(CODE)["Location"] == REQUEST


def test_bad_input_names_the_field(client, province):
    response = client.post(REQUEST, {"identifier": ""})
    assert response.status_code == 200 and "Email atau nomor HP" in response.content.decode()
    ask(client, "warga1@example.id")
    response = client.post(CODE, {"code": "", "new_password1": "a", "new_password2": "b"})
    assert response.status_code == 200 and "tidak sama" in response.content.decode()


# --- profile ---------------------------------------------------------------------------


def test_a_citizen_changes_name_phone_and_email(client, province):
    client.force_login(province.citizen)
    page = client.get("/akun/profil/").content.decode()
    assert 'value="Warga Satu"' in page
    response = client.post(
        "/akun/profil/", {"full_name": "Warga Satu Baru", "email": "baru@example.id", "phone": "0812 1111 2222"}
    )
    assert response.status_code == 302 and response["Location"] == "/akun/"
    user = User.objects.get(pk=province.citizen.pk)
    assert (user.full_name, user.email, user.phone) == ("Warga Satu Baru", "baru@example.id", "+6281211112222")
    event = AuditEvent.objects.get(action="core.citizen_profile_update")
    assert event.actor_id == user.pk


def test_profile_errors_keep_what_was_typed(client, province):
    client.force_login(province.citizen)
    response = client.post("/akun/profil/", {"full_name": "", "email": "warga2@example.id", "phone": "12"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nama lengkap" in html and 'value="warga2@example.id"' in html and 'value="12"' in html
    assert User.objects.get(pk=province.citizen.pk).full_name == "Warga Satu"


def test_staff_do_not_use_the_citizen_profile(client, province):
    client.force_login(province.officer_dpmptsp)
    assert client.get("/akun/profil/").status_code == 403


def test_nobody_changes_another_citizens_profile(province):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.citizen_profile_update(
            actor=province.other_citizen, user=province.citizen, full_name="X", email="x@example.id", phone=""
        )
    assert User.objects.get(pk=province.citizen.pk).full_name == "Warga Satu"
    assert AuditEvent.objects.count() == before


def test_staff_factory_accounts_get_no_code(client, db):
    staff = StaffFactory()
    ask(client, staff.email)
    assert mail.outbox == [] and not PasswordRecoveryCode.objects.exists()
