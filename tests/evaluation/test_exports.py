"""Formula injection (issue 10, finding 4): the evaluation report carries no live formula."""

from __future__ import annotations

import pytest

from tests.export_checks import assert_no_formula, xlsx_cells

pytestmark = pytest.mark.django_db


def test_evaluation_report_xlsx(province, assigned, ind):
    from etam.evaluation import reports, services

    payload = '=HYPERLINK("http://evil.example","bukti")'
    services.claim_create(
        actor=province.admin_diskominfo,
        evaluation=assigned,
        indicator=ind(1),
        level=1,
        fact=payload,
        analysis="-analisis yang cukup panjang",
    )
    cells = xlsx_cells(reports.report_xlsx(province.coordinator_kaltim, assigned))
    assert_no_formula(cells, payload)
    assert any(c.value == "'-analisis yang cukup panjang" for c in cells)
