"""SKM scoring against hand-computed cases (PermenPANRB 14/2017; ADR 0135)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from etam.quality import scoring


def responses_with_total(respondents: int, total: int) -> list[list[int]]:
    """``respondents`` complete responses whose answers add up to ``total`` (all elements
    answered, so the IKM is 25 × total / (9 × respondents))."""
    answers = [1] * (9 * respondents)
    extra = total - 9 * respondents
    for i in range(len(answers)):
        step = min(3, extra)
        answers[i] += step
        extra -= step
    assert extra == 0
    return [answers[i * 9 : (i + 1) * 9] for i in range(respondents)]


def test_one_respondent_by_hand():
    # NRR = the answers; mean = 30/9; IKM = 30/9 × 25 = 83.333… → 83.33, B (Baik)
    result = scoring.score([[4, 3, 3, 4, 3, 4, 3, 3, 3]])
    assert result.unsur == tuple(
        Decimal(v) for v in ("4.000", "3.000", "3.000", "4.000", "3.000", "4.000", "3.000", "3.000", "3.000")
    )
    assert result.ikm == Decimal("83.33")
    assert (result.mutu, result.kinerja) == ("B", "Baik")


def test_two_respondents_per_element_mean():
    # element 1: (4+3)/2 = 3.5; element 9: (2+1)/2 = 1.5; the rest 3; total 27 + 25 = 52 over 18
    # answers: IKM = 52/18 × 25 = 72.222… → 72.22, C (Kurang Baik)
    result = scoring.score([[4, 3, 3, 3, 3, 3, 3, 3, 2], [3, 3, 3, 3, 3, 3, 3, 3, 1]])
    assert result.unsur[0] == Decimal("3.500")
    assert result.unsur[8] == Decimal("1.500")
    assert result.ikm == Decimal("72.22")
    assert result.mutu == "C"


def test_all_best_and_all_worst():
    assert scoring.score([[4] * 9]).ikm == Decimal("100.00")
    worst = scoring.score([[1] * 9])
    assert worst.ikm == Decimal("25.00")
    assert (worst.mutu, worst.kinerja) == ("D", "Tidak Baik")


@pytest.mark.parametrize(
    ("respondents", "total", "ikm", "mutu", "kinerja"),
    [
        # 25 × 763 / 216 = 88.3101… → 88.31: the lowest A
        (24, 763, "88.31", "A", "Sangat Baik"),
        # 25 × 604 / 171 = 88.3040… → 88.30: the highest B
        (19, 604, "88.30", "B", "Baik"),
        # 25 × 524 / 171 = 76.6081… → 76.61: the lowest B
        (19, 524, "76.61", "B", "Baik"),
        # 25 × 717 / 234 = 76.6025… → 76.60: the highest C
        (26, 717, "76.60", "C", "Kurang Baik"),
        # 25 × 117 / 45 = 65 exactly: the lowest C
        (5, 117, "65.00", "C", "Kurang Baik"),
        # 25 × 889 / 342 = 64.9853… → 64.99: the highest D
        (38, 889, "64.99", "D", "Tidak Baik"),
    ],
)
def test_every_grade_boundary(respondents, total, ikm, mutu, kinerja):
    result = scoring.score(responses_with_total(respondents, total))
    assert result.ikm == Decimal(ikm)
    assert (result.mutu, result.kinerja) == (mutu, kinerja)


@pytest.mark.parametrize(
    ("ikm", "mutu"),
    [
        ("100.00", "A"),
        ("88.31", "A"),
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
        ("25.00", "D"),
    ],
)
def test_grade_bands_on_the_rounded_index(ikm, mutu):
    assert scoring.grade(Decimal(ikm)).mutu == mutu


def test_exact_ninth_not_the_printed_011():
    # 50 respondents, 243 fours and 207 threes: mean 3.54 → IKM 88.50 (A) with 1/9;
    # the printed weight 0,11 gives 3.54 × 9 × 0.11 × 25 = 87.615 → 87.62 (B).
    answers = [4] * 243 + [3] * 207
    rows = [answers[i * 9 : (i + 1) * 9] for i in range(50)]
    result = scoring.score(rows)
    assert result.ikm == Decimal("88.50")
    assert result.mutu == "A"
    assert result.ikm_exact == Fraction(885, 10)
    assert scoring.ikm_with_printed_weight(result) == Decimal("87.62")


def test_unanswered_element_left_out_of_its_mean_only():
    # element 3: only respondent 2 answered (2) → NRR 2; the others as answered
    # NRRs: 4,4,2,4,4,4,4,4,4 → mean 34/9 → IKM 94.444… → 94.44
    result = scoring.score([[4, 4, None, 4, 4, 4, 4, 4, 4], [4, 4, 2, 4, 4, 4, 4, 4, 4]])
    assert result.unsur[2] == Decimal("2.000")
    assert result.unanswered == (0, 0, 1, 0, 0, 0, 0, 0, 0)
    assert result.ikm == Decimal("94.44")


def test_element_nobody_answered_reweights_the_rest():
    # element 9 unanswered by all: NRR null; IKM over 8 elements with 1/8 each = 3 × 25 = 75.00 (C)
    result = scoring.score([[3, 3, 3, 3, 3, 3, 3, 3, None]] * 3)
    assert result.unsur[8] is None
    assert result.unanswered[8] == 3
    assert result.ikm == Decimal("75.00")
    assert result.mutu == "C"


@pytest.mark.parametrize(
    ("responses", "path", "code"),
    [
        ([], "responses", "no_responses"),
        ("x", "responses", "no_responses"),
        ([[4] * 8], "responses.0", "length"),
        ([[4] * 9, [4] * 10], "responses.1", "length"),
        ([[4, 4, 5, 4, 4, 4, 4, 4, 4]], "responses.0.2", "range"),
        ([[4, 4, 4, 4, 4, 4, 4, 4, 0]], "responses.0.8", "range"),
        ([[4, 4, 4, 4, 4, 4, 4, 4, True]], "responses.0.8", "range"),
        ([[4, 4, 4, 4, 4, 4, 4, 4, "4"]], "responses.0.8", "range"),
        ([[None] * 9], "responses.0", "empty"),
        ([4], "responses.0", "not_a_list"),
    ],
)
def test_bad_input_names_the_entry(responses, path, code):
    with pytest.raises(scoring.InvalidResponses) as caught:
        scoring.score(responses)
    assert (caught.value.problems[0].path, caught.value.problems[0].code) == (path, code)


def test_lowest_elements():
    assert scoring.lowest_elements([Decimal("3.1"), Decimal("2.9"), None, Decimal("3.5"), Decimal("2.9")]) == [2, 5, 1]
