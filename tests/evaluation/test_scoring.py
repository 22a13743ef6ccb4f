"""The index against hand-computed cases: every weight class, every predicate boundary.

The PermenPANRB 59/2020 weights, in %: 1–10 → 1.3, 11–20 → 2.5, 21–31 → 1.5,
32–41 → 2.75, 42–47 → 3.0 (Σ = 100), so index = Σ(level × weight) / 100.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from etam.evaluation import scoring
from etam.evaluation.scoring import Band, IndicatorSpec

D = Decimal


# (last indicator of the aspect, weight %, aspect, domain), in indicator order.
ASPECTS = [
    (10, "1.3", 1, 1),
    (14, "2.5", 2, 2),
    (18, "2.5", 3, 2),
    (20, "2.5", 4, 2),
    (28, "1.5", 5, 3),
    (31, "1.5", 6, 3),
    (41, "2.75", 7, 4),
    (47, "3.0", 8, 4),
]


def _spec(n: int) -> IndicatorSpec:
    weight, aspect, domain = next((w, a, d) for last, w, a, d in ASPECTS if n <= last)
    return IndicatorSpec(number=n, weight=D(weight), aspect=aspect, domain=domain)


SPECS = [_spec(n) for n in range(1, 48)]
BANDS = [
    Band("Memuaskan", D("4.2"), D("5.0"), True, True),
    Band("Sangat Baik", D("3.5"), D("4.2")),
    Band("Baik", D("2.6"), D("3.5")),
    Band("Cukup", D("1.8"), D("2.6")),
    Band("Kurang", D("0.0"), D("1.8")),
]


def levels(base: int, **ranges: int) -> dict[int, int]:
    """levels(3, r11_20=5) → every indicator at 3, 11..20 at 5."""
    result = dict.fromkeys(range(1, 48), base)
    for key, level in ranges.items():
        lo, hi = (int(x) for x in key[1:].split("_"))
        for n in range(lo, hi + 1):
            result[n] = level
    return result


def test_weights_sum_to_one_hundred():
    assert sum(s.weight for s in SPECS) == D("100")


@pytest.mark.parametrize(
    ("case", "expected_index", "expected_predicate"),
    [
        (levels(1), "1.00", "Kurang"),
        (levels(3), "3.00", "Baik"),
        (levels(5), "5.00", "Memuaskan"),
        # weight class 1.3 (Kebijakan): 13×5 + 87×1 = 152
        (levels(1, r1_10=5), "1.52", "Kurang"),
        # weight class 2.5 (Tata Kelola): 25×4 + 75×2 = 250
        (levels(2, r11_20=4), "2.50", "Cukup"),
        # weight class 1.5 (Manajemen): 16.5×5 + 83.5×3 = 333
        (levels(3, r21_31=5), "3.33", "Baik"),
        # weight class 2.75 (Layanan administrasi): 27.5×4 + 72.5×3 = 327.5 → 3.275 → 3.28
        (levels(3, r32_41=4), "3.28", "Baik"),
        # weight class 3.0 (Layanan publik): 18×5 + 82×4 = 418
        (levels(4, r42_47=5), "4.18", "Sangat Baik"),
    ],
)
def test_weight_classes(case, expected_index, expected_predicate):
    sheet = scoring.compute(SPECS, case, BANDS)
    assert sheet.overall.index == D(expected_index)
    assert sheet.predicate == expected_predicate
    assert sheet.complete


@pytest.mark.parametrize(
    ("case", "expected_index", "expected_predicate"),
    [
        # 300 + 10 × 2 × 2.5 = 350
        (levels(3, r11_20=5), "3.50", "Sangat Baik"),
        # 300 + 6×3 (42–47 → 4) + 4×2.75 (32–35 → 4) + 8×2.5 (11–18 → 4) = 349
        (levels(3, r42_47=4, r32_35=4, r11_18=4), "3.49", "Baik"),
        # 400 + 8×2.5 = 420
        (levels(4, r11_18=5), "4.20", "Memuaskan"),
        # 400 + 3×3 + 4×2.5 = 419
        (levels(4, r42_44=5, r11_14=5), "4.19", "Sangat Baik"),
        # 200 + 4×3×2.5 (11–14 → 5) + 6×2×2.5 (15–20 → 4) = 260
        (levels(2, r11_14=5, r15_20=4), "2.60", "Baik"),
        # 200 + 10×2×2.5 + 3×3 = 259
        (levels(2, r11_20=4, r42_44=3), "2.59", "Cukup"),
        # 100 + 10×2×2.5 + 5×2×3 = 180
        (levels(1, r11_20=3, r42_46=3), "1.80", "Cukup"),
        # 100 + 10×2×2.5 + 2×2.5 + 4×2×3 = 179
        (levels(1, r11_20=3, r11_12=4, r42_45=3), "1.79", "Kurang"),
    ],
)
def test_predicate_boundaries(case, expected_index, expected_predicate):
    sheet = scoring.compute(SPECS, case, BANDS)
    assert sheet.overall.index == D(expected_index)
    assert sheet.predicate == expected_predicate


def test_rounding_is_half_up_not_half_even():
    # 300 + 2×2.75 + 6×3 + 3 = 326.5 → 3.265: half-up gives 3.27 (half-even would give 3.26)
    sheet = scoring.compute(SPECS, levels(3, r32_33=4, r43_47=4, r42_42=5), BANDS)
    assert sheet.overall.raw == D("3.265")
    assert sheet.overall.index == D("3.27")


def test_predicate_is_read_from_the_published_two_decimal_index():
    # 400 + 4×3 + 5×1.5 = 419.5 → 4.195 → published 4.20 → Memuaskan
    sheet = scoring.compute(SPECS, levels(4, r42_45=5, r21_25=5), BANDS)
    assert sheet.overall.raw == D("4.195")
    assert sheet.overall.index == D("4.20")
    assert sheet.predicate == "Memuaskan"


def test_domain_and_aspect_scores():
    sheet = scoring.compute(SPECS, levels(2, r1_10=5, r29_31=4), BANDS)
    assert sheet.domains[1].index == D("5.00")
    assert sheet.domains[2].index == D("2.00")
    # domain 3: (8×1.5×2 + 3×1.5×4) / 16.5 = (24 + 18) / 16.5 = 2.5454… → 2.55
    assert sheet.domains[3].index == D("2.55")
    assert sheet.aspects[6].index == D("4.00")
    assert sheet.aspects[5].index == D("2.00")


def test_partial_score_counts_only_indicators_with_a_level():
    partial = dict.fromkeys(range(1, 11), 3)
    sheet = scoring.compute(SPECS, partial, BANDS)
    assert not sheet.complete
    assert sheet.overall.index == D("3.00")  # over the 13 % that has levels, not 39/100
    assert sheet.overall.counted == 10
    assert sheet.overall.total == 47
    assert sheet.overall.coverage == D("13.00")
    assert sheet.domains[2].index is None
    assert sheet.missing == list(range(11, 48))


def test_no_levels_at_all_gives_no_index_and_no_predicate():
    sheet = scoring.compute(SPECS, {}, BANDS)
    assert sheet.overall.index is None
    assert sheet.predicate is None


def test_validate_levels_names_every_problem():
    with pytest.raises(scoring.InvalidLevels) as exc:
        scoring.validate_levels(SPECS, {"1": 3, "48": 2, "2": 6, "3": 0, "4": "tiga", "5": True})
    problems = {p.key: p.code for p in exc.value.problems}
    assert problems == {
        "48": "unknown_indicator",
        "2": "out_of_scale",
        "3": "out_of_scale",
        "4": "not_an_integer",
        "5": "not_an_integer",
    }


def test_validate_levels_accepts_clean_input():
    assert scoring.validate_levels(SPECS, {"1": 1, "47": 5}) == {1: 1, 47: 5}


def test_gains_rank_by_weight_per_level():
    ranked = scoring.gains(SPECS, levels(3, r42_42=5))
    # 43–47 weigh 3.0: the best raises; 42 is at the top and left out
    assert [g.number for g in ranked[:5]] == [43, 44, 45, 46, 47]
    assert 42 not in [g.number for g in ranked]
    assert ranked[0].gain_per_level == D("0.03")
    assert ranked[-1].gain_per_level == D("0.013")  # a 1.3 % indicator


def test_target_simulation_picks_the_fewest_raises():
    # 2025-like: all at 4 except the public services at 4 → 4.00; to 4.20 needs +20 weight-points
    start = levels(4)
    sim = scoring.simulate_target(SPECS, start, D("4.20"))
    assert sim.achievable
    assert scoring.round_index(sim.reached) >= D("4.20")
    # 6 public-service steps (18) + 1 administration step (2.75) = 20.75 ≥ 20: 7 steps
    assert sim.steps == 7
    assert {r.number for r in sim.raises} == {42, 43, 44, 45, 46, 47, 32}
    assert all(r.to_level == 5 for r in sim.raises)


def test_target_simulation_when_already_there_needs_nothing():
    sim = scoring.simulate_target(SPECS, levels(5), D("4.20"))
    assert sim.raises == []
    assert sim.achievable


def test_target_simulation_counts_steps_over_several_levels():
    # from all 1 (1.00) to 1.80: +80; heaviest first: 6 × 3.0 × 4 levels = 72, then 2.75 × 3 = 8.25
    sim = scoring.simulate_target(SPECS, levels(1), D("1.80"))
    assert sim.steps == 24 + 3
    assert {r.number: (r.from_level, r.to_level) for r in sim.raises}[42] == (1, 5)


def test_target_simulation_refuses_partial_levels():
    with pytest.raises(ValueError):
        scoring.simulate_target(SPECS, {1: 3}, D("4.20"))


def test_unreachable_target_is_reported():
    sim = scoring.simulate_target(SPECS, levels(1), D("5.01"))
    assert not sim.achievable
