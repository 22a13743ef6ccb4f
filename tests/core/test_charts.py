"""The shared SVG pieces (etam.core.charts, ADR 0090): ring reading, simplification,
projection, the choropleth and the bar chart."""

from __future__ import annotations

import re

from defusedxml import ElementTree as ET

from etam.core.charts import bars, choropleth, format_number, geo

SQUARE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
HOLE = [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6], [0.4, 0.4]]
FAR = [[2.0, 0.0], [3.0, 0.0], [3.0, 1.0], [2.0, 1.0], [2.0, 0.0]]


def test_rings_are_every_ring_of_polygons_and_multipolygons():
    assert geo.rings({"type": "Polygon", "coordinates": [SQUARE, HOLE]}) == [SQUARE, HOLE]
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [FAR]]}
    assert geo.rings(multi) == [SQUARE, HOLE, FAR]
    assert geo.rings({"type": "Point", "coordinates": [1, 2]}) == []
    assert geo.rings(None) == [] and geo.rings({}) == []


def test_simplify_drops_points_within_the_tolerance_and_keeps_the_corners():
    line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 0.0), (3.0, 3.0)]
    assert geo.simplify(line, 0.5) == [(0.0, 0.0), (3.0, 0.0), (3.0, 3.0)]
    assert geo.simplify(line, 0.05) == line  # every wiggle is above 0.05
    assert geo.simplify([(0.0, 0.0), (1.0, 1.0)], 10) == [(0.0, 0.0), (1.0, 1.0)]


def test_simplify_handles_a_closed_ring_whose_ends_coincide():
    ring = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
    assert geo.simplify(ring, 1.0) == ring


def test_simplify_is_iterative_so_a_long_ring_does_not_recurse():
    ring = [(float(i), float(i % 7)) for i in range(20_000)]
    kept = geo.simplify(ring, 0.1)
    assert kept[0] == ring[0] and kept[-1] == ring[-1] and len(kept) > 2


def test_projection_fits_the_width_and_keeps_north_up():
    projection = geo.fit([{"type": "Polygon", "coordinates": [SQUARE]}], 100)
    assert projection is not None and projection.width == 100
    assert projection(0.0, 1.0) == (0, 0)  # north-west corner at the top left
    x, y = projection(1.0, 0.0)
    assert x == 100 and projection.height - 1 <= y <= projection.height  # the height is rounded up
    assert geo.fit([{"type": "Point", "coordinates": [0, 0]}], 100) is None


def test_project_draws_holes_and_skips_shapes_that_collapse():
    shapes = [
        ("a", {"type": "Polygon", "coordinates": [SQUARE, HOLE]}),
        ("tiny", {"type": "Polygon", "coordinates": [[[0.5, 0.5], [0.5001, 0.5], [0.5, 0.5001], [0.5, 0.5]]]}),
        ("none", None),
    ]
    paths, height = geo.project(shapes, width=100, tolerance=0.5)
    assert [code for code, _d in paths] == ["a"] and height in (100, 101)
    assert paths[0][1].count("M") == 2  # the outer ring and the hole
    assert paths[0][1].startswith("M0 100l")  # the south-west corner first
    assert geo.project([("x", None)], width=100, tolerance=1) == ([], 0)


def test_choropleth_titles_links_and_fills_escaped():
    shapes = [("64.72", {"type": "Polygon", "coordinates": [SQUARE, HOLE]}), ("64.71", None)]
    areas = [choropleth.Area(code="64.72", title='Kota <Samarinda> & "x"', fill="#0b5d57", href="/a?b=1&c=2")]
    markup, height = choropleth.draw(shapes, areas, width=200, label="Peta <uji>", stroke=("#fff", 1))
    root = ET.fromstring(markup)  # well-formed: every text escaped
    assert root.get("fill-rule") == "evenodd" and root.get("viewBox") == f"0 0 200 {height}"
    assert root.get("aria-label") == "Peta <uji>"
    ns = "{http://www.w3.org/2000/svg}"
    link = root.find(f"{ns}a")
    assert link is not None and link.get("href") == "/a?b=1&c=2"
    path = link.find(f"{ns}path")
    assert path.get("fill") == "#0b5d57" and path.find(f"{ns}title").text == 'Kota <Samarinda> & "x"'
    assert len(root.findall(f".//{ns}path")) == 1  # the shape without geometry is not drawn


def test_choropleth_by_css_class_with_a_legend_below():
    paths = [("a", "M0 0l1 0 0 1z"), ("b", "M2 2l1 0 0 1z")]
    markup = choropleth.svg(
        paths,
        [choropleth.Area(code="a", title="A", css_class="c1")],
        width=10,
        height=5,
        labelledby="judul",
        css_class="peta",
        below=40,
        extra=['<rect x="0" y="45" width="1" height="1"/>'],
    )
    assert 'viewBox="0 0 10 45"' in markup and 'aria-labelledby="judul"' in markup and 'class="peta"' in markup
    assert '<path class="c1" d="M0 0l1 0 0 1z"><title>A</title></path>' in markup
    assert '<path d="M2 2l1 0 0 1z"><title>b</title></path>' in markup  # no Area: titled by its code
    assert markup.index("<rect") > markup.rindex("<path")
    assert choropleth.svg([], [], width=10, height=0) == ""


def test_format_number_is_indonesian():
    assert format_number(1234567.5) == "1\u2009234\u2009568"
    assert format_number(2.5) == "2,50"
    assert format_number(36) == "36"
    assert format_number(None) == "–"


def test_bars_scale_to_the_largest_value_and_show_missing_values_as_a_dash():
    markup = bars.horizontal(
        [("SMP", 36), ("SD <negeri>", 18), ("Tanpa data", None), ("x" * 40, 0)], title="Jumlah & sekolah", unit=" hari"
    )
    root = ET.fromstring(markup)
    ns = "{http://www.w3.org/2000/svg}"
    widths = [int(r.get("width")) for r in root.iter(f"{ns}rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0 and widths[3] == 1
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "SMP" in texts and "SD <negeri>" in texts and "36 hari" in texts and "–" in texts
    assert "x" * 31 + "…" in texts  # cut to 32 characters
    assert root.find(f"{ns}title").text == "Jumlah & sekolah"


def test_bars_with_no_rows_or_only_missing_values_draw_no_bar():
    markup = bars.horizontal([("a", None)], title="t")
    assert re.findall(r'<rect [^>]*width="(\d+)"', markup) == ["0"]
    assert "<svg" in bars.horizontal([], title="kosong")
