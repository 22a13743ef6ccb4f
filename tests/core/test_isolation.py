"""The isolation matrix: actors × objects × operations.

For every pair the table below says whether the actor may SEE the object (selector and
detail page) and whether they may CHANGE it (service and edit page). Each refusal is
checked twice: through the selector/service (the domain layer) and through HTTP (404 when
the object is outside what the actor may see, 403 when they see it but may not change
it), and each refusal must leave the row unchanged and write no audit event. The allowed
cells are checked too, so the matrix cannot pass by refusing everything.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from etam.api.auth import TokenAuth
from etam.core import selectors, services
from etam.core.models import ApiToken, AuditEvent, OrgUnit, Role, RoleGrant
from etam.core.models.people import hash_token
from etam.core.permissions import has_perm
from tests.factories import OrgUnitFactory, StaffFactory, grant

pytestmark = pytest.mark.django_db

ACTORS = ["admin_dpmptsp", "officer_dpmptsp", "admin_samarinda", "admin_kaltim", "citizen"]
AGENCIES = ["dpmptsp", "diskominfo", "dpmptsp_smr"]
INSTITUTIONS = ["kaltim", "samarinda"]
PEOPLE = ["officer_dpmptsp", "officer_dpmptsp_smr", "producer_diskominfo", "steward_kaltim"]

# Who may see / change which OPD (and the units inside it).
SEE_AGENCY = {
    "admin_dpmptsp": {"dpmptsp"},
    "officer_dpmptsp": {"dpmptsp"},
    "admin_samarinda": {"dpmptsp_smr"},
    "admin_kaltim": {"dpmptsp", "diskominfo"},
    "citizen": set(),
}
CHANGE_AGENCY = {
    "admin_dpmptsp": {"dpmptsp"},
    "officer_dpmptsp": set(),
    "admin_samarinda": {"dpmptsp_smr"},
    "admin_kaltim": {"dpmptsp", "diskominfo"},
    "citizen": set(),
}
SEE_INSTITUTION = {
    "admin_dpmptsp": {"kaltim"},
    "officer_dpmptsp": {"kaltim"},
    "admin_samarinda": {"samarinda"},
    "admin_kaltim": {"kaltim"},
    "citizen": set(),
}
CHANGE_INSTITUTION = {
    "admin_dpmptsp": set(),
    "officer_dpmptsp": set(),
    "admin_samarinda": {"samarinda"},
    "admin_kaltim": {"kaltim"},
    "citizen": set(),
}
# People (and their role grants), by the holder of the grant.
SEE_PERSON = {
    "admin_dpmptsp": {"officer_dpmptsp"},
    "officer_dpmptsp": {"officer_dpmptsp"},  # only themselves
    "admin_samarinda": {"officer_dpmptsp_smr"},
    "admin_kaltim": {"officer_dpmptsp", "producer_diskominfo", "steward_kaltim"},
    "citizen": set(),
}
REVOKE_GRANT = {
    "admin_dpmptsp": {"officer_dpmptsp"},
    "officer_dpmptsp": set(),
    "admin_samarinda": {"officer_dpmptsp_smr"},
    "admin_kaltim": {"officer_dpmptsp", "producer_diskominfo", "steward_kaltim"},
    "citizen": set(),
}


def matrix(objects, table):
    return [
        pytest.param(actor, obj, obj in table[actor], id=f"{actor}-{obj}-{'yes' if obj in table[actor] else 'no'}")
        for actor in ACTORS
        for obj in objects
    ]


def assert_unchanged(instance, before, events):
    """The refusal changed nothing: the row is as it was and no audit event was written."""
    assert frozen(instance) == before
    assert AuditEvent.objects.count() == events


def assert_changed(instance, field, value, events):
    """The change landed: the row holds the new value and one audit event was written."""
    assert frozen(instance)[field] == value
    assert AuditEvent.objects.count() == events + 1


def assert_detail_page(client, actor_name, url, allowed):
    """The object's page opens for who may see it; others get 403 or 404 (see refused_http_status)."""
    status = client.get(url).status_code
    assert status == (200 if allowed else refused_http_status(False, actor_name == "citizen"))


def assert_post_answer(response, actor_name, allowed, visible):
    """A change that is allowed redirects (302); a refused one is 403 or 404 (see refused_http_status)."""
    assert response.status_code == (302 if allowed else refused_http_status(visible, actor_name == "citizen"))


