"""Services for people: who may grant what, staff and citizen accounts, passwords, TOTP."""

import time
from binascii import unhexlify

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from etam.core import services
from etam.core.models import AuditEvent, Role, RoleGrant, User
from etam.core.permissions import has_perm
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Mahakam-Sungai-2025"


def state():
    """Everything a refused grant operation must leave untouched."""
    return (
        sorted(RoleGrant.objects.values_list("id", "user_id", "role", "institution_id", "agency_id", "revoked_at")),
        AuditEvent.objects.count(),
    )


# --- who may grant what ---------------------------------------------------------------

# (actor, role, scope attribute on province, allowed)
GRANT_MATRIX = [
    ("superadmin", Role.SUPER_ADMIN, None, True),
    ("superadmin", Role.INSTITUTION_ADMIN, "samarinda", True),
    ("superadmin", Role.SERVICE_OFFICER, "dpmptsp_smr", True),
    ("admin_kaltim", Role.INSTITUTION_ADMIN, "kaltim", True),
    ("admin_kaltim", Role.DATA_STEWARD, "kaltim", True),
    ("admin_kaltim", Role.AGENCY_ADMIN, "diskominfo", True),
    ("admin_kaltim", Role.SUPER_ADMIN, None, False),
    ("admin_kaltim", Role.INSTITUTION_ADMIN, "samarinda", False),
    ("admin_kaltim", Role.SERVICE_OFFICER, "dpmptsp_smr", False),
    ("admin_samarinda", Role.SERVICE_OFFICER, "dpmptsp", False),
    ("admin_dpmptsp", Role.SERVICE_OFFICER, "dpmptsp", True),
    ("admin_dpmptsp", Role.AGENCY_ADMIN, "dpmptsp", True),
    ("admin_dpmptsp", Role.DATA_PRODUCER, "dpmptsp", True),
    ("admin_dpmptsp", Role.SERVICE_OFFICER, "diskominfo", False),
    ("admin_dpmptsp", Role.DATA_STEWARD, "kaltim", False),
    ("admin_dpmptsp", Role.INSTITUTION_ADMIN, "kaltim", False),
    ("admin_dpmptsp", Role.SUPER_ADMIN, None, False),
    ("officer_dpmptsp", Role.SERVICE_OFFICER, "dpmptsp", False),
    ("coordinator_kaltim", Role.ASSESSOR, "kaltim", False),
    ("citizen", Role.SERVICE_OFFICER, "dpmptsp", False),
]


@pytest.mark.parametrize(("actor_name", "role", "scope_name", "allowed"), GRANT_MATRIX)
def test_who_may_grant_what(province, actor_name, role, scope_name, allowed):
    actor = getattr(province, actor_name)
    scope = getattr(province, scope_name) if scope_name else None
    target = StaffFactory(full_name="Pegawai Baru")
    kwargs = (
        {"agency": scope}
        if role in {Role.SERVICE_OFFICER, Role.AGENCY_ADMIN, Role.DATA_PRODUCER}
        else {"institution": scope}
    )
    before = state()
    if allowed:
        grant = services.role_grant_create(actor=actor, user=target, role=role, **kwargs)
        assert grant.granted_by == actor
        assert AuditEvent.objects.filter(action="core.role_grant_create").count() == 1
        # Revoking follows the same rule.
        services.role_grant_revoke(actor=actor, grant=grant)
        assert RoleGrant.objects.get(pk=grant.pk).revoked_at is not None
        assert AuditEvent.objects.count() == before[1] + 2
    else:
        with pytest.raises(PermissionDenied):
            services.role_grant_create(actor=actor, user=target, role=role, **kwargs)
        assert state() == before


def test_nobody_grants_themselves_an_escalation(province):
    before = state()
    with pytest.raises(PermissionDenied):
        services.role_grant_create(
            actor=province.admin_dpmptsp,
            user=province.admin_dpmptsp,
            role=Role.AGENCY_ADMIN,
            agency=province.diskominfo,
        )
    with pytest.raises(PermissionDenied):
        # Even inside their own scope an admin may not add roles to themselves.
        services.role_grant_create(
            actor=province.admin_kaltim, user=province.admin_kaltim, role=Role.DATA_STEWARD, institution=province.kaltim
        )
    assert state() == before


