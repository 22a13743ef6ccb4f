"""Core pages: sign-in (password, TOTP, registration, password change, authenticator
enrolment) and the staff pages for OPDs, units, staff accounts and role grants.

Views are thin: a selector finds the object (outside the actor's scope it does not
exist: 404), a service changes it (without the permission it refuses: 403), and a
failed submit re-renders the form with what was typed and one message per field.
"""

from __future__ import annotations

import time
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
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from etam.core import ratelimit, selectors, services
from etam.core.forms import (
    AgencyForm,
    GrantForm,
    InstitutionForm,
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
    SignInCodeForm,
    StaffCreateForm,
    StaffEditForm,
    TotpForm,
    UnitForm,
    apply_service_errors,
)
from etam.core.models import Agency, Institution, Role, User
from etam.core.permissions import has_perm, scope_q
from etam.core.services.recovery_codes import looks_like_recovery_code
from etam.core.staff_access import ENROL, SECOND_FACTOR_KEY, VERIFY, pending_second_factor, staff_required
from etam.core.validators import is_staff_account, normalise_phone

PENDING_LOGIN_KEY = "etam_pending_login"
PENDING_LOGIN_TTL = 300  # seconds between the password and the TOTP code
ENROL_KEY_SESSION = "etam_totp_enrol_key"
GRANT_ERROR_MAP = {"agency": "scope", "institution": "scope"}


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _home_for(user: Any) -> str:
    return reverse("web:staff_dashboard") if getattr(user, "kind", None) == User.Kind.STAFF else reverse("web:home")


def normalise_identifier(raw: str) -> str:
    """The one spelling of an email or phone number, so that rate limiting counts
    "0812..." and "+62812..." as the same account."""
    value = (raw or "").strip()
    if "@" in value:
        return value.lower()
    return normalise_phone(value, strict=False) or value


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
            device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
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
    user = User.objects.filter(pk=int(data.get("user_id") or 0), is_active=True).first()
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
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
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
    return not ratelimit.hit(f"register:{ratelimit.address_key(request)}", limit, window).allowed


# --- own account ----------------------------------------------------------------------


@never_cache
@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    user = get_object_or_404(selectors.users_visible_to(request.user), pk=request.user.pk)
    grants = selectors.grants_visible_to(request.user).filter(user=user, revoked_at__isnull=True)
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return render(request, "core/account.html", {"account": user, "grants": grants, "has_device": has_device})


STAFF_PASSWORD_HELP = gettext_lazy(
    "At least 12 characters with upper-case and lower-case letters, digits and symbols; not a common password."
)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if is_staff_account(request.user):
        form.fields["new_password1"].help_text = STAFF_PASSWORD_HELP
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(
                actor=request.user,
                user=request.user,  # type: ignore[arg-type]
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, {"new_password": "new_password1"})
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password has been changed."))
            return redirect("account")
    return render(request, "core/password_change.html", {"form": form})


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, title=_("QR code for your authenticator app"))


