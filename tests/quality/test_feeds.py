"""Seams: the IKM system dataset for Satu Data and the evaluation suggestion rule."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps

from etam.quality import feeds
from etam.quality.models import FollowUpPlan
from tests.quality.conftest import add_responses

pytestmark = pytest.mark.django_db


def test_registered_when_the_other_modules_are_installed():
    if apps.is_installed("etam.opendata"):
        from etam.opendata.registry import SYSTEM_DATASETS

        assert [c.name for c in SYSTEM_DATASETS[feeds.DATASET_KEY].columns][:2] == ["kode_wilayah", "tahun"]
    if apps.is_installed("etam.evaluation"):
        from etam.evaluation.registry import registered_rules

        rules = [r for r in registered_rules() if r.code.startswith("quality.")]
        assert sorted((r.framework_code, r.indicator_number) for r in rules) == [
            ("permenpanrb-8-2026", 2),
            ("permenpanrb-8-2026", 17),
            ("permenpanrb-8-2026", 20),
        ]


def test_dataset_rows_leave_small_groups_out(province, info_service):
    add_responses(info_service, 12, on=date(2025, 5, 1), comment="rahasia")
    add_responses(info_service, 4, on=date(2024, 5, 1))
    rows = feeds_rows()
    assert rows == [("64", 2025, "DPMPTSP", info_service.slug, info_service.name, 12, 80.56, "B")]
    assert "rahasia" not in repr(rows)


def feeds_rows():
    from etam.quality import selectors

    return selectors.yearly_service_rows()


def _evaluation(province, year=2025):
    return SimpleNamespace(institution_id=province.kaltim.pk, period=str(year))


def test_suggestion_levels(province, info_service):
    indicator = SimpleNamespace(number=20)
    assert feeds.suggest_satisfaction_management(_evaluation(province), indicator) is None
    add_responses(info_service, 4, on=date(2025, 5, 1))
    assert feeds.suggest_satisfaction_management(_evaluation(province), indicator).level == 1
    add_responses(info_service, 8, on=date(2025, 6, 1))
    assert feeds.suggest_satisfaction_management(_evaluation(province), indicator).level == 2
    FollowUpPlan.objects.create(
        agency=province.dpmptsp,
        period="2025",
        element=8,
        action="a",
        owner="b",
        due_date=date(2025, 12, 1),
        status="berjalan",
    )
    proposal = feeds.suggest_satisfaction_management(_evaluation(province), indicator)
    assert proposal.level == 3 and "1 rencana tindak lanjut" in proposal.rationale
    assert feeds.suggest_satisfaction_management(_evaluation(province, 2024), indicator) is None


def test_service_evidence_from_eservices_statistics(province, info_service, finished):
    from django.utils import timezone

    year = timezone.localdate().year
    evaluation = _evaluation(province, year)
    finished.refresh_from_db()
    assert finished.closed_at is not None and finished.met_sla is True  # rejected on the first day
    management = feeds.suggest_service_management(evaluation, SimpleNamespace(number=2))
    # measured and on time, but no satisfaction survey yet: level 2
    assert management.level == 2
    assert "1 permohonan selesai diukur terhadap SLA, 100% tepat waktu" in management.rationale
    assert f"{info_service.name}: 1 permohonan, 1 selesai, 100% tepat waktu" in management.rationale
    add_responses(info_service, 3)
    assert feeds.suggest_service_management(evaluation, SimpleNamespace(number=2)).level == 3
    portal = feeds.suggest_portal_usage(evaluation, SimpleNamespace(number=17))
    assert portal.level == 3 and "1 di antaranya menerima permohonan daring" in portal.rationale
    assert ("Statistik layanan", "/staf/layanan/statistik/") in portal.links


def test_service_evidence_without_cases_and_other_institutions(province, info_service, finished):
    from django.utils import timezone

    year = timezone.localdate().year
    # a year without cases: services are published (level 1 each), nothing measured
    earlier = _evaluation(province, year - 1)
    assert feeds.suggest_service_management(earlier, None).level == 1
    assert feeds.suggest_portal_usage(earlier, None).level == 1
    # another instansi has no service: no proposal; a period that is not a year: none either
    other = SimpleNamespace(institution_id=province.samarinda.pk, period=str(year))
    assert feeds.suggest_service_management(other, None) is None
    assert feeds.suggest_portal_usage(other, None) is None
    assert (
        feeds.suggest_portal_usage(SimpleNamespace(institution_id=province.kaltim.pk, period="2026-S1"), None) is None
    )
