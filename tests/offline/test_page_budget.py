"""The offline pages keep the public-page budgets of DESIGN.md (14 KB compressed HTML,
50 KB in all, 20 KB of JavaScript). The one-page form needs a signed-in citizen, so the
shared anonymous budget test (tests/web/test_page_budget.py) cannot measure it; this does,
with the largest demo form and the form the tests use."""

from __future__ import annotations

import pytest
from django.test import Client

from etam.eservices import demo as eservices_demo
from etam.eservices.models import Service
from tests.web.budget_checker import HTML_BUDGET, JS_BUDGET, TOTAL_BUDGET, check_page, client_fetcher


def assert_within_budget(client: Client, path: str) -> None:
    report = check_page(path, client_fetcher(client))
    print(report.summary())
    assert report.html_compressed > 500, f"{path} answered no page"
    assert not report.problems, report.problems
    assert report.html_compressed <= HTML_BUDGET and report.total <= TOTAL_BUDGET
    assert report.javascript <= JS_BUDGET
    assert any(asset.url.endswith("outbox.js") for asset in report.assets), "the outbox script is loaded"


@pytest.mark.django_db
def test_outbox_page_keeps_the_budget(client, province):
    assert_within_budget(client, "/kotak-keluar/")
    client.force_login(province.citizen)
    assert_within_budget(client, "/kotak-keluar/")


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["demo", "test"])
def test_one_page_form_keeps_the_budget(client, province, which, request):
    if which == "demo":
        eservices_demo.public_sample_pages()  # creates the demo's research-permit form
        slug = Service.objects.get(published_version__isnull=False).slug
    else:
        slug = request.getfixturevalue("service").slug
    client.force_login(province.citizen)
    path = f"/luring/layanan/{slug}/"
    response = client.get(path)
    assert response.status_code == 200 and b"data-offline-form" in response.content
    assert_within_budget(client, path)