def _group(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _show_recovery_codes(request: HttpRequest, codes: list[str], continue_url: str, *, replaced: bool) -> HttpResponse:
    """The only time the codes are shown: the answer to the POST that made them (never cached)."""
    context = {"codes": codes, "continue_url": continue_url, "replaced": replaced}
    return render(request, "core/recovery_codes.html", context)


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_security_view(request: HttpRequest) -> HttpResponse:
    """Enrol (or remove) the authenticator app that gives staff their second factor."""
    user: User = request.user  # type: ignore[assignment]
    if user.kind != User.Kind.STAFF:
        raise PermissionDenied
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
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


# --- staff: instansi and OPD -----------------------------------------------------------


def _institutions_with(actor: Any, perm: str):
    """Instansi where ``actor`` holds ``perm`` instansi-wide."""
    return Institution.objects.filter(scope_q(actor, perm, institution_field="id", agency_field=None))


@never_cache
@staff_required
def agency_list_view(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "core.view_organisation"):
        raise PermissionDenied
    context = {
        "agencies": selectors.agency_list(request.user),
        "institutions": selectors.institutions_visible_to(request.user),
        "can_create": has_perm(request.user, "core.manage_agency"),
        "can_create_institution": has_perm(request.user, "core.manage_institution"),
    }
    return render(request, "core/agency_list.html", context)


@never_cache
@staff_required
def institution_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(selectors.institutions_visible_to(request.user), pk=pk)
    context = {
        "institution": institution,
        "agencies": selectors.agency_list(request.user).filter(institution=institution),
        "can_edit": has_perm(request.user, "core.edit_institution", institution),
        "can_create": has_perm(request.user, "core.manage_agency", institution),
    }
    return render(request, "core/institution_detail.html", context)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def institution_create_view(request: HttpRequest) -> HttpResponse:
    """Register an instansi for a kode wilayah (super admin only)."""
    if not has_perm(request.user, "core.manage_institution"):
        raise PermissionDenied
    form = InstitutionForm(request.POST or None, can_change_region=True)
    if request.method == "POST" and form.is_valid():
        try:
            institution = services.institution_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The instansi has been saved."))
            return redirect("core:institution_detail", pk=institution.pk)
    return render(request, "core/institution_form.html", {"form": form, "institution": None})


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def institution_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(selectors.institutions_visible_to(request.user), pk=pk)
    if not has_perm(request.user, "core.edit_institution", institution):
        raise PermissionDenied
    initial = {f: getattr(institution, f) for f in ("region_code", "name", "short_name", "kind")}
    form = InstitutionForm(
        request.POST or None,
        initial=initial,
        can_change_region=has_perm(request.user, "core.manage_institution", institution),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_update(actor=request.user, institution=institution, changes=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The instansi has been saved."))
            return redirect("core:institution_detail", pk=institution.pk)
    return render(request, "core/institution_form.html", {"form": form, "institution": institution})


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def agency_create_view(request: HttpRequest) -> HttpResponse:
    institutions = _institutions_with(request.user, "core.manage_agency")
    if not institutions.exists():
        raise PermissionDenied
    initial = {}
    if request.GET.get("instansi", "").isdigit():
        initial["institution"] = int(request.GET["instansi"])
    form = AgencyForm(request.POST or None, institutions=institutions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        institution = data.pop("institution")
        try:
            agency = services.agency_create(actor=request.user, institution=institution, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The OPD has been created."))
            return redirect("core:agency_detail", pk=agency.pk)
    return render(request, "core/agency_form.html", {"form": form, "agency": None})


def _visible_agency(request: HttpRequest, pk: int) -> Agency:
    return get_object_or_404(selectors.agencies_visible_to(request.user), pk=pk)


@never_cache
@staff_required
def agency_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _visible_agency(request, pk)
    user = request.user
    context = {
        "agency": agency,
        "units": selectors.units_visible_to(user).filter(agency=agency).order_by("code"),
        "grants": selectors.grants_visible_to(user)
        .filter(agency=agency, revoked_at__isnull=True)
        .order_by("user__full_name", "role"),
        "can_edit": has_perm(user, "core.edit_agency", agency) or has_perm(user, "core.manage_agency", agency),
        "can_manage": has_perm(user, "core.manage_agency", agency),
        "can_manage_units": has_perm(user, "core.manage_unit", agency),
    }
    return render(request, "core/agency_detail.html", context)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def agency_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _visible_agency(request, pk)
    can_manage = has_perm(request.user, "core.manage_agency", agency)
    if not (can_manage or has_perm(request.user, "core.edit_agency", agency)):
        raise PermissionDenied
    fields = ("code", "name", "short_name", "kind", "email", "phone", "address")
    form = AgencyForm(request.POST or None, initial={f: getattr(agency, f) for f in fields}, restricted=not can_manage)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(actor=request.user, agency=agency, changes=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The OPD has been saved."))
            return redirect("core:agency_detail", pk=agency.pk)
    return render(request, "core/agency_form.html", {"form": form, "agency": agency})


@staff_required
@require_POST
def agency_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _visible_agency(request, pk)
    operation = services.agency_reactivate if request.POST.get("active") == "1" else services.agency_deactivate
    try:
        operation(actor=request.user, agency=agency)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The OPD is active.") if agency.is_active else _("The OPD is now inactive."))
    return redirect("core:agency_detail", pk=agency.pk)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def unit_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _visible_agency(request, pk)
    if not has_perm(request.user, "core.manage_unit", agency):
        raise PermissionDenied
    form = UnitForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.orgunit_create(actor=request.user, agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The unit has been created."))
            return redirect("core:agency_detail", pk=agency.pk)
    return render(request, "core/unit_form.html", {"form": form, "agency": agency, "unit": None})


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def unit_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(selectors.units_visible_to(request.user), pk=pk)
    agency = unit.agency
    if not has_perm(request.user, "core.manage_unit", agency):
        raise PermissionDenied
    form = UnitForm(
        request.POST or None,
        agency=agency,
        exclude=unit,
        initial={"code": unit.code, "name": unit.name, "parent": unit.parent_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.orgunit_update(actor=request.user, unit=unit, changes=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The unit has been saved."))
            return redirect("core:agency_detail", pk=agency.pk)
    return render(request, "core/unit_form.html", {"form": form, "agency": agency, "unit": unit})


# --- staff: people and role grants -----------------------------------------------------------


def _grant_form_kwargs(actor: Any) -> dict[str, Any]:
    """Choices for a grant form: the roles and scopes the actor may grant in."""
    return {
        "roles": services.grantable_roles(actor),
        "institutions": _institutions_with(actor, "core.manage_grants"),
        "agencies": selectors.agencies_visible_to(actor, perm="core.manage_grants").filter(is_active=True),
    }


@never_cache
@staff_required
def staff_list_view(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "core.view_staff"):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    people = selectors.staff_list(request.user)
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    context = {
        "people": people,
        "query": query,
        "can_create": bool(services.grantable_roles(request.user)),
    }
    return render(request, "core/staff_list.html", context)


@sensitive_post_parameters("password")
@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_create_view(request: HttpRequest) -> HttpResponse:
    kwargs = _grant_form_kwargs(request.user)
    if not kwargs["roles"]:
        raise PermissionDenied
    form = StaffCreateForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        institution, agency = form.scope_objects()
        try:
            person = services.staff_user_create(
                actor=request.user,
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password"],
                role=form.cleaned_data["role"],
                institution=institution,
                agency=agency,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, GRANT_ERROR_MAP)
        else:
            messages.success(request, _("The staff account has been created."))
            return redirect("core:staff_detail", pk=person.pk)
    return render(request, "core/staff_form.html", {"form": form})


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A person, the grants the actor may see, and (POST) a new grant."""
    person = get_object_or_404(selectors.users_visible_to(request.user), pk=pk)
    kwargs = _grant_form_kwargs(request.user)
    # Nobody but the super admin grants themselves a role: no form on one's own page.
    may_add = bool(kwargs["roles"]) and (person.pk != request.user.pk or Role.SUPER_ADMIN in kwargs["roles"])
    form = GrantForm(request.POST or None, **kwargs) if may_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            institution, agency = form.scope_objects()
            try:
                services.role_grant_create(
                    actor=request.user,
                    user=person,
                    role=form.cleaned_data["role"],
                    institution=institution,
                    agency=agency,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, GRANT_ERROR_MAP)
            else:
                messages.success(request, _("The role has been granted."))
                return redirect("core:staff_detail", pk=person.pk)
    grants = selectors.grants_visible_to(request.user).filter(user=person).order_by("revoked_at", "role", "id")
    revocable = {
        g.pk
        for g in grants
        if g.revoked_at is None and services.may_grant(request.user, g.role, institution=g.institution, agency=g.agency)
    }
    can_manage = services.may_manage_account(request.user, person)
    context = {
        "person": person,
        "grants": grants,
        "form": form,
        "revocable": revocable,
        "roles": dict(Role.choices),
        "can_manage": can_manage,
        "can_change_status": can_manage and person.pk != request.user.pk,
    }
    return render(request, "core/staff_detail.html", context)


@staff_required
@require_POST
def grant_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(selectors.grants_visible_to(request.user), pk=pk)
    try:
        services.role_grant_revoke(actor=request.user, grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role has been revoked."))
    return redirect("core:staff_detail", pk=grant.user_id)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a staff member's name, email and phone number."""
    person = get_object_or_404(selectors.users_visible_to(request.user).filter(kind=User.Kind.STAFF), pk=pk)
    if not services.may_manage_account(request.user, person):
        raise PermissionDenied
    initial = {"full_name": person.full_name, "email": person.email or "", "phone": person.phone or ""}
    form = StaffEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_user_update(
                actor=request.user,
                user=person,
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The staff account has been saved."))
            return redirect("core:staff_detail", pk=person.pk)
    return render(request, "core/staff_edit.html", {"form": form, "person": person})


@staff_required
@require_POST
def staff_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``) a staff account."""
    person = get_object_or_404(selectors.users_visible_to(request.user).filter(kind=User.Kind.STAFF), pk=pk)
    activate = request.POST.get("active") == "1"
    operation = services.staff_user_reactivate if activate else services.staff_user_deactivate
    try:
        operation(actor=request.user, user=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The account is active again.")
            if activate
            else _("The account is inactive: the person can no longer sign in or use API tokens."),
        )
    return redirect("core:staff_detail", pk=person.pk)
