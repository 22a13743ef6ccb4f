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


def test_demo_and_framework_loads_are_audited_once(province):
    # Found in QA: frameworks, demo evaluations and demo instansi were written without
    # an audit event (DESIGN.md: any state change, one event in the same transaction).
    from etam.core.models import AuditEvent
    from etam.evaluation.models import Framework

    demo.load(lambda _line: None)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("evaluation.framework_load") == Framework.objects.count()
    assert actions.count("evaluation.framework_freeze") == 1
    assert actions.count("evaluation.demo_load") == Evaluation.objects.count() == 36
    demo_events = AuditEvent.objects.filter(action="evaluation.demo_load")
    assert set(demo_events.values_list("object_id", flat=True)) == {
        str(pk) for pk in Evaluation.objects.values_list("pk", flat=True)
    }
    assert all(e.actor_id is None for e in demo_events)
    created_institutions = Institution.objects.count() - 2  # the fixture's kaltim and samarinda
    assert actions.count("core.institution_create") == created_institutions
    total = AuditEvent.objects.count()
    demo.load(lambda _line: None)  # idempotent: nothing changed, nothing recorded
    assert AuditEvent.objects.count() == total
