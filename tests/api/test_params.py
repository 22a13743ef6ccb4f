"""``etam.api.params``: the page helpers every list endpoint answers through."""

from __future__ import annotations

from etam.api.params import offset_page, page_rows


class _Rows(list):
    """A list that counts like a queryset."""

    def count(self):
        return len(self)


def test_offset_page_counts_everything_and_maps_the_slice():
    rows = _Rows(range(10))
    assert offset_page(rows, 3, 4, lambda r: r * 10) == {"count": 10, "results": [30, 40, 50, 60]}
    assert offset_page(rows, 8, 5) == {"count": 10, "results": [8, 9]}
    assert offset_page(rows, 20, 5) == {"count": 10, "results": []}


def test_page_rows_counts_pages_from_one():
    assert page_rows(list(range(10)), 2, 4) == [4, 5, 6, 7]
