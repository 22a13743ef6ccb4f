"""Sign-in and own-account pages: password, TOTP step, registration, sign-out, password
change and authenticator enrolment (names ``login``, ``login_verify``, ``logout``,
``register``, ``account``, ``account_password``, ``account_security``).

Views are thin: a selector reads, a service changes, and a failed submit re-renders the
form with what was typed and one message per field.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from etam.core import ratelimit, selectors, services
from etam.core.formerrors import service_form_page
from etam.core.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordRecoveryCodeForm,
    PasswordRecoveryRequestForm,
    ProfileForm,
    RegisterForm,
    SignInCodeForm,
    TotpForm,
    apply_service_errors,
)
from etam.core.models import User
from etam.core.services.recovery_codes import looks_like_recovery_code
from etam.core.staff_access import ENROL, SECOND_FACTOR_KEY, VERIFY, pending_second_factor
from etam.core.validators import is_staff_account, normalise_identifier

PENDING_LOGIN_KEY = "etam_pending_login"
PENDING_LOGIN_TTL = 300  # seconds between the password and the TOTP code
ENROL_KEY_SESSION = "etam_totp_enrol_key"

View = Callable[..., HttpResponse]


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _home_for(user: Any) -> str:
    return reverse("web:staff_dashboard") if getattr(user, "kind", None) == User.Kind.STAFF else reverse("web:home")


# --- sign-in --------------------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, "")
    if request.user.is_authenticated and request.method == "GET" and pending_second_factor(request) is None:
        return HttpResponseRedirect(next_url or _home_for(request.user))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = normalise_identifier(form.cleaned_data["username"])
        user = authenticate(request, username=identifier, password=form.cleaned_data["password"])
        if user is None:
            # django-axes counted the failure; past the limit its middleware answers instead.
            form.add_error(
                None,
                _("Sign-in failed: the email/mobile number or the password is not correct."),
            )
        else:
            device = selectors.confirmed_totp_device(user)
            if device is not None:
                # Not signed in yet: the password alone proves nothing for this account.
                request.session.cycle_key()
                request.session[PENDING_LOGIN_KEY] = {
                    "user_id": user.pk,
                    "backend": getattr(user, "backend", ""),
                    "username": identifier,
                    "at": time.time(),
                    "next": next_url,
                }
                return HttpResponseRedirect(reverse("login_verify"))
            login(request, user)
            return HttpResponseRedirect(next_url or _home_for(user))
    return render(request, "core/login.html", {"form": form, "next": next_url})


def _pending_login(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    data = request.session.get(PENDING_LOGIN_KEY)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_LOGIN_TTL:
        request.session.pop(PENDING_LOGIN_KEY, None)
        return None
    user = selectors.active_user(int(data.get("user_id") or 0))
    return (user, data) if user is not None else None


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_verify_view(request: HttpRequest) -> HttpResponse:
    """The TOTP step. Reached after the password (pending login), or by a session signed in
    elsewhere (e.g. the Django admin) that still owes its code."""
    pending = _pending_login(request)
    if pending is not None:
        user, data = pending
        username, next_url = data["username"], data.get("next") or ""
    elif request.user.is_authenticated and pending_second_factor(request) == VERIFY:
        user = request.user  # type: ignore[assignment]
        username, next_url = user.get_username() or user.phone or "", _safe_next(request, "")
    else:
        return redirect("login")
    credentials = {"username": username}
    if AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, None, credentials)
    device = selectors.confirmed_totp_device(user)
    if device is None:
        request.session.pop(PENDING_LOGIN_KEY, None)
        return redirect("login")
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        recovery = looks_like_recovery_code(code)
        if recovery:
            # A recovery code stands in for the app once; it is spent on success.
            verified, allowed = services.recovery_code_use(user=user, code=code)
        else:
            allowed, _detail = device.verify_is_allowed()
            code = code.replace(" ", "")
            verified = verify_token(user, device.persistent_id, code) if allowed else None
        if verified is not None:
            if recovery:
                messages.warning(
                    request,
                    _("Recovery code accepted; it cannot be used again. Recovery codes left: %(count)s.")
                    % {"count": services.recovery_codes_remaining(user)},
                )
            if pending is not None:
                request.session.pop(PENDING_LOGIN_KEY, None)
                user.backend = data["backend"]  # type: ignore[attr-defined]
                user.otp_device = verified  # type: ignore[attr-defined]
                login(request, user)  # django-otp marks the session verified with this device
            else:
                otp_login(request, verified)
                request.session.pop(SECOND_FACTOR_KEY, None)
            return HttpResponseRedirect(next_url or _home_for(user))
        if not allowed:
            form.add_error(
                "code",
                _("Code: too many wrong codes. Wait a little and try again with a new code."),
            )
        elif recovery:
            form.add_error(
                "code",
                _("Code: this recovery code is wrong or was already used. Enter an unused recovery code."),
            )
        else:
            form.add_error("code", _("Code: the code is wrong or has expired. Enter the code shown now."))
        # A wrong code counts as a failed sign-in for the same rate limit as passwords.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return render(request, "core/login_verify.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """GET shows a button (no state change on GET); POST signs out."""
    if request.method == "POST":
        logout(request)
        messages.success(request, _("You have signed out."))
        response = redirect("web:home")
        # The browser drops its HTTP cache and back/forward copies of the pages seen while
        # signed in; "cache" only: "storage" would also wipe the device outbox (IndexedDB)
        # with submissions in transit. The service worker empties its page cache itself
        # when this request passes (docs/adr/0079).
        response["Clear-Site-Data"] = '"cache"'
        return response
    return render(request, "core/logout.html")


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("account")
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        valid = form.is_valid()
        data = {
            "full_name": form.cleaned_data.get("full_name", ""),
            "email": form.cleaned_data.get("email", ""),
            "phone": form.cleaned_data.get("phone", ""),
            "password": form.cleaned_data.get("password1", ""),
        }
        if not valid:
            # Show every problem at once, not only the form's own.
            problems = services.citizen_registration_errors(**data)
            if problems is not None:
                apply_service_errors(form, problems, {"password": "password1"})
        elif _registration_throttled(request):
            form.add_error(None, _("Too many registrations from your network. Wait an hour and try again."))
            return render(request, "core/register.html", {"form": form}, status=429)
        else:
            # The same answer whether or not the email or phone already has an account
            # (docs/adr/0075): nobody learns here who is registered.
            try:
                services.citizen_sign_up(**data)
            except ValidationError as exc:
                apply_service_errors(form, exc, {"password": "password1"})
            else:
                messages.success(
                    request,
                    _(
                        "Registration received. If this email or mobile number was not registered yet, your "
                        "account is ready: sign in with it and your password. If it was already registered, "
                        "sign in with the password of that account."
                    ),
                )
                return redirect("login")
    return render(request, "core/register.html", {"form": form})


def _registration_throttled(request: HttpRequest) -> bool:
    """Registrations (valid submissions) per client address, ``REGISTRATION_RATE_LIMIT``."""
    rate = getattr(settings, "REGISTRATION_RATE_LIMIT", "")
    if not rate:
        return False
    limit, window = ratelimit.parse_rate(rate)
    return not ratelimit.hit_address(request, "register", limit, window).allowed


# --- own account ----------------------------------------------------------------------


@never_cache
@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    user = get_object_or_404(selectors.users_visible_to(request.user), pk=request.user.pk)
    grants = selectors.grants_visible_to(request.user).filter(user=user, revoked_at__isnull=True)
    has_device = selectors.has_confirmed_totp_device(user)
    return render(request, "core/account.html", {"account": user, "grants": grants, "has_device": has_device})


STAFF_PASSWORD_HELP = gettext_lazy(
    "At least 12 characters with upper-case and lower-case letters, digits and symbols; not a common password."
)


def own_account_form_view(kind: str | None = None) -> Callable[[View], View]:
    """An own-account page with a form: never cached, signed in, GET and POST only; with
    ``kind``, only for accounts of that kind (any other signed-in account gets 403)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if kind is not None and request.user.kind != kind:  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return never_cache(login_required(require_http_methods(["GET", "POST"])(checked)))

    return decorate


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@own_account_form_view()
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if is_staff_account(request.user):
        form.fields["new_password1"].help_text = STAFF_PASSWORD_HELP

    def change() -> None:
        services.user_password_change(
            actor=request.user,
            user=request.user,  # type: ignore[arg-type]
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(request, request.user)  # type: ignore[arg-type]

    return service_form_page(
        request,
        form,
        change,
        _("Your password has been changed."),
        template="core/password_change.html",
        context={},
        on_success=lambda saved: redirect("account"),
        field_map={"new_password": "new_password1"},
    )


@own_account_form_view(User.Kind.CITIZEN)
def profile_view(request: HttpRequest) -> HttpResponse:
    """A citizen's name, email and phone; staff details are kept by their admins."""
    user: User = request.user  # type: ignore[assignment]
    initial = {"full_name": user.full_name, "email": user.email or "", "phone": user.phone or ""}
    form = ProfileForm(request.POST or None, initial=initial)
    return service_form_page(
        request,
        form,
        lambda: services.citizen_profile_update(actor=user, user=user, **form.cleaned_data),
        _("Your profile has been saved."),
        template="core/profile.html",
        context={},
        on_success=lambda saved: redirect("account"),
    )


# --- password recovery (citizens; staff ask their admin, docs/adr/0131) -----------------

RECOVERY_IDENTIFIER_KEY = "etam_recovery_identifier"
# Code requests per person (email/phone as typed, normalised) and per network, and code
# tries per network; the per-code limit of wrong tries is in the service.
RECOVERY_REQUESTS_PER_PERSON = (3, 3600)
RECOVERY_REQUESTS_PER_ADDRESS = (10, 3600)
RECOVERY_TRIES_PER_ADDRESS = (20, 3600)


def _throttled(request: HttpRequest, *, person: str | None, scope: str, limits: list[tuple[int, int]]) -> int:
    """Seconds to wait if any limit is passed, else 0 (every limit counts the event)."""
    wait = 0
    for index, (limit, window) in enumerate(limits):
        if index == 0 and person is not None:
            verdict = ratelimit.hit(f"{scope}:person:{person}", limit, window)
        else:
            verdict = ratelimit.hit_address(request, scope, limit, window)
        if not verdict.allowed:
            wait = max(wait, verdict.retry_after)
    return wait


def _too_many(request: HttpRequest, form: Any, template: str, wait: int) -> HttpResponse:
    minutes = max(1, (wait + 59) // 60)
    form.add_error(None, _("Too many attempts. Wait %(minutes)s minutes and try again.") % {"minutes": minutes})
    response = render(request, template, {"form": form}, status=429)
    response["Retry-After"] = str(wait)
    return response


@sensitive_post_parameters("identifier")
@never_cache
@require_http_methods(["GET", "POST"])
def password_recovery_view(request: HttpRequest) -> HttpResponse:
    """Step 1: the email or phone of the account; the same answer whether it exists or not."""
    form = PasswordRecoveryRequestForm(request.POST or None)
    template = "core/password_recovery.html"
    if request.method == "POST" and form.is_valid():
        identifier = normalise_identifier(form.cleaned_data["identifier"])
        limits = [RECOVERY_REQUESTS_PER_PERSON, RECOVERY_REQUESTS_PER_ADDRESS]
        wait = _throttled(request, person=identifier, scope="recovery-request", limits=limits)
        if wait:
            return _too_many(request, form, template, wait)
        services.password_recovery_request(identifier=identifier)
        request.session[RECOVERY_IDENTIFIER_KEY] = identifier
        messages.info(
            request,
            _(
                "If %(identifier)s belongs to a citizen account, a 6-digit code is on its way. It is valid for "
                "15 minutes. No message? Check the address or number, or ask again in a few minutes."
            )
            % {"identifier": identifier},
        )
        return redirect("password_recovery_code")
    return render(request, template, {"form": form})


@sensitive_post_parameters("code", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_recovery_code_view(request: HttpRequest) -> HttpResponse:
    """Step 2: the code and a new password."""
    identifier = request.session.get(RECOVERY_IDENTIFIER_KEY)
    if not identifier:
        return redirect("password_recovery")
    form = PasswordRecoveryCodeForm(request.POST or None)
    template = "core/password_recovery_code.html"
    if request.method == "POST":
        wait = _throttled(request, person=None, scope="recovery-code", limits=[RECOVERY_TRIES_PER_ADDRESS])
        if wait:
            return _too_many(request, form, template, wait)
        if form.is_valid():
            try:
                services.password_recovery_complete(
                    identifier=identifier,
                    code=form.cleaned_data["code"],
                    new_password=form.cleaned_data["new_password1"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, {"new_password": "new_password1"})
            else:
                request.session.pop(RECOVERY_IDENTIFIER_KEY, None)
                messages.success(request, _("Your password has been changed. Sign in with the new password."))
                return redirect("login")
    return render(request, template, {"form": form, "identifier": identifier})


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, title=_("QR code for your authenticator app"))


def _group(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _show_recovery_codes(request: HttpRequest, codes: list[str], continue_url: str, *, replaced: bool) -> HttpResponse:
    """The only time the codes are shown: the answer to the POST that made them (never cached)."""
    context = {"codes": codes, "continue_url": continue_url, "replaced": replaced}
    return render(request, "core/recovery_codes.html", context)


@sensitive_post_parameters("code")
@own_account_form_view(User.Kind.STAFF)
def account_security_view(request: HttpRequest) -> HttpResponse:
    """Enrol (or remove) the authenticator app that gives staff their second factor."""
    user: User = request.user  # type: ignore[assignment]
    device = selectors.confirmed_totp_device(user)
    if device is not None:
        action = request.POST.get("action") if request.method == "POST" else None
        if action in ("remove", "recovery_codes") and not request.user.is_verified():  # type: ignore[union-attr]
            raise PermissionDenied
        if action == "remove":
            services.totp_device_remove(actor=user, user=user)
            messages.success(request, _("The authenticator app has been removed from your account."))
            return redirect("account_security")
        if action == "recovery_codes":
            codes = services.recovery_codes_generate(actor=user, user=user)
            return _show_recovery_codes(request, codes, reverse("account_security"), replaced=True)
        context = {"device": device, "recovery_remaining": services.recovery_codes_remaining(user)}
        return render(request, "core/account_security.html", context)
    key = request.session.get(ENROL_KEY_SESSION)
    if not key:
        key = default_key()
        request.session[ENROL_KEY_SESSION] = key
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_device_confirm(actor=user, user=user, key=key, code=form.cleaned_data["code"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            request.session.pop(ENROL_KEY_SESSION, None)
            otp_login(request, device)
            if request.session.get(SECOND_FACTOR_KEY) == ENROL:
                request.session.pop(SECOND_FACTOR_KEY)
            messages.success(request, _("Two-step sign-in is on. From now on you will be asked for a code."))
            codes = services.recovery_codes_generate(actor=user, user=user)
            return _show_recovery_codes(request, codes, _safe_next(request, reverse("account")), replaced=False)
    unsaved = TOTPDevice(user=user, key=key)
    secret = unsaved.config_url.split("secret=", 1)[1].split("&", 1)[0]
    context = {
        "form": form,
        "qr_svg": _qr_svg(unsaved.config_url),
        "secret": _group(secret),
        "otpauth_uri": unsaved.config_url,
        "required": request.session.get(SECOND_FACTOR_KEY) == ENROL,
    }
    return render(request, "core/account_security.html", context)
