"""The staff page for API tokens (/staf/token-api/)."""

import pytest
from django.utils import timezone

from etam.core import tokens
from etam.core.models import ApiToken, AuditEvent, RoleGrant

pytestmark = pytest.mark.django_db

URL = "/staf/token-api/"


def test_page_offers_only_the_users_own_active_grants(client, province):
    client.force_login(province.admin_dpmptsp)
    html = client.get(URL).content.decode()
    own = RoleGrant.objects.get(user=province.admin_dpmptsp)
    other = RoleGrant.objects.get(user=province.admin_kaltim)
    assert f'value="{own.pk}"' in html
    assert f'value="{other.pk}"' not in html


def test_issue_shows_the_key_once(client, province):
    client.force_login(province.admin_dpmptsp)
    own = RoleGrant.objects.get(user=province.admin_dpmptsp)
    response = client.post(URL, {"name": "Sinkronisasi", "grants": [own.pk], "expires_on": "2999-12-31"})
    assert response.status_code == 201
    token = ApiToken.objects.get()
    html = response.content.decode()
    key = html.split('id="kunci-baru" type="text" readonly value="')[1].split('"')[0]
    assert key.startswith(token.prefix)
    assert list(token.grants.all()) == [own]
    # Valid through the whole chosen day, local time (WITA): until the next midnight.
    assert timezone.localtime(token.expires_at).isoformat() == "3000-01-01T00:00:00+08:00"
    # Never again.
    assert key not in client.get(URL).content.decode()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_invalid_input_keeps_what_was_typed(client, province):
    client.force_login(province.admin_dpmptsp)
    response = client.post(URL, {"name": "", "expires_on": "31/02/2026x"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="31/02/2026x"' in html
    assert "Nama: wajib diisi" in html
    assert "Berlaku sampai: gunakan format" in html
    assert ApiToken.objects.count() == 0


def test_foreign_grant_is_refused(client, province):
    client.force_login(province.admin_dpmptsp)
    other = RoleGrant.objects.get(user=province.admin_kaltim)
    response = client.post(URL, {"name": "x", "grants": [other.pk]})
    assert response.status_code == 422
    assert ApiToken.objects.count() == 0


def test_revoke_own_and_not_others(client, province):
    mine = tokens.api_token_create(actor=province.admin_dpmptsp, name="mine", grants=[]).token
    theirs = tokens.api_token_create(actor=province.admin_diskominfo, name="theirs", grants=[]).token
    client.force_login(province.admin_dpmptsp)
    response = client.post(f"{URL}{theirs.pk}/cabut/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    response = client.post(f"{URL}{mine.pk}/cabut/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert AuditEvent.objects.filter(action="core.api_token_revoke").count() == 1
    assert client.get(f"{URL}{mine.pk}/cabut/").status_code == 405


def test_citizen_and_anonymous_are_kept_out(client, province):
    client.force_login(province.citizen)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "x"}).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302
    assert ApiToken.objects.count() == 0
