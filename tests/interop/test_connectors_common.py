"""``interop.connectors.national_system``: the one ``Outbound`` of each national system."""

from __future__ import annotations

from django.test import override_settings

from etam.core import outbound
from etam.interop.connectors import national_system, splp


def test_national_system_is_made_once_with_its_timeout_quota_and_options():
    outbound.forget("uji")
    try:
        first = national_system("uji", timeout=2.5, daily_quota=40, attempts=2, fail_max=3)
        again = national_system("uji", timeout=99, daily_quota=1)
        assert again is first
        assert (first.name, first.timeout, first.daily_quota, first.attempts) == ("uji", 2.5, 40, 2)
        assert first.breaker.fail_max == 3
    finally:
        outbound.forget("uji")


def test_a_connector_reads_its_settings_when_its_system_is_first_made():
    outbound.forget("splp")
    try:
        with override_settings(INTEROP_SPLP_TIMEOUT=7, INTEROP_SPLP_DAILY_QUOTA=123):
            made = splp.system()
        assert (made.timeout, made.daily_quota) == (7, 123)
    finally:
        outbound.forget("splp")
