from __future__ import annotations

from decimal import Decimal

from etam.core.models import Institution
from etam.evaluation import demo, selectors
from etam.evaluation.models import Evaluation, Stage


def test_demo_loader_reproduces_kaltim_history_and_labels_demo(province):
    demo.load(lambda _line: None)
    kaltim = Institution.objects.get(region_code="64")
    results = {
        r.evaluation.period: r for r in selectors.history_for(Evaluation.objects.get(institution=kaltim, period=2025))
    }
    assert {p: r.index for p, r in results.items() if p <= 2025} == {
        2021: Decimal("2.22"),
        2022: Decimal("2.11"),
        2023: Decimal("2.91"),
        2024: Decimal("3.79"),
        2025: Decimal("4.13"),
    }
    assert results[2024].self_sheet.overall.index == Decimal("4.35")
    assert results[2025].predicate == "Sangat Baik"
    assert results[2021].predicate == "Cukup"
    open_2026 = Evaluation.objects.get(institution=kaltim, period=2026)
    assert open_2026.stage == Stage.SELF
    assert open_2026.assignments.filter(agency=province.diskominfo).exists()
    assert Evaluation.objects.filter(stage=Stage.FINAL).count() == 5 + 30
    assert not Evaluation.objects.filter(is_demo=False).exists()
    rollup = selectors.rollup(2025)
    assert rollup.any_demo
    assert sum(1 for _i, r in rollup.rows if r is not None) == 11
    # idempotent
    demo.load(lambda _line: None)
    assert Evaluation.objects.count() == 36


def test_rollup_page_with_full_demo_data_stays_within_budget(province, client, django_assert_max_num_queries):
    import gzip

    from etam.core.models import RegionBoundary

    if not RegionBoundary.objects.filter(level="kabupaten_kota").exists():
        from etam.core.reference_loader import load_all

        load_all()
    demo.load(lambda _line: None)
    client.get("/evaluasi-spbe/")
    with django_assert_max_num_queries(10):
        response = client.get("/evaluasi-spbe/?tahun=2025")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("</path>") == 10  # one per kab/kota (the logo path is self-closing)
    assert "Data demo" in body
    size = len(gzip.compress(response.content))
    print(f"roll-up page: {len(response.content)} bytes, {size} gzipped")
    assert size <= 14 * 1024
