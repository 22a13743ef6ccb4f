"""Password hashing (docs/adr/0166): new passwords are Argon2id at OWASP's parameters, an older
PBKDF2 hash still signs in and is rewritten as Argon2id at that sign-in, and test mode keeps its
fast hasher. Runs with the production list of hashers (settings.ETAM_PASSWORD_HASHERS)."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, identify_hasher, make_password
from django.urls import reverse

from etam.core.hashers import EtamArgon2PasswordHasher
from etam.core.models import User
from tests.factories import UserFactory
from tests.helpers import post_register

pytestmark = pytest.mark.django_db

PASSWORD = "Mahakam-Sungai-2025"


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = settings.ETAM_PASSWORD_HASHERS


def test_test_mode_keeps_its_fast_hasher_and_production_puts_argon2id_first():
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.ETAM_PASSWORD_HASHERS[0] == "etam.core.hashers.EtamArgon2PasswordHasher"
    # PBKDF2 stays listed, so the hashes made before this decision still verify.
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in settings.ETAM_PASSWORD_HASHERS


def test_the_hasher_uses_owasp_parameters(production_hashers):
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    hasher = get_hasher("default")
    assert isinstance(hasher, EtamArgon2PasswordHasher)
    assert hasher.verify(PASSWORD, encoded) and not hasher.verify("salah", encoded)
    assert not hasher.must_update(encoded)


def test_registration_stores_an_argon2id_hash(client, production_hashers):
    response = post_register(client, PASSWORD, email="rina@example.id")
    assert response.status_code == 302
    user = User.objects.get(email="rina@example.id")
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in user.password


def test_an_old_pbkdf2_hash_signs_in_and_is_upgraded(client, production_hashers):
    old = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user = UserFactory(email="lama@example.id")
    User.objects.filter(pk=user.pk).update(password=old)

    response = client.post(reverse("login"), {"username": "lama@example.id", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    user.refresh_from_db()
    assert isinstance(identify_hasher(user.password), EtamArgon2PasswordHasher)
    assert user.password != old
    # And the new hash signs in too.
    client.logout()
    assert client.post(reverse("login"), {"username": "lama@example.id", "password": PASSWORD}).status_code == 302


def test_a_wrong_password_against_an_old_hash_is_refused_and_nothing_changes(client, production_hashers):
    old = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user = UserFactory(email="lama@example.id")
    User.objects.filter(pk=user.pk).update(password=old)

    response = client.post(reverse("login"), {"username": "lama@example.id", "password": "Bukan-Sandinya-1"})

    assert response.status_code == 200
    assert client.session.get("_auth_user_id") is None
    user.refresh_from_db()
    assert user.password == old


def test_an_argon2_hash_with_other_parameters_is_rehashed_at_sign_in(client, production_hashers):
    class Lighter(EtamArgon2PasswordHasher):
        memory_cost = 8 * 1024

    weaker = Lighter().encode(PASSWORD, Lighter().salt())
    user = UserFactory(email="argon@example.id")
    User.objects.filter(pk=user.pk).update(password=weaker)

    assert client.post(reverse("login"), {"username": "argon@example.id", "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password
