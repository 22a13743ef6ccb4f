"""Small-count suppression (etam.core.suppression, ADR 0150)."""

from __future__ import annotations

import pytest

from etam.core.suppression import Suppressed, small_count_threshold, suppress_count, suppress_rows, too_small


def test_threshold_comes_from_the_setting(settings):
    settings.SMALL_COUNT_THRESHOLD = 10
    assert small_count_threshold() == 10
    assert str(suppress_count(9)) == "<10"
    assert suppress_count(10) == 10


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (1, "<5"),
        (4, "<5"),
        (5, 5),
        (120, 120),
        (None, None),
        ("Samarinda", "Samarinda"),
        (True, True),
        (2.5, 2.5),
    ],
)
def test_only_counts_between_one_and_the_threshold_are_hidden(value, expected):
    result = suppress_count(value, threshold=5)
    assert (str(result) if isinstance(result, Suppressed) else result) == expected


def test_rows_are_copied_not_changed():
    rows = [{"wilayah": "6472", "laki": 3, "perempuan": 40}]
    published = suppress_rows(rows, ["laki", "perempuan"], threshold=5)
    assert rows[0]["laki"] == 3
    assert published == [{"wilayah": "6472", "laki": Suppressed(5), "perempuan": 40}]


def test_a_lone_hidden_cell_beside_a_total_takes_the_next_smallest_cell_with_it():
    rows = [{"a": 2, "b": 30, "c": 12, "jumlah": 44}, {"a": 2, "b": 3, "c": 12, "jumlah": 17}]
    first, second = suppress_rows(rows, ["a", "b", "c"], total_columns=["jumlah"], threshold=5)
    # a alone would be 44 - 30 - 12: c (the smallest other cell) is hidden too.
    assert first == {"a": Suppressed(5), "b": 30, "c": Suppressed(5), "jumlah": 44}
    # Two cells hidden already: their sum is known (5) but not either one.
    assert second == {"a": Suppressed(5), "b": Suppressed(5), "c": 12, "jumlah": 17}


def test_a_small_total_is_hidden_and_zero_cells_are_not_used_as_complements():
    (row,) = suppress_rows([{"a": 3, "b": 0, "jumlah": 3}], ["a", "b"], total_columns=["jumlah"], threshold=5)
    assert row == {"a": Suppressed(5), "b": 0, "jumlah": Suppressed(5)}


def test_too_small_groups():
    assert too_small(4, minimum=5)
    assert not too_small(5, minimum=5)
    assert too_small(29, minimum=30)
