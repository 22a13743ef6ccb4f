"""API tokens: issued once, scoped to the owner's grants, refused when revoked or expired."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from etam.core import audit, tokens
from etam.core.models import ApiToken, AuditEvent, Role, RoleGrant
from etam.core.models.people import hash_token
from tests.factories import grant

pytestmark = pytest.mark.django_db


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def issue(user, grants=(), **kwargs):
    return tokens.api_token_create(actor=user, name=kwargs.pop("name", "uji"), grants=list(grants), **kwargs)


def own_grant(user, role=None):
    qs = RoleGrant.objects.active().filter(user=user)
    return qs.get(role=role) if role else qs.get()


# --- the service --------------------------------------------------------------------


def test_create_stores_only_hash_and_prefix_and_audits(province):
    user = province.admin_dpmptsp
    issued = issue(user, [own_grant(user)], name="Sinkronisasi")
    token = ApiToken.objects.get()
    assert issued.key.startswith("etam_") and len(issued.key) > 40
    assert token.key_hash == hash_token(issued.key)
    assert token.prefix == issued.key[:12]
    assert issued.key not in {token.key_hash, token.prefix, token.name}
    assert list(token.grants.all()) == [own_grant(user)]
    event = AuditEvent.objects.get(action="core.api_token_create")
    assert event.actor_id == user.pk
    assert event.changes["after"]["prefix"] == token.prefix
    assert issued.key not in str(event.changes)


def test_create_refuses_grants_the_owner_does_not_hold(province):
    someone_elses = own_grant(province.admin_kaltim)
    with pytest.raises(ValidationError) as info:
        issue(province.admin_dpmptsp, [someone_elses])
    assert "grants" in info.value.message_dict
    assert ApiToken.objects.count() == 0
    assert not AuditEvent.objects.filter(action="core.api_token_create").exists()


def test_create_refuses_a_revoked_grant(province):
    user = province.admin_dpmptsp
    g = own_grant(user)
    RoleGrant.objects.filter(pk=g.pk).update(revoked_at=timezone.now())
    with pytest.raises(ValidationError):
        issue(user, [g])
    assert ApiToken.objects.count() == 0


def test_create_validates_name_and_expiry_per_field(province):
    with pytest.raises(ValidationError) as info:
        tokens.api_token_create(
            actor=province.admin_dpmptsp, name="  ", grants=[], expires_at=timezone.now() - timedelta(days=1)
        )
    assert set(info.value.message_dict) == {"name", "expires_at"}


def test_revoke_by_a_stranger_is_refused_and_changes_nothing(province):
    issued = issue(province.admin_dpmptsp, [own_grant(province.admin_dpmptsp)])
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        tokens.api_token_revoke(actor=province.admin_diskominfo, token=issued.token)
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None
    assert AuditEvent.objects.count() == before


def test_super_admin_may_revoke_any_token(province):
    issued = issue(province.admin_dpmptsp)
    tokens.api_token_revoke(actor=province.superadmin, token=issued.token)
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action="core.api_token_revoke", actor=province.superadmin).count() == 1


# --- authentication -----------------------------------------------------------------


def test_me_with_a_token_shows_only_the_token_grants(client, province):
    user = province.admin_dpmptsp
    extra = grant(user, Role.DATA_PRODUCER, province.diskominfo)
    issued = issue(user, [own_grant(user, Role.AGENCY_ADMIN)], name="Robot")
    response = client.get("/api/v1/me", **bearer(issued.key))
    assert response.status_code == 200
    body = response.json()
    assert body["authenticated_by"] == "token"
    assert body["token"]["prefix"] == issued.token.prefix
    assert [g["role"] for g in body["grants"]] == ["admin_opd"]
    assert body["grants"][0]["agency"] == {"id": province.dpmptsp.pk, "name": province.dpmptsp.name}
    assert "core.view_audit" in body["grants"][0]["permissions"]
    # With the session the same person acts with all their grants.
    client.force_login(user)
    body = client.get("/api/v1/me").json()
    assert body["authenticated_by"] == "session"
    assert {g["id"] for g in body["grants"]} == {own_grant(user, Role.AGENCY_ADMIN).pk, extra.pk}


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown", "inactive_user"])
def test_unusable_token_is_refused_with_401(client, province, state):
    user = province.admin_dpmptsp
    issued = issue(user, [own_grant(user)])
    key = issued.key
    if state == "revoked":
        tokens.api_token_revoke(actor=user, token=issued.token)
    elif state == "expired":
        ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif state == "unknown":
        key = key[:-4] + "AAAA"
    else:
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    for method, path in [("get", "/api/v1/me"), ("post", "/api/v1/tokens")]:
        response = getattr(client, method)(path, data={}, content_type="application/json", **bearer(key))
        assert response.status_code == 401, (state, method)
        assert response.json()["error"]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert ApiToken.objects.count() == 1


def test_token_with_an_opd_grant_cannot_act_beyond_it(client, province):
    """The owner administers two OPDs; the token only one. The token sees one OPD's audit
    events and cannot mint a token with the other grant."""
    user = province.admin_dpmptsp
    other = grant(user, Role.AGENCY_ADMIN, province.diskominfo)
    with transaction.atomic():
        audit.record(actor=province.superadmin, action="core.test", target=province.dpmptsp)
        audit.record(actor=province.superadmin, action="core.test", target=province.diskominfo)
    issued = issue(user, [RoleGrant.objects.get(user=user, agency=province.dpmptsp)])
    body = client.get("/api/v1/audit/events?action=core.test", **bearer(issued.key)).json()
    assert {e["agency_id"] for e in body["items"]} == {province.dpmptsp.pk}
    client.force_login(user)
    body = client.get("/api/v1/audit/events?action=core.test").json()
    assert {e["agency_id"] for e in body["items"]} == {province.dpmptsp.pk, province.diskominfo.pk}
    client.logout()
    # Escalation through the token: refused, nothing created.
    response = client.post(
        "/api/v1/tokens",
        data={"name": "wider", "grant_ids": [other.pk]},
        content_type="application/json",
        **bearer(issued.key),
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["path"] == "body.grants"
    assert ApiToken.objects.count() == 1


def test_grants_revoked_after_token_creation_stop_working(client, province):
    user = province.admin_dpmptsp
    g = own_grant(user)
    issued = issue(user, [g])
    assert client.get("/api/v1/audit/events", **bearer(issued.key)).status_code == 200
    RoleGrant.objects.filter(pk=g.pk).update(revoked_at=timezone.now())
    response = client.get("/api/v1/audit/events", **bearer(issued.key))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert client.get("/api/v1/me", **bearer(issued.key)).json()["grants"] == []


def test_token_without_grants_is_refused_where_a_role_is_needed(client, province):
    issued = issue(province.admin_kaltim)
    assert client.get("/api/v1/audit/events", **bearer(issued.key)).status_code == 403


def test_last_used_is_recorded_at_most_once_a_minute(client, province, django_assert_num_queries):
    issued = issue(province.citizen)
    client.get("/api/v1/me", **bearer(issued.key))
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    # token, user and "has active grants" in one query (a citizen's token carries none),
    # then the endpoint reads nothing else: no write this time.
    with django_assert_num_queries(1):
        client.get("/api/v1/me", **bearer(issued.key))
    assert ApiToken.objects.get().last_used_at == first


def test_token_with_grants_costs_one_more_query_and_sees_revocation(client, province, django_assert_num_queries):
    user = province.admin_kaltim
    held = own_grant(user)
    issued = issue(user, grants=[held])
    client.get("/api/v1/me", **bearer(issued.key))
    with django_assert_num_queries(2):  # token (+ user, + exists), its active grants
        body = client.get("/api/v1/me", **bearer(issued.key)).json()
    assert [g["id"] for g in body["grants"]] == [held.pk]
    RoleGrant.objects.filter(pk=held.pk).update(revoked_at=timezone.now())
    with django_assert_num_queries(1):  # no active grant left: no second query
        body = client.get("/api/v1/me", **bearer(issued.key)).json()
    assert body["grants"] == []


# --- the endpoints --------------------------------------------------------------------


def test_create_list_and_revoke_through_the_api(client, province):
    user = province.admin_kaltim
    client.force_login(user)
    g = own_grant(user)
    response = client.post(
        "/api/v1/tokens",
        data={"name": "Harvester", "grant_ids": [g.pk], "expires_at": "2999-01-01T00:00:00+08:00"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    key = created["key"]
    assert created["token"]["grants"][0]["id"] == g.pk
    assert created["token"]["usable"] is True
    listed = client.get("/api/v1/tokens").json()
    assert [t["prefix"] for t in listed] == [key[:12]]
    assert "key" not in listed[0]
    assert client.get("/api/v1/me", **bearer(key)).status_code == 200
    assert client.delete(f"/api/v1/tokens/{created['token']['id']}").status_code == 204
    assert client.get("/api/v1/me", **bearer(key)).status_code == 401
    assert client.get("/api/v1/tokens").json()[0]["revoked_at"] is not None


def test_session_writes_need_csrf(province):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(province.admin_kaltim)
    response = client.post("/api/v1/tokens", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert ApiToken.objects.count() == 0


def test_someone_elses_token_is_not_found_and_stays(client, province):
    issued = issue(province.admin_dpmptsp)
    client.force_login(province.admin_diskominfo)
    response = client.delete(f"/api/v1/tokens/{issued.token.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert ApiToken.objects.get().revoked_at is None
    assert not AuditEvent.objects.filter(action="core.api_token_revoke").exists()


def test_token_list_query_count_does_not_grow(client, province, django_assert_num_queries):
    user = province.admin_kaltim
    client.force_login(user)
    for i in range(2):
        issue(user, [own_grant(user)], name=f"t{i}")
    # session, user, tokens, their grants (with scopes)
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/tokens").json()) == 2
    for i in range(5):
        issue(user, [own_grant(user)], name=f"u{i}")
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/tokens").json()) == 7


def test_token_user_is_the_orm_user_field_by_field(province):
    """The look-up builds the user from one (prepared, on PostgreSQL) row: every field
    equals what the ORM loads, and the token's attributes are the token's."""
    from etam.core import bearer as bearer_rule
    from etam.core.models import User

    user = province.citizen
    user.last_login = timezone.now() - timedelta(days=1)
    user.save(update_fields=["last_login"])
    expires = timezone.now() + timedelta(days=30)
    issued = issue(user, expires_at=expires)
    found, token = bearer_rule.resolve(issued.key)
    expected = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found.last_login.tzinfo is not None and found._state.adding is False
    stored = ApiToken.objects.get(pk=token.pk)
    assert (token.pk, token.prefix, token.name, found.etam_token_has_grants) == (
        stored.pk,
        stored.prefix,
        stored.name,
        False,
    )
    assert bearer_rule.resolve(issued.key + "x") is None
