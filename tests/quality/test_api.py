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
