from __future__ import annotations

import pytest

from etam.evaluation import services
from etam.evaluation.models import Framework
from tests.evaluation.test_services import JUST

URL = "/api/v1/evaluation"


def all_levels(level: int) -> dict[str, int]:
    return {str(n): level for n in range(1, 48)}


def test_frameworks_list_is_public_with_pinned_queries(client, framework, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(f"{URL}/frameworks")
    assert response.status_code == 200
    codes = {f["code"]: f for f in response.json()}
    assert codes["permenpanrb-59-2020"]["indicator_count"] == 47
    assert codes["indeks-pemdi-2025-konsep"]["provisional"] is True


def test_framework_detail_structure(client, framework):
    body = client.get(f"{URL}/frameworks/{framework.pk}").json()
    assert len(body["domains"]) == 4
    layanan = body["domains"][3]
    assert layanan["aspects"][1]["indicators"][0] == {
        "number": 42,
        "name": "Tingkat Kematangan Layanan Pengaduan Pelayanan Publik",
        "weight": "3.000",
        "scale": "fungsi-teknis",
    }
    scales = {s["code"]: s for s in body["scales"]}
    assert scales["fungsi-teknis"]["levels"][2]["name"] == "Transaksi"
    assert scales["proses"]["levels"][0]["expected_evidence"]
    assert {p["name"] for p in body["predicates"]} == {"Memuaskan", "Sangat Baik", "Baik", "Cukup", "Kurang"}


def test_score_complete(client, framework):
    levels = all_levels(3)
    for n in range(11, 21):
        levels[str(n)] = 5
    response = client.post(
        f"{URL}/frameworks/{framework.pk}/score", {"levels": levels}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["index"] == "3.50"
    assert body["predicate"] == "Sangat Baik"
    assert body["complete"] is True
    assert body["domains"][1] == {"number": 2, "name": "Tata Kelola SPBE", "index": "5.00", "complete": True}


def test_score_partial_is_flagged(client, framework):
    body = client.post(
        f"{URL}/frameworks/{framework.pk}/score", {"levels": {"42": 4, "1": 2}}, content_type="application/json"
    ).json()
    # (4×3 + 2×1.3) / 4.3 = 3.3953… → 3.40
    assert body["index"] == "3.40"
    assert body["complete"] is False
    assert body["counted"] == 2
    assert 47 in body["missing"]


@pytest.mark.parametrize(
    ("levels", "path"),
    [
        ({"48": 3}, "body.levels.48"),
        ({"1": 6}, "body.levels.1"),
        ({"2": 0}, "body.levels.2"),
        ({"3": "x"}, "body.levels.3"),
    ],
)
def test_score_refuses_bad_levels_with_field_path(client, framework, levels, path):
    response = client.post(
        f"{URL}/frameworks/{framework.pk}/score", {"levels": levels}, content_type="application/json"
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert [f["path"] for f in fields] == [path]
    assert path.rsplit(".", 1)[1] in fields[0]["message"]


def test_score_unknown_framework_404(client, db):
    assert (
        client.post(f"{URL}/frameworks/999/score", {"levels": {}}, content_type="application/json").status_code == 404
    )


def test_evaluations_scoped_to_grants(client, province, assigned, ind, django_assert_num_queries):
    services.claim_create(actor=province.admin_dpmptsp, evaluation=assigned, indicator=ind(45), level=3, **JUST)
    other = services.evaluation_open(
        actor=province.superadmin,
        institution=province.samarinda,
        framework=Framework.objects.get(pk=assigned.framework_id),
        period=2026,
    )
    client.force_login(province.coordinator_kaltim)
    with django_assert_num_queries(4):  # session, user, grants, evaluations
        response = client.get(f"{URL}/evaluations")
    assert [e["id"] for e in response.json()] == [assigned.pk]
    assert client.get(f"{URL}/evaluations/{other.pk}").status_code == 404
    detail = client.get(f"{URL}/evaluations/{assigned.pk}").json()
    assert len(detail["indicators"]) == 47
    assert detail["self_assessment"]["counted"] == 1

    client.force_login(province.admin_dpmptsp)
    detail = client.get(f"{URL}/evaluations/{assigned.pk}").json()
    assert [i["number"] for i in detail["indicators"]] == [45]
    assert detail["indicators"][0]["self_level"] == 3

    client.force_login(province.officer_dpmptsp_smr)
    assert client.get(f"{URL}/evaluations").json() == []
    assert client.get(f"{URL}/evaluations/{assigned.pk}").status_code == 404


def test_evaluations_need_a_caller(client, assigned):
    assert client.get(f"{URL}/evaluations").status_code == 401
