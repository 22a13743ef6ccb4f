"""The suite must run in test mode however pytest is started (see etam_pytest_mode.py)."""

from django.conf import settings


def test_suite_runs_in_test_mode():
    assert settings.ETAM_MODE == "test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert not settings.DEMO_MODE
