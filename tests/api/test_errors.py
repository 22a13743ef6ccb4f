"""One error envelope for every 4xx/5xx under /api/v1/."""

from unittest import mock

import pytest
from django.test import override_settings

from etam.core import tokens

pytestmark = pytest.mark.django_db


def error_of(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["request_id"] == response["X-Request-ID"]
    return body["error"]


def test_validation_error_names_each_field_in_indonesian(client, province):
    client.force_login(province.admin_kaltim)
    response = client.post(
        "/api/v1/tokens",
        data={"name": "x" * 101, "grant_ids": ["satu"], "expires_at": "besok"},
        content_type="application/json",
    )
    error = error_of(response, 422)
    assert error["code"] == "validation_error"
    assert error["message"].startswith("Ada isian yang tidak valid")
    fields = {f["path"]: f["message"] for f in error["fields"]}
    assert fields == {
        "body.name": "name: paling banyak 100 karakter.",
        "body.grant_ids.0": "grant_ids: harus bilangan bulat, mis. 12.",
        "body.expires_at": "expires_at: harus tanggal dan waktu dalam format ISO 8601, mis. 2025-12-31T23:59:00+08:00.",
    }


def test_missing_field_and_english_on_request(client, province):
    client.force_login(province.admin_kaltim)
    response = client.post("/api/v1/tokens", data={}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    error = error_of(response, 422)
    assert error["fields"] == [{"path": "body.name", "message": "name: required."}]
    assert error["message"] == "Some input is invalid; see the list of fields."


def test_malformed_json_body(client, province):
    client.force_login(province.admin_kaltim)
    response = client.post("/api/v1/tokens", data="{not json", content_type="application/json")
    error = error_of(response, 400)
    assert error["code"] == "invalid_json"
    assert error["message"] == "Isi permintaan bukan JSON yang valid."


def test_service_validation_error_becomes_field_errors(client, province):
    client.force_login(province.admin_dpmptsp)
    response = client.post(
        "/api/v1/tokens",
        data={"name": "ok", "expires_at": "2001-01-01T00:00:00+08:00"},
        content_type="application/json",
    )
    error = error_of(response, 422)
    assert [f["path"] for f in error["fields"]] == ["body.expires_at"]
    assert "masa depan" in error["fields"][0]["message"]


def test_query_parameter_errors_have_query_paths(client, province):
    client.force_login(province.superadmin)
    error = error_of(client.get("/api/v1/audit/events?date_from=31-31-2025&page=0"), 422)
    assert {f["path"] for f in error["fields"]} == {"query.date_from", "query.page"}


def test_unauthenticated(client):
    error = error_of(client.get("/api/v1/me"), 401)
    assert error["code"] == "not_authenticated"
    assert "Authorization: Bearer" in error["message"]


def test_permission_denied(client, province):
    client.force_login(province.officer_dpmptsp)
    error = error_of(client.get("/api/v1/audit/events"), 403)
    assert error["code"] == "permission_denied"


def test_not_found_operation_object_and_unknown_path(client, province):
    client.force_login(province.admin_kaltim)
    assert error_of(client.delete("/api/v1/tokens/999999"), 404)["code"] == "not_found"
    assert error_of(client.get("/api/v1/no-such-thing"), 404)["code"] == "not_found"
    assert error_of(client.get("/api/v1/"), 404)["code"] == "not_found"


def test_method_not_allowed(client, province):
    client.force_login(province.admin_kaltim)
    response = client.put("/api/v1/me")
    error = error_of(response, 405)
    assert error["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


def test_unexpected_exception_is_a_500_without_internals(client, province, caplog):
    client.force_login(province.admin_kaltim)
    with mock.patch.object(tokens, "api_tokens_for", side_effect=RuntimeError("secret table name xyz")):
        response = client.get("/api/v1/tokens")
    error = error_of(response, 500)
    assert error["code"] == "server_error"
    assert "xyz" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert any("secret table name xyz" in str(r.exc_info) for r in caplog.records if r.exc_info)


@override_settings(API_RATE_LIMIT="3/m")
def test_rate_limit(client, province):
    from django.core.cache import cache

    cache.clear()
    issued = tokens.api_token_create(actor=province.citizen, name="busy", grants=[])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.key}"}
    for _ in range(3):
        assert client.get("/api/v1/me", **headers).status_code == 200
    response = client.get("/api/v1/me", **headers)
    error = error_of(response, 429)
    assert error["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    # Another caller has its own budget.
    client.force_login(province.other_citizen)
    assert client.get("/api/v1/me").status_code == 200
    cache.clear()


def test_rate_limit_parsing():
    from etam.api.throttling import parse_rate

    assert parse_rate("600/m") == (600, 60)
    assert parse_rate("10/hour") == (10, 3600)
    with pytest.raises(ValueError):
        parse_rate("lots")
