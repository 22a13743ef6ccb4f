"""Seams: system datasets for Satu Data and suggestion rules for SPBE evaluation."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from etam.inventory import feeds
from tests.inventory.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_registered_when_the_other_modules_are_installed():
    from django.apps import apps

    if apps.is_installed("etam.opendata"):
        from etam.opendata.registry import SYSTEM_DATASETS

        assert {"konektivitas-desa", "progres-internet-desa", "ringkasan-aplikasi-spbe"} <= set(SYSTEM_DATASETS)
    if apps.is_installed("etam.evaluation"):
        from etam.evaluation.registry import registered_rules

        numbers = {r.indicator_number for r in registered_rules() if r.code.startswith("inventory.")}
        assert numbers == {15, 16, 17, 18}


def test_application_summary_counts_and_suggestion(province):
    for i in range(4):
        ApplicationFactory(agency=province.dpmptsp, business_process_code="02.01", sso=i < 3)
    ApplicationFactory(agency=province.dpmptsp_smr)
    rows = list(feeds.application_summary_rows())
    assert ("64", "khusus", "produksi", "pusat_data_sendiri", 4) in rows
    proposal = feeds.suggest_application_development(SimpleNamespace(institution_id=province.kaltim.pk), None)
    assert proposal.level == 3 and "4 aplikasi produksi" in proposal.rationale
    assert feeds.suggest_service_bus(SimpleNamespace(institution_id=province.kaltim.pk), None) is None
