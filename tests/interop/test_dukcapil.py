"""The Dukcapil connector against its fake server: answers, the quota, slow and down (ADR 0153)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache

from etam.core import ratelimit
from etam.interop.connectors import dukcapil

pytestmark = pytest.mark.django_db


def check(nik="6472011505900001", name="Budi Santoso", born=date(1990, 5, 15)):
    return dukcapil.verify_nik(nik=nik, full_name=name, birth_date=born)


def test_a_matching_resident_is_verified_and_the_answer_reused(registry):
    first = check()
    assert first.status == dukcapil.VERIFIED and not first.cached
    assert first.fields == {"NIK": True, "NAMA_LGKP": True, "TGL_LHR": True}
    again = check(name="  budi   santoso ")
    assert again.status == dukcapil.VERIFIED and again.cached
    assert registry.app.calls == 1  # the quota is spent once


def test_a_name_or_birth_date_that_differs_is_a_mismatch_naming_the_field(registry):
    wrong_date = check(born=date(1990, 5, 16))
    assert wrong_date.status == dukcapil.MISMATCH and wrong_date.reason == "TGL_LHR"
    wrong_name = check(name="Joko Widodo")
    assert wrong_name.status == dukcapil.MISMATCH and wrong_name.fields["NAMA_LGKP"] is False
    unknown = check(nik="6472019999990009")
    assert unknown.status == dukcapil.MISMATCH and unknown.reason == "not_found"


def test_a_spent_quota_is_unavailable_not_a_mismatch_and_not_cached(registry):
    registry.app.quota = 1
    assert check().status == dukcapil.VERIFIED
    spent = check(nik="6472014708950002", name="Siti Aminah", born=date(1995, 8, 7))
    assert (spent.status, spent.reason) == (dukcapil.UNAVAILABLE, "quota")
    registry.app.quota = 10  # the next day
    assert check(nik="6472014708950002", name="Siti Aminah", born=date(1995, 8, 7)).status == dukcapil.VERIFIED


def test_etams_own_daily_cap_keeps_calls_from_leaving(registry, settings):
    settings.INTEROP_DUKCAPIL_DAILY_QUOTA = 1
    ratelimit.reset_all()
    assert check().status == dukcapil.VERIFIED
    capped = check(nik="6472014708950002", name="Siti Aminah", born=date(1995, 8, 7))
    assert (capped.status, capped.reason) == (dukcapil.UNAVAILABLE, "quota")
    assert registry.app.calls == 1


def test_slow_and_down_are_unavailable(registry):
    registry.app.delay = 2.0
    slow = check()
    assert (slow.status, slow.reason) == (dukcapil.UNAVAILABLE, "timeout")
    registry.stop()
    down = check()
    assert down.status == dukcapil.UNAVAILABLE and down.reason in {"down", "circuit"}
    assert cache.get(dukcapil._cache_key("6472011505900001", "Budi Santoso", date(1990, 5, 15))) is None


def test_wrong_credentials_are_unavailable_and_logged(registry, settings):
    settings.INTEROP_DUKCAPIL_PASSWORD = "salah"
    result = check()
    assert (result.status, result.reason) == (dukcapil.UNAVAILABLE, "http_401")
