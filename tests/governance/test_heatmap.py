"""The shared matrix heat map (core/charts/heatmap.py) and the risk heat map drawn on it."""

from __future__ import annotations

import pytest

from etam.core.charts import heatmap
from etam.governance import selectors
from etam.governance.charts import LEVEL_COLOURS, risk_heatmap


def test_matrix_draws_every_cell_and_escapes_text():
    svg = heatmap.matrix(
        ["a", "b"], ["x", "y", "z"], lambda r, c: ("#fff", f"<{r}{c}>", "t&t"), title='T "1"', row_title="R"
    )
    assert svg.count("<rect") == 6
    assert "&lt;00&gt;" in svg and "<00>" not in svg
    assert "t&amp;t" in svg and 'aria-label="T &quot;1&quot;"' in svg


@pytest.mark.django_db
def test_risk_heatmap_colours_cells_by_level_and_counts_risks():
    cells, bands = selectors.matrix()
    svg = risk_heatmap(cells, bands, {(5, 5): 3}, title="Risiko")
    assert svg.count("<rect") == 25
    assert f'fill="{LEVEL_COLOURS[5]}"' in svg and f'fill="{LEVEL_COLOURS[1]}"' in svg
    assert ">25 · 3<" in svg
