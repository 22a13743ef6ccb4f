import copy

import pytest

from etam.eservices import definitions, demo_definitions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "make",
    [
        demo_definitions.izin_penelitian,
        demo_definitions.legalisir_ijazah,
        demo_definitions.ppdb_sma_smk,
        demo_definitions.informasi_publik,
        demo_definitions.rekomendasi_klinik,
    ],
)
def test_demo_definitions_are_valid_exports(make):
    assert definitions.validate_export(demo_definitions.as_export(make())) == []


def test_schema_error_carries_the_path():
    form = {"pages": [{"id": "a", "title": "A", "fields": [{"name": "x", "type": "teks", "label": "X"}]}]}
    errors = definitions.validate_form(form)
    assert errors and errors[0].path == "pages[0].fields[0].type"


def test_condition_must_point_backwards():
    form = {
        "pages": [
            {
                "id": "a",
                "title": "A",
                "fields": [
                    {"name": "x", "type": "text", "label": "X", "visible_if": {"field": "y", "equals": "1"}},
                    {"name": "y", "type": "text", "label": "Y"},
                ],
            }
        ]
    }
    errors = definitions.validate_form(form)
    assert [e.path for e in errors] == ["pages[0].fields[0].visible_if"]


def test_duplicate_field_names_refused():
    form = {
        "pages": [
            {"id": "a", "title": "A", "fields": [{"name": "x", "type": "text", "label": "X"}]},
            {"id": "b", "title": "B", "fields": [{"name": "x", "type": "email", "label": "X"}]},
        ]
    }
    assert any("twice" in e.message or "dua kali" in e.message for e in definitions.validate_form(form))


def test_workflow_semantics():
    workflow = definitions.default_workflow()
    assert definitions.validate_workflow(workflow) == []
    broken = copy.deepcopy(workflow)
    broken["actions"][0]["to"] = "hilang"
    broken["actions"].append(dict(broken["actions"][1], name="dari_akhir", **{"from": ["selesai"]}))
    paths = [e.path for e in definitions.validate_workflow(broken)]
    assert "actions[0]" in paths and "actions[6]" in paths
    no_terminal = copy.deepcopy(workflow)
    for state in no_terminal["states"].values():
        state.pop("terminal", None)
        state.pop("outcome", None)
    messages = " ".join(str(e) for e in definitions.validate_workflow(no_terminal))
    assert "states" in messages


def test_unknown_role_in_workflow_is_a_schema_error():
    workflow = definitions.default_workflow()
    workflow["actions"][0]["roles"] = ["walidata"]
    assert definitions.validate_workflow(workflow)[0].path == "actions[0].roles[0]"
