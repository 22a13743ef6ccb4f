"""The cross-cutting shared pieces: service errors on forms (core.formerrors), the staff
gate (core.staff_access), the bearer-token resolver (core.bearer) and the address counter
(core.ratelimit.hit_address) and revoking a row once (core.changes.revoke_once). Each is used by
several apps; these pin its rules once."""

from datetime import timedelta

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.utils import timezone

from etam.core import bearer, changes, ratelimit, staff_access, tokens
from etam.core.formerrors import apply_service_errors
from etam.core.models import ApiToken, RoleGrant


class _Form(forms.Form):
    name = forms.CharField(required=False)
    expires_on = forms.DateField(required=False)


def _bound_form() -> _Form:
    form = _Form({"name": "x"})
    assert form.is_valid()
    return form


# --- service error → form error -----------------------------------------------------------


def test_field_errors_land_on_their_fields_and_unknown_fields_become_form_wide():
    form = _bound_form()
    apply_service_errors(form, ValidationError({"name": ["Nama: wajib."], "owner": ["Pemilik: wajib."]}))
    assert form.errors["name"] == ["Nama: wajib."]
    assert form.non_field_errors() == ["Pemilik: wajib."]


def test_field_map_renames_a_service_field_to_the_form_field():
    form = _bound_form()
    apply_service_errors(
        form, ValidationError({"expires_at": ["Berlaku sampai: di masa lalu."]}), {"expires_at": "expires_on"}
    )
    assert form.errors["expires_on"] == ["Berlaku sampai: di masa lalu."]
    assert "expires_at" not in form.errors


def test_a_message_list_error_is_form_wide():
    form = _bound_form()
    apply_service_errors(form, ValidationError(["Satu.", "Dua."]))
    assert form.non_field_errors() == ["Satu.", "Dua."]


def test_legacy_names_are_the_shared_helper():
    from etam.core import forms as core_forms
    from etam.evaluation import forms as evaluation_forms

    assert core_forms.apply_service_errors is apply_service_errors
    # evaluation's own alias (apply_errors) is gone: its views call the shared helper directly.
    assert not hasattr(evaluation_forms, "apply_errors")


# --- staff gate ------------------------------------------------------------------------------


def _request(user, path="/staf/x/"):
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    return request


def _view(request):
    return HttpResponse("ok")


@pytest.mark.django_db
def test_gate_sends_an_anonymous_visitor_to_sign_in():
    response = staff_access.staff_gate(_request(AnonymousUser(), "/staf/x/?a=1"))
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/") and "next=/staf/x/%3Fa%3D1" in response["Location"]


@pytest.mark.django_db
def test_gate_refuses_a_citizen_and_admits_a_staff_account(province):
    with pytest.raises(PermissionDenied):
        staff_access.staff_gate(_request(province.citizen))
    assert staff_access.staff_gate(_request(province.officer_dpmptsp)) is None


@pytest.mark.django_db
def test_gate_with_permissions_needs_one_of_them(province):
    assert staff_access.staff_gate(_request(province.admin_dpmptsp), "core.manage_unit", "nope.never") is None
    with pytest.raises(PermissionDenied):
        staff_access.staff_gate(_request(province.officer_dpmptsp), "core.manage_unit")
    with pytest.raises(PermissionDenied):
        staff_access.staff_gate(_request(province.citizen), "core.view_organisation")


@pytest.mark.django_db
def test_gate_with_a_predicate_and_a_message(province):
    with pytest.raises(PermissionDenied) as info:
        staff_access.staff_gate(_request(province.officer_dpmptsp), allowed=lambda user: False, message="Tidak boleh.")
    assert str(info.value) == "Tidak boleh."
    assert staff_access.staff_gate(_request(province.citizen), allowed=lambda user: True) is None


@pytest.mark.django_db
def test_gate_sends_a_session_that_owes_its_second_factor_to_sign_in(province, settings):
    request = _request(province.officer_dpmptsp)
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "x"
    request.session[staff_access.SECOND_FACTOR_KEY] = staff_access.ENROL
    response = staff_access.staff_gate(request)
    assert response is not None and response.status_code == 302


@pytest.mark.django_db
def test_decorator_in_both_forms(province):
    plain = staff_access.staff_required(_view)
    with_perm = staff_access.staff_required("core.manage_unit")(_view)
    assert plain(_request(province.officer_dpmptsp)).status_code == 200
    assert with_perm(_request(province.admin_dpmptsp)).status_code == 200
    with pytest.raises(PermissionDenied):
        with_perm(_request(province.officer_dpmptsp))
    assert plain(_request(AnonymousUser())).status_code == 302


