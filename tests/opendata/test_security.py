"""Restricted datasets and unpublished drafts never leak: one test per path."""
# ruff: noqa: S608 (resource ids in test SQL)

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.opendata.conftest import make_dataset, submitted_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden(province, published):
    """A public dataset, a restricted one, and a draft with a validated (unpublished) table."""
    public = published(slug="terbuka", title="Data terbuka umum")
    restricted = published(slug="terbatas", title="Data terbatas rahasia", access="restricted")
    draft = make_dataset(province, slug="draf", title="Draf rahasia")
    version = submitted_upload(province.producer_diskominfo, draft)
    return public, restricted, draft, version


def _ids(hidden):
    _public, restricted, _draft, version = hidden
    return str(restricted.published_version.resource.uuid), str(version.resource.uuid)


def test_search_page_and_facets(client, hidden):
    body = client.get(reverse("opendata:search")).content.decode()
    assert "Data terbuka umum" in body and "rahasia" not in body.lower()
    result = client.get("/api/3/action/package_search", {"facet.field": '["tags","organization"]'}).json()["result"]
    assert result["count"] == 1
    assert result["search_facets"]["organization"]["items"][0]["count"] == 1


def test_ckan_package_and_resource_actions(client, hidden):
    restricted_rid, draft_rid = _ids(hidden)
    assert client.get("/api/3/action/package_list").json()["result"] == ["terbuka"]
    for key in ("terbatas", "draf"):
        assert client.get("/api/3/action/package_show", {"id": key}).status_code == 404
    for rid in (restricted_rid, draft_rid):
        assert client.get("/api/3/action/resource_show", {"id": rid}).status_code == 404
        assert client.get("/api/3/action/datastore_search", {"resource_id": rid}).status_code == 404
    assert client.get("/api/3/action/organization_show", {"id": "64-diskominfo"}).json()["result"]["package_count"] == 1
    assert "rahasia" not in json.dumps(client.get("/api/3/action/tag_list").json())


def test_sql_endpoint(client, hidden):
    for rid in _ids(hidden):
        response = client.get("/api/3/action/datastore_search_sql", {"sql": f'SELECT * FROM "{rid}"'})
        assert response.status_code == 409 and "bukan sumber daya terbit" in response.json()["error"]["message"]
        english = client.get(
            "/api/3/action/datastore_search_sql", {"sql": f'SELECT * FROM "{rid}"'}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert english.status_code == 409 and "not a published resource" in english.json()["error"]["message"]


def test_dcat_and_datapackage(client, hidden):
    for fmt in ("ttl", "jsonld"):
        body = client.get(reverse("opendata:catalog", args=[fmt])).content.decode()
        assert "Data terbuka umum" in body and "terbatas" not in body and "draf" not in body
    for slug in ("terbatas", "draf"):
        assert client.get(reverse("opendata:datapackage", args=[slug])).status_code == 404
        assert client.get(reverse("opendata:dataset_dcat", args=[slug, "ttl"])).status_code == 404
        assert client.get(reverse("opendata:dataset", args=[slug])).status_code == 404


def test_downloads(client, hidden):
    for fmt in ("csv", "json", "xlsx", "parquet"):
        assert client.get(reverse("opendata:download", args=["terbatas", 1, fmt])).status_code == 404
        assert client.get(reverse("opendata:download", args=["draf", 1, fmt])).status_code == 404
        assert client.get(f"/api/v1/datasets/terbatas/download.{fmt}").status_code == 404


def test_native_api(client, hidden):
    listing = client.get("/api/v1/datasets/").json()
    assert [d["slug"] for d in listing["results"]] == ["terbuka"]
    for slug in ("terbatas", "draf"):
        for suffix in ("", "/rows", "/aggregate?group_by=nama"):
            assert client.get(f"/api/v1/datasets/{slug}{suffix}").status_code == 404


def test_granted_users_see_restricted_but_others_do_not(client, province, hidden):
    client.force_login(province.steward_kaltim)
    assert client.get("/api/3/action/package_show", {"id": "terbatas"}).status_code == 200
    assert client.get("/api/v1/datasets/terbatas").status_code == 200
    client.force_login(province.producer_diskominfo)
    assert client.get(reverse("opendata:download", args=["terbatas", 1, "csv"])).status_code == 200
    for other in (province.citizen, province.admin_samarinda, province.officer_dpmptsp):
        client.force_login(other)
        assert client.get("/api/3/action/package_show", {"id": "terbatas"}).status_code == 404
        assert client.get(reverse("opendata:download", args=["terbatas", 1, "csv"])).status_code == 404
        # Drafts stay out of the public surfaces even for granted users.
    client.force_login(province.steward_kaltim)
    assert client.get("/api/3/action/package_show", {"id": "draf"}).status_code == 404


def test_staff_pages_are_scoped(client, province, hidden):
    _public, _restricted, draft, version = hidden
    client.force_login(province.officer_dpmptsp)
    assert client.get(reverse("opendata:staff_dataset", args=[draft.pk])).status_code == 404
    assert client.get(reverse("opendata:staff_version", args=[version.pk])).status_code == 404
    assert client.get(reverse("opendata:staff_list")).status_code == 403
    client.force_login(province.admin_samarinda)
    assert client.get(reverse("opendata:staff_version_review", args=[version.pk])).status_code == 404
    response = client.post(reverse("opendata:staff_version_review", args=[version.pk]), {"decision": "publish"})
    assert response.status_code == 404
    version.refresh_from_db()
    assert version.status == "submitted"