def frozen(instance):
    """Everything stored on the row, read fresh from the database."""
    return model_to_dict(type(instance).objects.get(pk=instance.pk))


def refused_http_status(visible, is_citizen):
    if is_citizen:
        return 403  # not a staff account at all
    return 403 if visible else 404


@pytest.fixture
def units(province):
    return {name: OrgUnitFactory(agency=getattr(province, name), code="UMUM") for name in AGENCIES}


# --- OPD ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("actor_name", "obj_name", "allowed"), matrix(AGENCIES, SEE_AGENCY))
def test_see_agency(client, province, actor_name, obj_name, allowed):
    actor, agency = getattr(province, actor_name), getattr(province, obj_name)
    assert selectors.agencies_visible_to(actor).filter(pk=agency.pk).exists() is allowed
    client.force_login(actor)
    assert_detail_page(client, actor_name, reverse("core:agency_detail", args=[agency.pk]), allowed)
    listing = client.get(reverse("core:agency_list"))
    if actor_name != "citizen":
        assert (f'href="{reverse("core:agency_detail", args=[agency.pk])}"' in listing.content.decode()) is allowed


@pytest.mark.parametrize(("actor_name", "obj_name", "allowed"), matrix(AGENCIES, CHANGE_AGENCY))
def test_change_agency_through_the_service(province, actor_name, obj_name, allowed):
    actor, agency = getattr(province, actor_name), getattr(province, obj_name)
    before, events = frozen(agency), AuditEvent.objects.count()
    if allowed:
        services.agency_update(actor=actor, agency=agency, changes={"address": "Jl. Diubah 1"})
        assert_changed(agency, "address", "Jl. Diubah 1", events)
    else:
        with pytest.raises(PermissionDenied):
            services.agency_update(actor=actor, agency=agency, changes={"address": "Jl. Diubah 1"})
        assert_unchanged(agency, before, events)


@pytest.mark.parametrize(("actor_name", "obj_name", "allowed"), matrix(AGENCIES, CHANGE_AGENCY))
def test_change_agency_over_http(client, province, actor_name, obj_name, allowed):
    actor, agency = getattr(province, actor_name), getattr(province, obj_name)
    before, events = frozen(agency), AuditEvent.objects.count()
    client.force_login(actor)
    payload = {"code": agency.code, "name": agency.name, "kind": agency.kind, "address": "Jl. Diubah 1"}
    response = client.post(reverse("core:agency_edit", args=[agency.pk]), payload)
    visible = obj_name in SEE_AGENCY[actor_name]
    assert_post_answer(response, actor_name, allowed, visible)
    if allowed:
        assert_changed(agency, "address", "Jl. Diubah 1", events)
    else:
        assert_unchanged(agency, before, events)
        # Deactivating is refused the same way.
        response = client.post(reverse("core:agency_status", args=[agency.pk]), {"active": "0"})
        assert_post_answer(response, actor_name, False, visible)
        assert_unchanged(agency, before, events)


# --- units --------------------------------------------------------------------------------


@pytest.mark.parametrize(("actor_name", "obj_name", "allowed"), matrix(AGENCIES, CHANGE_AGENCY))
def test_units(client, province, units, actor_name, obj_name, allowed):
    actor, unit = getattr(province, actor_name), units[obj_name]
    visible = obj_name in SEE_AGENCY[actor_name]
    assert selectors.units_visible_to(actor).filter(pk=unit.pk).exists() is visible
    before, events, count = frozen(unit), AuditEvent.objects.count(), OrgUnit.objects.count()
    client.force_login(actor)
    edit = client.post(reverse("core:unit_edit", args=[unit.pk]), {"code": "UMUM", "name": "Diubah", "parent": ""})
    create = client.post(
        reverse("core:unit_create", args=[unit.agency_id]), {"code": "BARU", "name": "Unit Baru", "parent": ""}
    )
    if allowed:
        assert (edit.status_code, create.status_code) == (302, 302)
        assert frozen(unit)["name"] == "Diubah"
        assert AuditEvent.objects.count() == events + 2
    else:
        expected = refused_http_status(visible, actor_name == "citizen")
        assert (edit.status_code, create.status_code) == (expected, expected)
        with pytest.raises(PermissionDenied):
            services.orgunit_update(actor=actor, unit=unit, changes={"name": "Diubah"})
        with pytest.raises(PermissionDenied):
            services.orgunit_create(actor=actor, agency=unit.agency, code="BARU", name="Unit Baru")
        assert frozen(unit) == before
        assert OrgUnit.objects.count() == count
        assert AuditEvent.objects.count() == events