@pytest.mark.django_db
def test_staff_area_admits_grant_holders_and_refuses_citizens(province):
    from etam.web.shell import is_staff_user

    assert is_staff_user is staff_access.is_staff_user
    assert staff_access.is_staff_user(province.officer_dpmptsp)
    assert not staff_access.is_staff_user(province.citizen)
    assert not staff_access.is_staff_user(AnonymousUser())


# --- bearer tokens ------------------------------------------------------------------------


def _header(value):
    return RequestFactory().get("/", HTTP_AUTHORIZATION=value) if value is not None else RequestFactory().get("/")


@pytest.mark.parametrize(
    ("header", "allow_raw", "expected"),
    [
        (None, False, None),
        ("Bearer abc", False, "abc"),
        ("bearer   abc ", False, "abc"),
        ("Bearer ", False, ""),
        ("abc", False, None),
        ("abc", True, "abc"),
        ("Basic Zm9v", False, None),
    ],
)
def test_header_token(header, allow_raw, expected):
    assert bearer.header_token(_header(header), allow_raw=allow_raw) == expected


@pytest.mark.django_db
def test_resolve_gives_the_user_with_only_the_token_grants(province):
    user = province.admin_dpmptsp
    own = RoleGrant.objects.active().filter(user=user).get()
    issued = tokens.api_token_create(actor=user, name="uji", grants=[own])
    found = bearer.resolve(issued.key)
    assert found is not None
    resolved_user, token = found
    assert resolved_user.pk == user.pk and token.pk == issued.token.pk
    assert resolved_user._etam_token_grants == [own]
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.django_db
def test_resolve_refuses_unknown_revoked_expired_and_inactive(province):
    user = province.officer_dpmptsp
    assert bearer.resolve("") is None
    assert bearer.resolve("etam_unknown") is None
    revoked = tokens.api_token_create(actor=user, name="dicabut", grants=[])
    tokens.api_token_revoke(actor=user, token=revoked.token)
    assert bearer.resolve(revoked.key) is None
    expired = tokens.api_token_create(actor=user, name="kedaluwarsa", grants=[])
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer.resolve(expired.key) is None
    live = tokens.api_token_create(actor=user, name="aktif", grants=[])
    assert bearer.resolve(live.key) is not None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert bearer.resolve(live.key) is None


@pytest.mark.django_db
def test_a_revoked_grant_no_longer_travels_with_the_token(province):
    user = province.admin_dpmptsp
    own = RoleGrant.objects.active().filter(user=user).get()
    issued = tokens.api_token_create(actor=user, name="uji", grants=[own])
    RoleGrant.objects.filter(pk=own.pk).update(revoked_at=timezone.now())
    found = bearer.resolve(issued.key)
    assert found is not None and found[0]._etam_token_grants == []


# --- address counter ------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=0)
def test_hit_address_counts_per_scope_and_per_ipv6_network():
    ratelimit.reset_all()
    first = RequestFactory().get("/", REMOTE_ADDR="2001:db8::1")
    same_net = RequestFactory().get("/", REMOTE_ADDR="2001:db8::2")
    assert ratelimit.hit_address(first, "uji", 1, 60).allowed
    assert not ratelimit.hit_address(same_net, "uji", 1, 60).allowed
    assert ratelimit.hit_address(first, "lain", 1, 60).allowed
    other = RequestFactory().get("/", REMOTE_ADDR="2001:db9::1")
    assert ratelimit.hit_address(other, "uji", 1, 60).allowed


# --- revoke once (core.changes.revoke_once) --------------------------------------------------


@pytest.mark.django_db
def test_revoke_once_stamps_the_row_once_and_says_whether_it_did(province):
    issued = tokens.api_token_create(actor=province.officer_dpmptsp, name="uji", grants=[])
    with transaction.atomic():
        locked, revoked = changes.revoke_once(issued.token)
    assert revoked and locked.revoked_at is not None
    assert issued.token.revoked_at is None  # the caller's copy is left as it was
    first = ApiToken.objects.get(pk=issued.token.pk).revoked_at
    assert first == locked.revoked_at
    with transaction.atomic():
        again, revoked_again = changes.revoke_once(issued.token)
    assert not revoked_again and again.revoked_at == first
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at == first
