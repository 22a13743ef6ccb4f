"""GET /api/v1/audit/events: scoped like the viewer, paginated, query count pinned."""

import pytest
from django.db import transaction

from etam.core import audit, tokens

pytestmark = pytest.mark.django_db


def _record(province, n):
    with transaction.atomic():
        for i in range(n):
            audit.record(actor=province.admin_kaltim, action="core.test", target=province.dpmptsp, after={"i": i})
        audit.record(actor=province.admin_samarinda, action="core.test", target=province.dpmptsp_smr)


def test_scoped_and_paginated(client, province):
    _record(province, 3)
    client.force_login(province.admin_samarinda)
    body = client.get("/api/v1/audit/events").json()
    assert body["count"] == 1
    assert body["items"][0]["agency_id"] == province.dpmptsp_smr.pk
    client.force_login(province.superadmin)
    body = client.get("/api/v1/audit/events?page_size=2&page=2").json()
    assert body["count"] == 4
    assert len(body["items"]) == 2
    first = client.get("/api/v1/audit/events?page_size=2").json()["items"]
    assert first[0]["id"] > first[1]["id"] > body["items"][0]["id"]
    assert first[1]["changes"] == {"before": {"i": None}, "after": {"i": 2}}
    assert first[0]["sealed"] is False


def test_query_count_is_pinned(client, province, django_assert_num_queries):
    _record(province, 2)
    client.force_login(province.superadmin)
    # session, user, grants, count, page
    with django_assert_num_queries(5):
        assert client.get("/api/v1/audit/events").json()["count"] == 3
    _record(province, 30)
    with django_assert_num_queries(5):
        assert client.get("/api/v1/audit/events").json()["count"] == 34
    key = tokens.api_token_create(
        actor=province.superadmin, name="t", grants=list(province.superadmin.role_grants.all())
    ).key
    client.logout()
    client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")  # records last_used_at
    # token, its grants, count, page
    with django_assert_num_queries(4):
        assert client.get("/api/v1/audit/events", HTTP_AUTHORIZATION=f"Bearer {key}").json()["count"] == 35