@pytest.mark.parametrize(
    ("holder", "actor_name"),
    [
        ("officer_dpmptsp_smr", "admin_dpmptsp"),  # an agency admin, a grant outside their OPD
        ("officer_dpmptsp_smr", "admin_kaltim"),  # an instansi admin, a grant in another instansi
        ("steward_kaltim", "admin_dpmptsp"),  # an instansi role, by an agency admin
    ],
)
def test_revoking_a_grant_outside_ones_scope_is_refused(province, holder, actor_name):
    grant = getattr(province, holder).role_grants.get()
    before = state()
    with pytest.raises(PermissionDenied):
        services.role_grant_revoke(actor=getattr(province, actor_name), grant=grant)
    assert state() == before


def test_grant_shape_and_target_are_validated(province):
    target = StaffFactory()
    with pytest.raises(ValidationError) as exc:
        services.role_grant_create(
            actor=province.superadmin, user=target, role=Role.SERVICE_OFFICER, institution=province.kaltim
        )
    assert "agency" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.role_grant_create(
            actor=province.superadmin,
            user=target,
            role=Role.DATA_STEWARD,
            agency=province.diskominfo,
            institution=province.kaltim,
        )
    assert "agency" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.role_grant_create(
            actor=province.admin_kaltim, user=province.citizen, role=Role.SERVICE_OFFICER, agency=province.dpmptsp
        )
    assert "user" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.role_grant_create(
            actor=province.admin_kaltim,
            user=province.officer_dpmptsp,
            role=Role.SERVICE_OFFICER,
            agency=province.dpmptsp,
        )
    assert exc.value.error_dict["role"][0].code == "duplicate"
    assert not AuditEvent.objects.exists()


def test_the_last_super_admin_cannot_be_revoked(province):
    grant = province.superadmin.role_grants.get()
    with pytest.raises(ValidationError):
        services.role_grant_revoke(actor=province.superadmin, grant=grant)
    assert RoleGrant.objects.get(pk=grant.pk).revoked_at is None


def test_a_revoked_grant_stops_giving_permission(province):
    grant = province.officer_dpmptsp.role_grants.get()
    user = User.objects.get(pk=province.officer_dpmptsp.pk)
    assert has_perm(user, "core.view_organisation", province.dpmptsp)
    services.role_grant_revoke(actor=province.admin_dpmptsp, grant=grant)
    user = User.objects.get(pk=user.pk)
    assert not has_perm(user, "core.view_organisation", province.dpmptsp)


# --- staff accounts -------------------------------------------------------------------


def test_agency_admin_opens_a_staff_account_in_their_opd_with_one_event(province):
    user = services.staff_user_create(
        actor=province.admin_dpmptsp,
        full_name="Siti Rahmah",
        email="Siti.Rahmah@KaltimProv.go.id",
        phone="0812-5555-0101",
        password=GOOD_PASSWORD,
        role=Role.SERVICE_OFFICER,
        agency=province.dpmptsp,
    )
    assert user.kind == User.Kind.STAFF
    assert user.phone == "+6281255550101"
    assert user.check_password(GOOD_PASSWORD)
    grant = user.role_grants.get()
    assert (grant.role, grant.agency, grant.granted_by) == (
        Role.SERVICE_OFFICER,
        province.dpmptsp,
        province.admin_dpmptsp,
    )
    event = AuditEvent.objects.get()
    assert event.action == "core.staff_user_create"
    assert event.agency_id == province.dpmptsp.pk
    assert event.changes["after"]["grant"]["role"] == Role.SERVICE_OFFICER
    assert "password" not in str(event.changes)


def test_agency_admin_cannot_open_accounts_elsewhere(province):
    users = User.objects.count()
    with pytest.raises(PermissionDenied):
        services.staff_user_create(
            actor=province.admin_dpmptsp,
            full_name="X",
            email="x@example.id",
            password=GOOD_PASSWORD,
            role=Role.SERVICE_OFFICER,
            agency=province.diskominfo,
        )
    with pytest.raises(PermissionDenied):
        services.staff_user_create(
            actor=province.admin_kaltim, full_name="X", email="x@example.id", password=GOOD_PASSWORD
        )
    assert User.objects.count() == users
    assert not AuditEvent.objects.exists()


