"""Seams with SPBE evaluation: the SPBE index as a system dataset, and the open-data rule."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from etam.evaluation import services as evaluation_services
from etam.evaluation.feeds import SPBE_INDEX_KEY
from etam.evaluation.loader import CODE_59_2020
from etam.evaluation.models import Assessment, Evaluation, Indicator, Stage, Suggestion
from etam.evaluation.registry import registered_rules
from etam.opendata import system
from etam.opendata.evaluation_rules import OPEN_DATA_SERVICE, suggest_open_data_service
from etam.opendata.models import Dataset
from etam.opendata.registry import SYSTEM_DATASETS
from tests.opendata.conftest import make_dataset, publish

pytestmark = pytest.mark.django_db


def _final(institution, framework, period: int, level: int, *, stage: str = Stage.FINAL) -> Evaluation:
    evaluation = Evaluation.objects.create(institution=institution, framework=framework, period=period, stage=stage)
    Assessment.objects.bulk_create(
        Assessment(evaluation=evaluation, indicator=i, stage=Stage.FINAL, level=level)
        for i in Indicator.objects.filter(framework=framework)
    )
    return evaluation


def _rows(client, slug: str) -> list[dict[str, str]]:
    dataset = Dataset.objects.get(slug=slug)
    response = client.get(reverse("opendata:download", args=[slug, dataset.published_version.number, "csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_both_seams_are_registered():
    assert SPBE_INDEX_KEY in SYSTEM_DATASETS
    rule = next(r for r in registered_rules() if r.code == "opendata.open_data_service")
    assert (rule.framework_code, rule.indicator_number) == (CODE_59_2020, 43)


def test_spbe_index_system_dataset_lists_final_evaluations_only(client, province, framework):
    _final(province.kaltim, framework, 2024, 3)
    _final(province.kaltim, framework, 2025, 4)
    _final(province.samarinda, framework, 2025, 2)
    _final(province.samarinda, framework, 2026, 5, stage=Stage.SELF)  # not final: never published
    spec = SYSTEM_DATASETS[SPBE_INDEX_KEY]
    assert system.refresh(spec) is True
    dataset = Dataset.objects.get(system_key=SPBE_INDEX_KEY)
    assert dataset.is_system and dataset.access == "public" and dataset.published_version.row_count == 3
    rows = _rows(client, dataset.slug)
    assert [(r["kode_wilayah"], r["tahun"], float(r["indeks"]), r["predikat"]) for r in rows] == [
        ("64", "2024", 3.0, "Baik"),
        ("64", "2025", 4.0, "Sangat Baik"),
        ("64.72", "2025", 2.0, "Cukup"),
    ]
    assert rows[0]["kerangka"] == CODE_59_2020 and rows[0]["data_demo"] in ("false", "tidak", "False")
    assert system.refresh(spec) is False  # unchanged: no new version
    _final(province.samarinda, framework, 2024, 1)
    assert system.refresh(spec) is True
    dataset.refresh_from_db()
    assert dataset.published_version.number == 2 and dataset.published_version.row_count == 4
    page = client.get(reverse("opendata:dataset", args=[dataset.slug])).content.decode()
    assert "Indeks SPBE per instansi per tahun" in page


def test_spbe_index_without_any_final_evaluation_does_not_stop_the_other_system_datasets(province, framework):
    outcome = system.refresh_all()
    assert outcome[system.ORGANISATIONS_KEY] is True
    assert SPBE_INDEX_KEY in outcome


def test_open_data_rule_levels(province, framework):
    evaluation = _final(province.kaltim, framework, 2026, 1, stage=Stage.SELF)
    indicator = Indicator.objects.select_related("scale").get(framework=framework, number=OPEN_DATA_SERVICE)
    assert "Data Terbuka" in indicator.name
    assert suggest_open_data_service(evaluation, indicator) is None  # nothing published yet

    restricted = make_dataset(province, slug="terbatas", access="restricted")
    publish(province, restricted)
    draft = make_dataset(province, slug="draf")  # never published
    assert draft.published_version_id is None
    assert suggest_open_data_service(evaluation, indicator) is None  # neither counts

    system.refresh(SYSTEM_DATASETS[system.ORGANISATIONS_KEY])  # platform-published, no walidata review
    proposal = suggest_open_data_service(evaluation, indicator)
    assert proposal.level == 2 and "1 dataset publik" in proposal.rationale
    assert [url for _label, url in proposal.links] == ["/data/", "/catalog.ttl", "/api/3/action/package_list"]

    publish(province, make_dataset(province, slug="penduduk"))  # reviewed by the walidata, full metadata
    proposal = suggest_open_data_service(evaluation, indicator)
    assert proposal.level == 3
    other = _final(province.samarinda, framework, 2026, 1, stage=Stage.SELF)
    assert suggest_open_data_service(other, indicator) is None  # Kaltim's data is not Samarinda's


def test_open_data_rule_reaches_the_assessor_as_a_pending_suggestion(province, framework):
    publish(province, make_dataset(province, slug="penduduk"))
    evaluation = evaluation_services.evaluation_open(
        actor=province.coordinator_kaltim, institution=province.kaltim, framework=framework, period=2026
    )
    evaluation_services.suggestions_refresh(actor=province.coordinator_kaltim, evaluation=evaluation)
    suggestion = Suggestion.objects.get(evaluation=evaluation, rule="opendata.open_data_service")
    assert suggestion.indicator.number == 43 and suggestion.level == 3
    assert suggestion.status == Suggestion.Status.PENDING
