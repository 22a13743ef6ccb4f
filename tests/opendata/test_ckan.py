"""The CKAN action API, driven by the official ckanapi client against a live server."""
# ruff: noqa: S608 (resource ids in test SQL)

from __future__ import annotations

import json

import ckanapi
import pytest

from tests.opendata.conftest import make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(province, published):
    population = published()
    schools = published(
        slug="sekolah",
        title="Jumlah sekolah per kabupaten/kota",
        topic="pendidikan",
        content="kode_wilayah,bentuk,status,jumlah\n64.71,SMA,Negeri,12\n64.72,SMA,Negeri,20\n64.72,SMP,Swasta,31\n",
    )
    secret = published(slug="rahasia", title="Data terbatas", access="restricted")
    draft = make_dataset(province, slug="draf", title="Draf belum terbit")
    return population, schools, secret, draft


def test_ckanapi_lists_searches_reads_and_queries(live_server, catalogue):
    with ckanapi.RemoteCKAN(live_server.url, user_agent="etam-tests/1.0") as ckan:
        assert ckan.action.package_list() == ["penduduk", "sekolah"]
        found = ckan.action.package_search(q="sekolah", rows=5, **{"facet.field": ["groups", "organization"]})
        assert found["count"] == 1 and found["results"][0]["name"] == "sekolah"
        assert found["search_facets"]["groups"]["items"][0]["name"] == "pendidikan"
        filtered = ckan.action.package_search(fq="groups:kependudukan")
        assert [p["name"] for p in filtered["results"]] == ["penduduk"]
        package = ckan.action.package_show(id="sekolah")
        assert package["organization"]["name"] == "64-diskominfo"
        resource_id = package["resources"][0]["id"]
        assert ckan.action.resource_show(id=resource_id)["datastore_active"] is True
        rows = ckan.action.datastore_search(
            resource_id=resource_id, filters={"kode_wilayah": "64.72"}, sort="jumlah desc", limit=10
        )
        assert [r["jumlah"] for r in rows["records"]] == [31, 20] and rows["total"] == 2
        distinct = ckan.action.datastore_search(
            resource_id=resource_id, fields=["bentuk"], distinct=True, sort="bentuk"
        )
        assert [r["bentuk"] for r in distinct["records"]] == ["SMA", "SMP"]
        sql = ckan.action.datastore_search_sql(
            sql=f'SELECT bentuk, sum(jumlah) AS n FROM "{resource_id}" GROUP BY bentuk ORDER BY bentuk'
        )
        assert sql["records"] == [{"bentuk": "SMA", "n": 32}, {"bentuk": "SMP", "n": 31}]
        assert ckan.action.organization_list() == ["64-diskominfo"]
        assert ckan.action.organization_show(id="64-diskominfo")["package_count"] == 2
        assert ckan.action.group_list() == ["kependudukan", "pendidikan"]
        assert "penduduk" in ckan.action.tag_list()
        assert ckan.action.status_show()["api_version"] == 3
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="rahasia")
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.datastore_search(resource_id=resource_id, filters={"jumlah": "banyak"})
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.datastore_search_sql(sql="DROP TABLE x")


def test_envelope_and_error_types_over_get_and_post(client, catalogue):
    response = client.get("/api/3/action/package_show", {"id": "penduduk"})
    body = response.json()
    assert response.status_code == 200 and body["success"] is True and body["help"].endswith("package_show/help")
    response = client.post(
        "/api/3/action/package_show", data=json.dumps({"id": "tidak-ada"}), content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["__type"] == "Not Found Error"
    response = client.get("/api/3/action/package_search", {"rows": "banyak"})
    assert response.status_code == 409
    assert response.json()["error"] == {
        "__type": "Validation Error",
        "message": "rows: must be a whole number.",
        "rows": ["rows: must be a whole number."],
    }
    response = client.get("/api/3/action/no_such_action")
    assert response.json()["success"] is False
    response = client.get("/api/3/action/package_list", HTTP_AUTHORIZATION="bukan-token")
    assert response.status_code == 403 and response.json()["error"]["__type"] == "Authorization Error"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT 1; SELECT 2",
        "COPY (SELECT 1) TO '/tmp/x.csv'",
        "ATTACH '/tmp/x.db'",
        "SET enable_external_access = true",
        "CREATE TABLE t AS SELECT 1",
        "SELECT * FROM duckdb_settings()",
        "SELECT getenv('HOME')",
        "SELECT current_setting('threads')",
        "SELECT * FROM opendata_dataset",
        'SELECT * FROM main."{rid}"',
        "PRAGMA database_list",
        'INSERT INTO "{rid}" VALUES (1)',
    ],
)
def test_sql_endpoint_refuses_anything_but_one_select_over_published_resources(client, catalogue, sql):
    rid = catalogue[0].published_version.resource.uuid
    response = client.post(
        "/api/3/action/datastore_search_sql",
        data=json.dumps({"sql": sql.replace("{rid}", str(rid))}),
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["error"]["__type"] == "Validation Error"


def test_sql_endpoint_row_and_time_limits(client, catalogue, settings):
    rid = catalogue[0].published_version.resource.uuid
    settings.OPENDATA_SQL_ROWS_MAX = 2
    body = client.get("/api/3/action/datastore_search_sql", {"sql": f'SELECT * FROM "{rid}"'}).json()
    assert body["success"] and len(body["result"]["records"]) == 2 and body["result"]["records_truncated"] is True
    settings.OPENDATA_QUERY_TIMEOUT = 0.05
    tables = ", ".join(f'"{rid}" t{i}' for i in range(14))
    names = " || ".join(f"t{i}.nama" for i in range(14))
    slow = f"SELECT count(*) FROM {tables} WHERE {names} LIKE '%zz%'"
    response = client.get("/api/3/action/datastore_search_sql", {"sql": slow})
    assert response.status_code == 409
    assert "seconds" in response.json()["error"]["message"] or "detik" in response.json()["error"]["message"]


def test_datastore_search_total_comes_from_metadata_without_filters(client, catalogue, django_assert_num_queries):
    rid = str(catalogue[0].published_version.resource.uuid)
    body = client.get("/api/3/action/datastore_search", {"resource_id": rid, "limit": 2}).json()["result"]
    assert body["total"] == 4 and len(body["records"]) == 2 and body["records"][0]["_id"] == 1
    q = client.get("/api/3/action/datastore_search", {"resource_id": rid, "q": "kota"}).json()["result"]
    assert q["total"] == 2


def test_package_search_queries_are_pinned(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        body = client.get(
            "/api/3/action/package_search",
            {"rows": 10, "facet.field": '["organization","groups","tags","res_format","kabkota"]'},
        ).json()
    assert body["result"]["count"] == 2