def test_malformed_scope_does_not_let_a_non_granter_probe_emails(province):
    # The fields after the scope are validated only for an actor who may grant the role
    # somewhere; otherwise "already registered" would answer who has an account.
    users = User.objects.count()
    with pytest.raises(PermissionDenied):
        services.staff_user_create(
            actor=province.admin_dpmptsp,
            full_name="X",
            email=province.citizen.email,
            password=GOOD_PASSWORD,
            role=Role.INSTITUTION_ADMIN,
            agency=province.dpmptsp,
        )
    assert User.objects.count() == users
    assert not AuditEvent.objects.exists()


def test_malformed_scope_and_bad_fields_are_reported_together(province):
    with translation.override("id"), pytest.raises(ValidationError) as exc:
        services.staff_user_create(
            actor=province.admin_kaltim,
            full_name=" ",
            email="bukan email",
            phone="0812",
            password=GOOD_PASSWORD,
            role=Role.INSTITUTION_ADMIN,
            agency=province.dpmptsp,
        )
    assert set(exc.value.error_dict) == {"agency", "institution", "full_name", "email", "phone"}
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "error_code", "fragment"),
    [
        ("email", "bukan email", "invalid", "Email"),
        ("email", "warga1@example.id", "duplicate", "sudah terdaftar"),
        ("phone", "0812", "invalid_phone", "Nomor telepon"),
        ("phone", "+1 202 555 0100", "invalid_phone", "Nomor telepon"),
        ("password", "12345", None, ""),
        ("full_name", "  ", "required", "Nama lengkap"),
    ],
)
def test_staff_account_fields_are_validated_in_indonesian(province, field, value, error_code, fragment):
    data = {"full_name": "Budi", "email": "budi@example.id", "phone": "", "password": GOOD_PASSWORD} | {field: value}
    users = User.objects.count()
    with translation.override("id"), pytest.raises(ValidationError) as exc:
        services.staff_user_create(
            actor=province.admin_dpmptsp, role=Role.SERVICE_OFFICER, agency=province.dpmptsp, **data
        )
    if error_code:
        assert exc.value.error_dict[field][0].code == error_code
        assert fragment in exc.value.message_dict[field][0]
    else:
        assert field in exc.value.error_dict
    assert User.objects.count() == users
    assert not AuditEvent.objects.exists()


# --- citizens -------------------------------------------------------------------------


def test_citizen_registers_with_phone_only(db):
    user = services.citizen_register(full_name="Rina", phone="+62 813 4700 1234", password=GOOD_PASSWORD)
    assert (user.email, user.phone, user.kind) == (None, "+6281347001234", User.Kind.CITIZEN)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id) == ("core.citizen_register", user.pk)


def test_citizen_needs_email_or_phone(db):
    with translation.override("id"), pytest.raises(ValidationError) as exc:
        services.citizen_register(full_name="Rina", password=GOOD_PASSWORD)
    assert "Email atau nomor telepon" in exc.value.message_dict["email"][0]
    assert not User.objects.exists()


def test_citizen_duplicate_phone_in_another_format_is_refused(db):
    UserFactory(email=None, phone="+6281347001234")
    with pytest.raises(ValidationError) as exc:
        services.citizen_register(full_name="Rina", phone="0813-4700-1234", password=GOOD_PASSWORD)
    assert exc.value.error_dict["phone"][0].code == "duplicate"
    assert User.objects.count() == 1


# --- passwords ------------------------------------------------------------------------


def test_password_change_needs_the_old_password_and_writes_one_event(province):
    user = province.citizen
    with pytest.raises(ValidationError) as exc:
        services.user_password_change(actor=user, user=user, old_password="salah", new_password=GOOD_PASSWORD)
    assert "old_password" in exc.value.error_dict
    assert not AuditEvent.objects.exists()
    services.user_password_change(actor=user, user=user, old_password="Kata-Sandi-Uji-123", new_password=GOOD_PASSWORD)
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.get().action == "core.user_password_change"


