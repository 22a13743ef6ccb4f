"""Issue 10, finding 8: staff passwords need 12+ characters mixing letter case, digits and symbols
(Peraturan BSSN 4/2021); citizens keep the general rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from etam.core import services
from etam.core.models import AuditEvent, Role, User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

WEAK_FOR_STAFF = [
    ("Sungai-2025", "12"),  # 11 characters, every class
    ("kata-sandi-uji-123", "huruf besar"),  # long, no upper-case letter
    ("MAHAKAMSUNGAI2025", "huruf kecil"),  # no lower-case letter, no symbol
    ("Mahakam-Sungai-Lagi", "angka"),  # no digit
]


@pytest.mark.parametrize(("password", "hint"), WEAK_FOR_STAFF)
def test_staff_creation_refuses_a_weak_password_naming_the_field(province, password, hint):
    users, events = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.staff_user_create(
            actor=province.admin_kaltim,
            full_name="Pegawai Baru",
            email="baru@kaltimprov.go.id",
            password=password,
            role=Role.SERVICE_OFFICER,
            agency=province.dpmptsp,
        )
    messages = refused.value.message_dict["password"]
    assert any(m.startswith("Kata sandi:") and hint in m for m in messages), messages
    assert User.objects.count() == users and AuditEvent.objects.count() == events


def test_staff_creation_accepts_a_strong_password(province):
    user = services.staff_user_create(
        actor=province.admin_kaltim,
        full_name="Pegawai Baru",
        email="baru@kaltimprov.go.id",
        password="Mahakam-Sungai-2025",
        role=Role.SERVICE_OFFICER,
        agency=province.dpmptsp,
    )
    assert user.check_password("Mahakam-Sungai-2025")


def test_citizens_keep_the_general_rule(db):
    citizen = services.citizen_register(full_name="Warga", email="warga@example.id", password="kata-sandi-warga")
    assert citizen.check_password("kata-sandi-warga")


def test_staff_password_change_refuses_a_weak_password(client, province):
    officer = province.officer_dpmptsp
    old_hash = User.objects.get(pk=officer.pk).password
    client.force_login(officer)
    page = client.get(reverse("account_password")).content.decode()
    assert "12" in page  # the help text says what a staff password needs
    response = client.post(
        reverse("account_password"),
        {"old_password": TEST_PASSWORD, "new_password1": "sungai-mahakam", "new_password2": "sungai-mahakam"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Kata sandi: kata sandi pegawai" in body
    assert User.objects.get(pk=officer.pk).password == old_hash


def test_factories_and_demo_password_satisfy_the_staff_rule(province):
    from django.contrib.auth.password_validation import validate_password

    from etam.core import demo

    staff = province.officer_dpmptsp
    validate_password(TEST_PASSWORD, user=staff)
    validate_password(demo.DEMO_PASSWORD, user=staff)
