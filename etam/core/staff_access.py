"""Who may open a staff page, and the second-factor gate in front of every page.

A session that signed in with a password but still owes its TOTP code (or, with
``ETAM_REQUIRE_STAFF_2FA``, a staff member who has not enrolled an authenticator yet)
carries a small flag in the session, set when the login happens. The middleware reads
only that flag, so pages pay no extra query: a pending session is sent to the
verification (or enrolment) page, and on the API it counts as anonymous.
See docs/adr/0006-staff-second-factor-and-login-rate-limiting.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse

from etam.core.actors import Actor
from etam.core.models import User

SECOND_FACTOR_KEY = "etam_second_factor"  # "verify" | "enrol"
VERIFY = "verify"
ENROL = "enrol"


def staff_needs_enrolment(user: Any) -> bool:
    return bool(getattr(settings, "ETAM_REQUIRE_STAFF_2FA", False)) and user.kind == User.Kind.STAFF


def second_factor_state(user: Actor) -> str | None:
    """What this user still owes after a password sign-in: "verify", "enrol" or nothing."""
    from etam.core.selectors import has_confirmed_totp_device

    if has_confirmed_totp_device(user):
        return VERIFY
    if staff_needs_enrolment(user):
        return ENROL
    return None


def note_second_factor(sender: Any, request: HttpRequest | None, user: Actor, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: remember in the session what the login still owes.

    Whatever path signed the user in (our login view, the Django admin login, a test's
    ``force_login``) goes through here.
    """
    session = getattr(request, "session", None)
    if session is None:
        return
    if getattr(user, "otp_device", None) is not None:
        # Signed in together with a verified device (our TOTP step).
        session.pop(SECOND_FACTOR_KEY, None)
        return
    state = second_factor_state(user)
    if state:
        session[SECOND_FACTOR_KEY] = state
    else:
        session.pop(SECOND_FACTOR_KEY, None)


def pending_second_factor(request: HttpRequest) -> str | None:
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    session = getattr(request, "session", None)
    if session is None:
        return None
    state = session.get(SECOND_FACTOR_KEY)
    if state is None:
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    is_verified = getattr(user, "is_verified", None)
    if state == VERIFY and is_verified is not None and is_verified():
        session.pop(SECOND_FACTOR_KEY, None)
        return None
    return str(state)


def _always_open_paths() -> tuple[str, ...]:
    return (
        reverse("logout"),
        reverse("set_language"),
        settings.STATIC_URL,
        "/healthz",
        "/readyz",
    )


class SecondFactorMiddleware:
    """Sends sessions that owe a second factor to the TOTP step (or enrolment)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = pending_second_factor(request)
        if state is not None:
            target = reverse("login_verify") if state == VERIFY else reverse("account_security")
            path = request.path
            if path != target and not path.startswith(_always_open_paths()):
                if path.startswith("/api/"):
                    # The API never answers for a half-signed-in session.
                    request.user = AnonymousUser()
                else:
                    return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def login_url() -> str:
    """Where an anonymous visitor is sent: ``LOGIN_URL``, or the sign-in page if it does not resolve."""
    try:
        return resolve_url(settings.LOGIN_URL)
    except NoReverseMatch:
        return "/masuk/"


def is_staff_kind(user: Actor | None) -> bool:
    """A signed-in staff account (not a citizen)."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "kind", None) == User.Kind.STAFF


def is_staff_user(user: Any) -> bool:
    """Who may open the staff area (dashboard, staff menu): staff accounts, superusers and
    anyone holding an active role grant."""
    from etam.core.permissions import active_grants

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.kind == User.Kind.STAFF or user.is_superuser or bool(active_grants(user))


def require_any_perm(request: HttpRequest, *perms: str, message: Any = None) -> None:
    """PermissionDenied unless the user holds at least one of ``perms`` somewhere."""
    from etam.core.permissions import has_perm

    if not any(has_perm(request.user, perm) for perm in perms):
        raise PermissionDenied(*([message] if message else []))


def staff_gate(
    request: HttpRequest,
    *perms: str,
    allowed: Callable[[Any], bool] | None = None,
    message: Any = None,
) -> HttpResponse | None:
    """The one check in front of a staff page. ``None`` when the page may open; a redirect
    to the sign-in page for an anonymous visitor or a session that still owes its second
    factor; ``PermissionDenied`` otherwise.

    Who is allowed: with ``perms``, whoever holds any of them (anywhere; the page narrows
    by scope itself); with ``allowed``, whoever that predicate accepts; with neither, a
    staff account.
    """
    user = request.user
    if not user.is_authenticated or pending_second_factor(request) is not None:
        return redirect_to_login(request.get_full_path(), login_url())
    if perms:
        require_any_perm(request, *perms, message=message)
    elif not (allowed or is_staff_kind)(user):
        raise PermissionDenied(*([message] if message else []))
    return None


def staff_required(*args: Any, message: Any = None) -> Any:
    """Decorator form of ``staff_gate``: ``@staff_required`` (a staff account) or
    ``@staff_required(perm, ...)`` (any of these permissions)."""
    if len(args) == 1 and callable(args[0]):
        return _gated(args[0], (), message)
    perms = tuple(str(p) for p in args)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        return _gated(view, perms, message)

    return decorator


def _gated(view: Callable[..., HttpResponse], perms: tuple[str, ...], message: Any) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (response := staff_gate(request, *perms, message=message)) is not None:
            return response
        return view(request, *args, **kwargs)

    return wrapped


def staff_form_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff page with a form: never cached, behind ``staff_required``, GET and POST only
    (the three decorators every such page carried)."""
    from django.views.decorators.cache import never_cache
    from django.views.decorators.http import require_http_methods

    return never_cache(_gated(require_http_methods(["GET", "POST"])(view), (), None))


def register() -> None:
    """Called from ``CoreConfig.ready``: the login receiver. (Core's staff menu entries are
    registered by the shell, ``etam.web.apps``, so that core imports no web code.)"""
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(note_second_factor, dispatch_uid="etam.core.note_second_factor")
