"""Sign-in limits per person and per address, on top of django-axes (docs/adr/0075-...).

- ``person_key`` (``AXES_USERNAME_CALLABLE``): django-axes counts failures per *person*, not
  per spelling: the email and the phone number of one account map to ``person:<id>``, so
  failures with the email also lock the phone sign-in. An identifier without an account
  is counted under its normalised spelling (the answer is the same either way).
- ``LoginLimitHandler`` (``AXES_HANDLER``): django-axes' database handler keeps its
  (person, address) lock (``AXES_FAILURE_LIMIT``, 5). Two more counts, kept in the atomic
  counters of ``etam.core.ratelimit`` for one cool-off period (``AXES_COOLOFF_MINUTES``), lock
  as well: failures against one person from every address (``LOGIN_ACCOUNT_FAILURE_LIMIT``,
  20: a distributed guess at one account) and failures from one address across every
  account (``LOGIN_ADDRESS_FAILURE_LIMIT``, 30: password spraying). Every path that reports
  a failed sign-in to Django (the sign-in form, the TOTP step, the admin login) counts, and
  every path django-axes guards refuses with the same lockout page (HTTP 429).
"""

from __future__ import annotations

import hashlib
from typing import Any

from axes.conf import settings  # Django's settings with django-axes' defaults filled in
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.http import HttpRequest

from etam.core import ratelimit


def _normalise(identifier: str) -> str:
    from etam.core.validators import normalise_identifier

    return normalise_identifier(identifier)


def person_key(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """``person:<id>`` for an identifier (email or phone, any spelling) of an account, else
    the normalised identifier."""
    raw = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if raw is None and request is not None and credentials is None:
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    if not raw:
        return None
    identifier = _normalise(str(raw))
    memo: dict[str, str] = getattr(request, "_etam_person_keys", None) or {}
    if identifier not in memo:
        from etam.core.models import User

        if "@" in identifier:
            pk = User.objects.filter(email__iexact=identifier).values_list("pk", flat=True).first()
        else:
            pk = User.objects.filter(phone=identifier).values_list("pk", flat=True).first()
        memo[identifier] = f"person:{pk}" if pk is not None else identifier[:200]
        if request is not None:
            request._etam_person_keys = memo  # type: ignore[attr-defined]
    return memo[identifier]


def _window_seconds(request: HttpRequest | None) -> int:
    cool_off = get_cool_off(request)
    return max(60, int(cool_off.total_seconds())) if cool_off else 15 * 60


def _keys(request: HttpRequest, credentials: dict[str, Any] | None) -> list[tuple[str, int]]:
    keys = [(f"login:address:{ratelimit.address_key(request)}", settings.LOGIN_ADDRESS_FAILURE_LIMIT)]
    person = person_key(request, credentials)
    if person:
        digest = hashlib.sha256(person.encode()).hexdigest()[:32]
        keys.append((f"login:person:{digest}", settings.LOGIN_ACCOUNT_FAILURE_LIMIT))
    return keys


class LoginLimitHandler(AxesDatabaseHandler):
    """django-axes' database handler plus the per-person and per-address counts."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        window = _window_seconds(request)
        return any(not ratelimit.peek(key, limit, window).allowed for key, limit in _keys(request, credentials))

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or self.is_whitelisted(request, credentials):
            return
        window = _window_seconds(request)
        over = False
        for key, limit in _keys(request, credentials):
            over = ratelimit.hit(key, limit, window).count >= limit or over
        if over and settings.AXES_LOCK_OUT_AT_FAILURE and not getattr(request, "axes_locked_out", False):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=person_key(request, credentials),
                ip_address=getattr(request, "axes_ip_address", None),
            )