# --- instansi -----------------------------------------------------------------------------


@pytest.mark.parametrize(("actor_name", "obj_name", "allowed"), matrix(INSTITUTIONS, SEE_INSTITUTION))
def test_see_institution(client, province, actor_name, obj_name, allowed):
    actor, institution = getattr(province, actor_name), getattr(province, obj_name)
    assert selectors.institutions_visible_to(actor).filter(pk=institution.pk).exists() is allowed
    client.force_login(actor)
    assert_detail_page(client, actor_name, reverse("core:institution_detail", args=[institution.pk]), allowed)


@pytest.mark.parametrize(("actor_name", "obj_name", "allowed"), matrix(INSTITUTIONS, CHANGE_INSTITUTION))
def test_change_institution(client, province, actor_name, obj_name, allowed):
    actor, institution = getattr(province, actor_name), getattr(province, obj_name)
    before, events = frozen(institution), AuditEvent.objects.count()
    client.force_login(actor)
    payload = {
        "region_code": institution.region_code,
        "name": institution.name,
        "short_name": "Diubah",
        "kind": institution.kind,
    }
    response = client.post(reverse("core:institution_edit", args=[institution.pk]), payload)
    assert_post_answer(response, actor_name, allowed, obj_name in SEE_INSTITUTION[actor_name])
    if allowed:
        assert_changed(institution, "short_name", "Diubah", events)
    else:
        with pytest.raises(PermissionDenied):
            services.institution_update(actor=actor, institution=institution, changes={"short_name": "Diubah"})
        assert_unchanged(institution, before, events)


# --- people and role grants --------------------------------------------------------------


@pytest.mark.parametrize(("actor_name", "obj_name", "allowed"), matrix(PEOPLE, SEE_PERSON))
def test_see_person(client, province, actor_name, obj_name, allowed):
    actor, person = getattr(province, actor_name), getattr(province, obj_name)
    assert selectors.users_visible_to(actor).filter(pk=person.pk).exists() is allowed
    assert selectors.grants_visible_to(actor).filter(user=person).exists() is allowed
    client.force_login(actor)
    assert_detail_page(client, actor_name, reverse("core:staff_detail", args=[person.pk]), allowed)


@pytest.mark.parametrize(("actor_name", "obj_name", "allowed"), matrix(PEOPLE, REVOKE_GRANT))
def test_revoke_grant(client, province, actor_name, obj_name, allowed):
    actor, holder = getattr(province, actor_name), getattr(province, obj_name)
    role_grant = holder.role_grants.get()
    before, events = frozen(role_grant), AuditEvent.objects.count()
    client.force_login(actor)
    response = client.post(reverse("core:grant_revoke", args=[role_grant.pk]))
    assert_post_answer(response, actor_name, allowed, obj_name in SEE_PERSON[actor_name])
    if allowed:
        assert frozen(role_grant)["revoked_at"] is not None
        assert AuditEvent.objects.count() == events + 1
    else:
        with pytest.raises(PermissionDenied):
            services.role_grant_revoke(actor=actor, grant=role_grant)
        assert_unchanged(role_grant, before, events)


@pytest.mark.parametrize("actor_name", ACTORS)
def test_nobody_grants_over_http_outside_their_scope(client, province, actor_name):
    """Granting an admin role in Samarinda's OPD: only its own instansi admin could."""
    actor = getattr(province, actor_name)
    target = province.officer_dpmptsp_smr
    before = sorted(RoleGrant.objects.values_list("pk", "revoked_at"))
    events = AuditEvent.objects.count()
    client.force_login(actor)
    response = client.post(
        reverse("core:staff_detail", args=[target.pk]),
        {"role": Role.AGENCY_ADMIN, "scope": f"a{province.dpmptsp_smr.pk}"},
    )
    if actor_name == "admin_samarinda":
        assert response.status_code == 302
        assert RoleGrant.objects.filter(user=target, role=Role.AGENCY_ADMIN).count() == 1
    else:
        assert response.status_code in (403, 404, 200)
        if response.status_code == 200:  # the scope is not among the actor's choices
            assert "Lingkup:" in response.content.decode()
        assert sorted(RoleGrant.objects.values_list("pk", "revoked_at")) == before
        assert AuditEvent.objects.count() == events