def test_nobody_changes_another_persons_password(province):
    with pytest.raises(PermissionDenied):
        services.user_password_change(
            actor=province.superadmin,
            user=province.citizen,
            old_password="Kata-Sandi-Uji-123",
            new_password=GOOD_PASSWORD,
        )
    province.citizen.refresh_from_db()
    assert province.citizen.check_password("Kata-Sandi-Uji-123")


# --- TOTP -----------------------------------------------------------------------------


def code_for(key):
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_totp_enrolment_needs_a_correct_code(province):
    user = province.officer_dpmptsp
    key = default_key()
    with pytest.raises(ValidationError):
        services.totp_device_confirm(
            actor=user, user=user, key=key, code="000000" if code_for(key) != "000000" else "111111"
        )
    assert not TOTPDevice.objects.exists()
    assert not AuditEvent.objects.exists()
    device = services.totp_device_confirm(actor=user, user=user, key=key, code=code_for(key))
    assert device.confirmed and device.user == user
    assert AuditEvent.objects.get().action == "core.totp_device_confirm"
    # The code used to enrol cannot be replayed at sign-in.
    assert not device.verify_token(code_for(key))


def test_totp_is_for_staff_and_only_for_oneself(province):
    key = default_key()
    with pytest.raises(PermissionDenied):
        services.totp_device_confirm(actor=province.citizen, user=province.citizen, key=key, code=code_for(key))
    with pytest.raises(PermissionDenied):
        services.totp_device_confirm(
            actor=province.superadmin, user=province.officer_dpmptsp, key=key, code=code_for(key)
        )
    assert not TOTPDevice.objects.exists()


def test_only_owner_or_super_admin_removes_a_device(province):
    user = province.officer_dpmptsp
    TOTPDevice.objects.create(user=user, name="x", confirmed=True)
    with pytest.raises(PermissionDenied):
        services.totp_device_remove(actor=province.admin_kaltim, user=user)
    assert TOTPDevice.objects.count() == 1
    services.totp_device_remove(actor=province.superadmin, user=user)
    assert not TOTPDevice.objects.exists()
    assert AuditEvent.objects.get().action == "core.totp_device_remove"


# --- the shared contact-details save (staff edit and citizen profile) -----------------


def test_save_contact_changes_writes_and_audits_only_what_changed(province):
    user = province.citizen
    before = {"full_name": user.full_name, "email": user.email, "phone": user.phone}
    services.people.save_contact_changes(
        actor=user, user=user, before=before, after={**before, "full_name": "Warga Baru"}, action="core.test_update"
    )
    user.refresh_from_db()
    assert user.full_name == "Warga Baru"
    event = AuditEvent.objects.get(action="core.test_update")
    assert event.changes == {"before": {"full_name": "Warga Satu"}, "after": {"full_name": "Warga Baru"}}


def test_save_contact_changes_puts_old_values_back_when_the_address_was_taken(province):
    user, taken = province.citizen, province.other_citizen.email
    before = {"full_name": user.full_name, "email": user.email, "phone": user.phone}
    with pytest.raises(ValidationError) as refused:
        services.people.save_contact_changes(
            actor=user, user=user, before=before, after={**before, "email": taken}, action="core.test_update"
        )
    assert [e.code for e in refused.value.error_dict["email"]] == ["duplicate"]
    assert user.email == before["email"]
    user.refresh_from_db()
    assert user.email == before["email"]
    assert not AuditEvent.objects.filter(action="core.test_update").exists()


def test_record_new_grant_writes_the_grant_and_its_scoped_event(province):
    target = StaffFactory(full_name="Pegawai Demo")
    grant = services.people.record_new_grant(
        actor=None, user=target, role=Role.SERVICE_OFFICER, institution=province.kaltim, agency=province.dpmptsp
    )
    assert grant.granted_by is None and grant.revoked_at is None
    event = AuditEvent.objects.get(action="core.role_grant_create")
    assert (event.institution_id, event.agency_id) == (province.kaltim.pk, province.dpmptsp.pk)
    assert event.changes["after"] == {
        "user": target.pk,
        "role": Role.SERVICE_OFFICER,
        "institution": province.kaltim.pk,
        "agency": province.dpmptsp.pk,
    }
