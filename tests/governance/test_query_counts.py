"""List pages and API lists read a bounded number of queries, whatever the number of rows."""

from __future__ import annotations

import pytest

from etam.governance import services
from tests.governance.conftest import make_risk
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(province, apps_kaltim):
    for i in range(12):
        services.request_file(
            actor=province.admin_dpmptsp, agency=province.dpmptsp, kind="hosting", title=f"VM {i}", description="x"
        )
        make_risk(
            province,
            apps_kaltim,
            title=f"Risiko {i}",
            category="data",
            impact_area="hukum",
            causes="a",
            consequences="b",
            likelihood=1 + i % 5,
            impact=1 + (i * 2) % 5,
        )
    return province


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        ("/staf/tata-kelola/layanan/", 12),
        ("/staf/tata-kelola/risiko/", 14),
        ("/staf/tata-kelola/keamanan/", 12),
        ("/api/v1/governance/requests", 8),
        ("/api/v1/governance/risks", 8),
    ],
)
def test_list_query_counts(filled, django_assert_max_num_queries, url, limit):
    client = client_for(filled.coordinator_kaltim)
    client.get(url)  # warm the session
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
