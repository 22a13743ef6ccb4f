"""POST /api/v1/skm/score: the stateless SKM score."""

import pytest

URL = "/api/v1/skm/score"


@pytest.mark.django_db
def test_score(client):
    body = {"responses": [[4, 3, 3, 4, 3, 4, 3, 3, 3], [4, 3, None, 4, 3, 4, 3, 3, 3]]}
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["ikm"] == "83.33"
    assert (data["mutu"], data["kinerja"]) == ("B", "Baik")
    assert data["unsur"][0] == "4.000"
    assert data["unanswered"][2] == 1
    assert data["respondents"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("responses", "path", "words"),
    [
        ([[4, 4, 5, 4, 4, 4, 4, 4, 4]], "body.responses.0.2", "Waktu penyelesaian"),
        ([[4] * 8], "body.responses.0", "sembilan"),
        ([], "body.responses", "responses"),
        ([[None] * 9], "body.responses.0", "Responden 1"),
    ],
)
def test_bad_input_names_the_field(client, responses, path, words):
    response = client.post(URL, {"responses": responses}, content_type="application/json")
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields[0]["path"] == path
    assert words in fields[0]["message"]


@pytest.mark.django_db
def test_missing_body_field_is_422(client):
    response = client.post(URL, {}, content_type="application/json")
    assert response.status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("respondents", "total", "ikm", "mutu"),
    [
        (24, 763, "88.31", "A"),
        (19, 604, "88.30", "B"),
        (19, 524, "76.61", "B"),
        (26, 717, "76.60", "C"),
        (5, 117, "65.00", "C"),
        (38, 889, "64.99", "D"),
    ],
)
def test_grade_boundaries_through_the_api(client, respondents, total, ikm, mutu):
    # the hand-computed sets of test_scoring.test_every_grade_boundary, posted as JSON
    from tests.quality.test_scoring import responses_with_total

    body = {"responses": responses_with_total(respondents, total)}
    data = client.post(URL, body, content_type="application/json").json()
    assert (data["ikm"], data["mutu"]) == (ikm, mutu)


def test_score_is_in_the_committed_openapi_document():
    import json
    from pathlib import Path

    document = json.loads((Path(__file__).resolve().parents[2] / "docs/api/openapi.json").read_text())
    operation = document["paths"]["/api/v1/skm/score"]["post"]
    assert {"200", "422"} <= set(operation["responses"])
    out = document["components"]["schemas"]["SkmScoreOut"]["properties"]
    assert {"ikm", "mutu", "kinerja", "unsur"} <= set(out)
    assert "security" not in operation or operation["security"] in ([], [{}])
