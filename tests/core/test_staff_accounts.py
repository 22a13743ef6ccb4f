"""Managing existing staff accounts: edit contact details, deactivate, reactivate."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from etam.core import services, tokens
from etam.core.models import AuditEvent, Role, RoleGrant, User
from etam.core.services import accounts
from tests.factories import StaffFactory, grant

pytestmark = pytest.mark.django_db

PASSWORD = "Kata-Sandi-Uji-123"


def state():
    """Everything a refused account operation must leave untouched."""
    return (
        sorted(User.objects.values_list("id", "full_name", "email", "phone", "is_active")),
        AuditEvent.objects.count(),
    )


# (actor, target, allowed)
MANAGE_MATRIX = [
    ("superadmin", "admin_kaltim", True),
    ("superadmin", "officer_dpmptsp_smr", True),
    ("admin_kaltim", "officer_dpmptsp", True),
    ("admin_kaltim", "steward_kaltim", True),
    ("admin_kaltim", "admin_dpmptsp", True),
    ("admin_kaltim", "officer_dpmptsp_smr", False),  # another instansi
    ("admin_kaltim", "superadmin", False),
    ("admin_samarinda", "officer_dpmptsp", False),
    ("admin_dpmptsp", "officer_dpmptsp", True),
    ("admin_dpmptsp", "producer_diskominfo", False),  # another OPD
    ("admin_dpmptsp", "steward_kaltim", False),  # instansi-wide grant
    ("admin_dpmptsp", "admin_kaltim", False),
    ("officer_dpmptsp", "officer_dpmptsp", False),  # no manage_grants at all
    ("coordinator_kaltim", "officer_dpmptsp", False),
    ("citizen", "officer_dpmptsp", False),
    ("superadmin", "citizen", False),  # not a staff account
]


@pytest.mark.parametrize(("actor_name", "target_name", "allowed"), MANAGE_MATRIX)
def test_who_may_edit_a_staff_account(province, actor_name, target_name, allowed):
    actor, target = getattr(province, actor_name), getattr(province, target_name)
    before = state()
    old_name, old_email = target.full_name, target.email
    if allowed:
        services.staff_user_update(actor=actor, user=target, full_name="Nama Baru", email="baru@example.id", phone="")
        target.refresh_from_db()
        assert (target.full_name, target.email) == ("Nama Baru", "baru@example.id")
        event = AuditEvent.objects.get(action="core.staff_user_update")
        assert event.changes["before"] == {"full_name": old_name, "email": old_email}
        assert event.changes["after"] == {"full_name": "Nama Baru", "email": "baru@example.id"}
    else:
        with pytest.raises(PermissionDenied):
            services.staff_user_update(actor=actor, user=target, full_name="Nama Baru", email="baru@example.id")
        assert state() == before


@pytest.mark.parametrize(("actor_name", "target_name", "allowed"), MANAGE_MATRIX)
def test_who_may_deactivate_a_staff_account(province, actor_name, target_name, allowed):
    actor, target = getattr(province, actor_name), getattr(province, target_name)
    before = state()
    if allowed:
        services.staff_user_deactivate(actor=actor, user=target)
        assert User.objects.get(pk=target.pk).is_active is False
        event = AuditEvent.objects.get(action="core.staff_user_deactivate")
        assert (event.changes["before"], event.changes["after"]) == ({"is_active": True}, {"is_active": False})
        services.staff_user_reactivate(actor=actor, user=target)
        assert User.objects.get(pk=target.pk).is_active is True
        assert AuditEvent.objects.filter(action="core.staff_user_reactivate").count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.staff_user_deactivate(actor=actor, user=target)
        assert state() == before


def test_an_admin_opd_cannot_manage_someone_who_also_holds_a_grant_elsewhere(province):
    person = province.officer_dpmptsp
    grant(person, Role.DATA_PRODUCER, province.diskominfo)
    before = state()
    with pytest.raises(PermissionDenied):
        services.staff_user_deactivate(actor=province.admin_dpmptsp, user=person)
    with pytest.raises(PermissionDenied):
        services.staff_user_update(actor=province.admin_dpmptsp, user=person, full_name="X", email="x@example.id")
    assert state() == before
    # The admin instansi covers both OPDs.
    services.staff_user_deactivate(actor=province.admin_kaltim, user=person)


def test_a_staff_account_without_grants_is_managed_by_the_super_admin_only(province):
    orphan = StaffFactory(full_name="Tanpa Peran")
    before = state()
    with pytest.raises(PermissionDenied):
        services.staff_user_deactivate(actor=province.admin_kaltim, user=orphan)
    assert state() == before
    services.staff_user_deactivate(actor=province.superadmin, user=orphan)


def test_nobody_deactivates_themselves(province):
    for actor in (province.superadmin, province.admin_kaltim, province.admin_dpmptsp):
        before = state()
        with pytest.raises(PermissionDenied):
            services.staff_user_deactivate(actor=actor, user=actor)
        assert state() == before


def test_the_last_super_admin_stays_active(province):
    other = StaffFactory(full_name="Super Dua")
    grant(other, Role.SUPER_ADMIN)
    assert not accounts._is_last_super_admin(province.superadmin)
    services.staff_user_deactivate(actor=province.superadmin, user=other)
    # One active super admin is left. Only a super admin manages a super admin and nobody
    # deactivates themselves, so the remaining one cannot be closed by anyone.
    assert accounts._is_last_super_admin(province.superadmin)
    before = state()
    for actor in (province.superadmin, province.admin_kaltim):
        with pytest.raises(PermissionDenied):
            services.staff_user_deactivate(actor=actor, user=province.superadmin)
    assert state() == before
    # Reactivating the other one is allowed; then either may close the other.
    services.staff_user_reactivate(actor=province.superadmin, user=other)
    services.staff_user_deactivate(actor=other, user=province.superadmin)
    assert User.objects.get(pk=province.superadmin.pk).is_active is False


def test_deactivating_twice_and_reactivating_an_active_account_are_refused(province):
    person = province.officer_dpmptsp
    services.staff_user_deactivate(actor=province.admin_dpmptsp, user=person)
    before = state()
    with pytest.raises(ValidationError):
        services.staff_user_deactivate(actor=province.admin_dpmptsp, user=person)
    services.staff_user_reactivate(actor=province.admin_dpmptsp, user=person)
    with pytest.raises(ValidationError):
        services.staff_user_reactivate(actor=province.admin_dpmptsp, user=person)
    assert AuditEvent.objects.count() == before[1] + 1


def test_update_reports_every_bad_field_in_indonesian(province):
    person = province.officer_dpmptsp
    before = state()
    with translation.override("id"), pytest.raises(ValidationError) as excinfo:
        services.staff_user_update(
            actor=province.admin_dpmptsp,
            user=person,
            full_name=" ",
            email=province.admin_kaltim.email,
            phone="12ab",
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {"full_name", "email", "phone"}
    assert errors["full_name"][0].startswith("Nama lengkap")
    assert errors["email"][0].startswith("Email")
    assert errors["phone"][0].startswith("Nomor")
    assert state() == before


def test_update_keeps_own_email_and_phone_and_records_only_changes(province):
    person = province.officer_dpmptsp
    person.phone = "+6281347009999"
    person.save()
    services.staff_user_update(
        actor=province.admin_dpmptsp,
        user=person,
        full_name=person.full_name,
        email=person.email,
        phone="0813 4700 9999",
    )
    assert not AuditEvent.objects.filter(action="core.staff_user_update").exists()  # nothing changed
    services.staff_user_update(
        actor=province.admin_dpmptsp, user=person, full_name="Petugas Baru", email=person.email, phone=""
    )
    event = AuditEvent.objects.get(action="core.staff_user_update")
    assert event.changes["before"] == {"full_name": "Petugas DPMPTSP", "phone": "+6281347009999"}
    assert event.changes["after"] == {"full_name": "Petugas Baru", "phone": None}
    assert event.agency_id == province.dpmptsp.pk


# --- what deactivation does -----------------------------------------------------------------


def test_a_deactivated_account_cannot_sign_in_and_its_session_ends(client, province):
    person = province.officer_dpmptsp
    other = Client()
    other.force_login(person)
    assert other.get(reverse("core:agency_list")).status_code == 200
    services.staff_user_deactivate(actor=province.admin_dpmptsp, user=person)
    response = client.post(reverse("login"), {"username": person.email, "password": PASSWORD})
    assert response.status_code == 200
    assert client.session.get("_auth_user_id") is None
    # The session opened before is no longer signed in.
    assert other.get(reverse("core:agency_list")).status_code == 302
    services.staff_user_reactivate(actor=province.admin_dpmptsp, user=person)
    response = client.post(reverse("login"), {"username": person.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_deactivated_accounts_api_tokens_stop_working(client, province):
    person = province.admin_dpmptsp
    own = RoleGrant.objects.active().get(user=person)
    issued = tokens.api_token_create(actor=person, name="robot", grants=[own])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.key}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    services.staff_user_deactivate(actor=province.admin_kaltim, user=person)
    assert client.get("/api/v1/me", **auth).status_code == 401
    services.staff_user_reactivate(actor=province.admin_kaltim, user=person)
    assert client.get("/api/v1/me", **auth).status_code == 200


# --- pages ------------------------------------------------------------------------------------


def test_edit_page_keeps_typed_values_with_per_field_errors(client, province):
    client.force_login(province.admin_dpmptsp)
    person = province.officer_dpmptsp
    url = reverse("core:staff_edit", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200 and person.email in page.content.decode()
    before = state()
    response = client.post(
        url,
        {"full_name": "Nama Diketik", "email": "bukan-email", "phone": "0812"},
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Nama Diketik"' in body and 'value="bukan-email"' in body and 'value="0812"' in body
    assert "Email: bukan-email bukan alamat email yang benar" in body
    assert "Nomor telepon" in body
    assert state() == before
    response = client.post(url, {"full_name": "Nama Diketik", "email": "petugas.baru@example.id", "phone": ""})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.email) == ("Nama Diketik", "petugas.baru@example.id")


def test_detail_page_offers_edit_and_deactivate_only_to_who_may(client, province):
    person = province.officer_dpmptsp
    url = reverse("core:staff_detail", args=[person.pk])
    edit_url = reverse("core:staff_edit", args=[person.pk])
    status_url = reverse("core:staff_status", args=[person.pk])
    client.force_login(province.admin_dpmptsp)
    body = client.get(url).content.decode()
    assert edit_url in body and status_url in body
    # Own page: may edit own details, but no deactivate button.
    own = client.get(reverse("core:staff_detail", args=[province.admin_dpmptsp.pk])).content.decode()
    assert reverse("core:staff_status", args=[province.admin_dpmptsp.pk]) not in own
    client.force_login(province.coordinator_kaltim)  # sees staff, manages nobody
    body = client.get(url).content.decode()
    assert edit_url not in body and status_url not in body


@pytest.mark.parametrize(
    ("actor_name", "status"),
    [("admin_diskominfo", 404), ("admin_samarinda", 404), ("coordinator_kaltim", 403), ("citizen", 403)],
)
def test_pages_refuse_the_wrong_admin_and_change_nothing(client, province, actor_name, status):
    person = province.officer_dpmptsp
    client.force_login(getattr(province, actor_name))
    before = state()
    assert client.get(reverse("core:staff_edit", args=[person.pk])).status_code == status
    response = client.post(
        reverse("core:staff_edit", args=[person.pk]), {"full_name": "X", "email": "x@example.id", "phone": ""}
    )
    assert response.status_code == status
    assert client.post(reverse("core:staff_status", args=[person.pk]), {"active": "0"}).status_code == status
    assert state() == before


def test_deactivate_and_reactivate_through_the_page(client, province):
    person = province.officer_dpmptsp
    client.force_login(province.admin_dpmptsp)
    status_url = reverse("core:staff_status", args=[person.pk])
    response = client.post(status_url, {"active": "0"})
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).is_active is False
    body = client.get(reverse("core:staff_detail", args=[person.pk])).content.decode()
    assert 'name="active" value="1"' in body
    client.post(status_url, {"active": "1"})
    assert User.objects.get(pk=person.pk).is_active is True
    # Own account: refused, nothing changed.
    before = state()
    own = reverse("core:staff_status", args=[province.admin_dpmptsp.pk])
    assert client.post(own, {"active": "0"}).status_code == 403
    assert state() == before
