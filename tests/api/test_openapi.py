"""The OpenAPI document: served, committed, and the docs page loads nothing from elsewhere."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from etam.api.openapi import COMMITTED_PATH, render_schema

COMMITTED = Path(settings.BASE_DIR) / COMMITTED_PATH


def test_committed_schema_matches_the_code():
    generated = render_schema()
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert committed == generated, (
        f"{COMMITTED_PATH} is out of date with the API code: run `make openapi` and commit the file."
    )


def test_export_is_deterministic_and_ends_with_a_newline(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    call_command("export_openapi", str(first), stdout=StringIO())
    call_command("export_openapi", str(second), stdout=StringIO())
    text = first.read_text(encoding="utf-8")
    assert text == second.read_text(encoding="utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    schema = json.loads(text)
    assert list(schema) == sorted(schema)
    assert schema["openapi"].startswith("3.")


@pytest.mark.django_db
def test_openapi_json_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/me" in schema["paths"]
    assert "/api/v1/tokens/{token_id}" in schema["paths"]
    assert "ErrorOut" in schema["components"]["schemas"]
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.django_db
def test_docs_page_uses_local_assets_only(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references, html
    external = [r for r in references if re.match(r"^(https?:)?//", r)]
    assert external == []
    for reference in references:
        if reference.startswith(settings.STATIC_URL):
            assert finders.find(reference.removeprefix(settings.STATIC_URL)), reference
    assert {"/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"} <= set(references)
    # Swagger UI would ask validator.swagger.io to badge the schema; switched off.
    settings_json = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1)
    assert json.loads(settings_json)["validatorUrl"] is None
    # Without JavaScript the endpoints are still listed.
    noscript = html[html.index("<noscript>") : html.index("</noscript>")]
    assert "/api/v1/tokens/{token_id}" in noscript


def test_committed_ckan_schema_matches_the_code():
    from etam.opendata.ckan_openapi import COMMITTED_PATH as CKAN_PATH
    from etam.opendata.ckan_openapi import render_schema as render_ckan

    committed = Path(settings.BASE_DIR) / CKAN_PATH
    text = committed.read_text(encoding="utf-8") if committed.exists() else ""
    assert text == render_ckan(), f"{CKAN_PATH} is out of date with the code: run `make openapi` and commit it."


@pytest.mark.django_db
def test_ckan_openapi_json_is_served_and_names_every_action(client):
    from etam.opendata.ckan import ACTIONS
    from etam.opendata.ckan_write import ACTIONS as WRITE_ACTIONS

    response = client.get("/api/3/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {f"/api/3/action/{name}" for name in (*ACTIONS, *WRITE_ACTIONS)}
    for operation in (op for methods in schema["paths"].values() for op in methods.values()):
        assert {"200", "409", "413", "429"} <= set(operation["responses"])


def test_every_v1_operation_documents_every_error_status():
    from etam.api.errors import DOCUMENTED_ERRORS

    schema = json.loads(render_schema())
    missing = [
        (path, method, status)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        for status in DOCUMENTED_ERRORS
        if str(status) not in operation["responses"]
    ]
    assert missing == []


def test_same_named_schemas_of_two_modules_do_not_overwrite_each_other():
    """eservices and inventory both had an ``ApplicationOut``: the document described a
    citizen's applications with the SPBE application register's fields (found by fuzzing)."""
    schema = json.loads(render_schema())
    components = schema["components"]["schemas"]

    def resolve(node):
        return components[node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else node

    page = resolve(
        schema["paths"]["/api/v1/applications"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    )
    item = resolve(page["properties"]["results"]["items"])
    assert "tracking_number" in item["properties"]
    page = resolve(
        schema["paths"]["/api/v1/inventory/applications"]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ]
    )
    assert "acronym" in resolve(page["properties"]["results"]["items"])["properties"]