# --- citizens -----------------------------------------------------------------------------


def test_a_citizen_sees_only_their_own_account(client, province):
    citizen, other = province.citizen, province.other_citizen
    assert list(selectors.users_visible_to(citizen)) == [citizen]
    assert not selectors.agencies_visible_to(citizen).exists()
    assert not selectors.grants_visible_to(citizen).exists()
    client.force_login(citizen)
    page = client.get(reverse("account")).content.decode()
    assert citizen.email in page and other.email not in page
    assert client.get(reverse("core:staff_detail", args=[other.pk])).status_code == 403
    assert client.get(reverse("core:staff_list")).status_code == 403


def test_staff_admins_do_not_see_citizens(client, province):
    for admin in (province.admin_kaltim, province.admin_dpmptsp, province.admin_samarinda):
        assert not selectors.users_visible_to(admin).filter(pk=province.citizen.pk).exists()
    client.force_login(province.admin_kaltim)
    assert client.get(reverse("core:staff_detail", args=[province.citizen.pk])).status_code == 404


# --- token-scoped grants -----------------------------------------------------------------------


@pytest.fixture
def two_opd_admin(province):
    """An admin of two OPDs whose API token carries only the DPMPTSP grant."""
    user = StaffFactory(full_name="Admin Dua OPD")
    dpmptsp_grant = grant(user, Role.AGENCY_ADMIN, province.dpmptsp)
    grant(user, Role.AGENCY_ADMIN, province.diskominfo)
    raw = "etam_uji_token_rahasia_0123456789"
    token = ApiToken.objects.create(user=user, name="sinkron", prefix=raw[:12], key_hash=hash_token(raw))
    token.grants.add(dpmptsp_grant)
    return user, raw, dpmptsp_grant


def token_user(raw):
    request = RequestFactory().get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    return TokenAuth().authenticate(request, raw)


def test_a_token_acts_only_with_its_own_grants(province, two_opd_admin):
    user, raw, _ = two_opd_admin
    assert selectors.agencies_visible_to(user).count() == 2  # the person, signed in, sees both
    as_token = token_user(raw)
    assert list(selectors.agencies_visible_to(as_token)) == [province.dpmptsp]
    before, events = frozen(province.diskominfo), AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=as_token, agency=province.diskominfo, changes={"address": "Jl. Token"})
    with pytest.raises(PermissionDenied):
        services.orgunit_create(actor=as_token, agency=province.diskominfo, code="TOKEN", name="Unit Token")
    assert_unchanged(province.diskominfo, before, events)
    services.agency_update(actor=as_token, agency=province.dpmptsp, changes={"address": "Jl. Token"})
    assert AuditEvent.objects.count() == events + 1


def test_a_token_stops_when_its_grant_is_revoked(province, two_opd_admin):
    _user, raw, dpmptsp_grant = two_opd_admin
    services.role_grant_revoke(actor=province.admin_kaltim, grant=dpmptsp_grant)
    as_token = token_user(raw)
    assert not has_perm(as_token, "core.view_organisation", province.dpmptsp)
    assert not selectors.agencies_visible_to(as_token).exists()
    before = frozen(province.dpmptsp)
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=as_token, agency=province.dpmptsp, changes={"address": "Jl. Token"})
    assert frozen(province.dpmptsp) == before


def test_a_token_cannot_grant_what_its_grants_do_not_cover(province, two_opd_admin):
    _user, raw, _ = two_opd_admin
    as_token = token_user(raw)
    target = StaffFactory()
    before = RoleGrant.objects.count()
    with pytest.raises(PermissionDenied):
        services.role_grant_create(actor=as_token, user=target, role=Role.SERVICE_OFFICER, agency=province.diskominfo)
    assert RoleGrant.objects.count() == before
    services.role_grant_create(actor=as_token, user=target, role=Role.SERVICE_OFFICER, agency=province.dpmptsp)
    assert RoleGrant.objects.count() == before + 1
