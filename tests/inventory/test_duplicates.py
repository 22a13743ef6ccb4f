"""Duplicate detection: the pure module, measured on a generated inventory with planted duplicates."""

from __future__ import annotations

import pytest

from etam.inventory import duplicates, synthetic
from etam.inventory.duplicates import AppRecord, NationalRecord

# Precision: a review queue where more than about one flag in seven is wrong loses the
# reviewers' trust, so at least 0.85. Recall: at least 0.80 of the planted duplicates must
# surface; the misses are the heaviest paraphrases (other name style, synonym, other
# template and no process code at once). The weights and threshold were set on seed 1;
# seeds 2 and 3 are held out.
MIN_PRECISION = 0.85
MIN_RECALL = 0.80


def test_tokenize_drops_stop_words_and_stems():
    tokens = [stem for stem, _word in duplicates.tokenize("Aplikasi Pengaduan Masyarakat dan aduan warga di Kota")]
    assert "aplikasi" not in tokens and "dan" not in tokens and "kota" not in tokens
    # "pengaduan" and "aduan" meet on the same stem.
    assert duplicates.stem("pengaduan") == duplicates.stem("aduan")


def test_pair_explains_itself():
    apps = [
        AppRecord(
            1,
            "SI Beasiswa Mahasiswa",
            "Pendaftaran beasiswa mahasiswa berprestasi kurang mampu",
            1,
            10,
            business_process_code="06.01",
            datasets=("Penerima beasiswa",),
        ),
        AppRecord(
            2,
            "e-Beasiswa",
            "Pengajuan beasiswa bagi mahasiswa berprestasi dan kurang mampu",
            2,
            20,
            business_process_code="06.01",
            datasets=("penerima beasiswa",),
        ),
        AppRecord(
            3,
            "SI Retribusi Pasar",
            "Penagihan retribusi pedagang pasar tradisional",
            1,
            11,
            business_process_code="09.02",
        ),
    ]
    found = duplicates.detect(apps, [])
    assert [(c.a, c.b) for c in found] == [(1, 2)]
    kinds = {r["kind"]: r for r in found[0].reasons}
    assert kinds["business_process"]["code"] == "06.01"
    assert {"beasiswa", "mahasiswa"} <= set(kinds["purpose"]["terms"])
    assert kinds["dataset"]["names"] == ["penerima beasiswa"]
    assert 0 < found[0].score <= 1


def test_in_house_complaint_app_duplicates_sp4n_lapor():
    nationals = synthetic.national_records()
    lapor = next(n for n in nationals if n.name == "SP4N-LAPOR!")
    apps = [
        AppRecord(1, "Lapor Bupati", "Kanal pengaduan masyarakat: warga menyampaikan aduan dan keluhan.", 1, 1),
        AppRecord(2, "SI Retribusi Pasar", "Penagihan retribusi pedagang pasar tradisional", 1, 2),
        AppRecord(3, "e-Beasiswa", "Pengajuan beasiswa bagi mahasiswa berprestasi", 1, 3),
        AppRecord(4, "Sistem Informasi Jalan", "Pemantauan kondisi jalan provinsi dan jembatan", 1, 4),
    ]
    found = duplicates.detect(apps, nationals)
    assert [(c.a, c.national) for c in found] == [(1, lapor.id)]
    assert {"kind": "national", "name": "SP4N-LAPOR!"} in found[0].reasons


def test_instances_of_the_same_national_application_are_not_duplicates():
    nationals = [NationalRecord(1, "SRIKANDI", "Tata naskah dinas elektronik dan arsip")]
    apps = [AppRecord(i, "SRIKANDI", "Tata naskah dinas elektronik dan arsip", i, i, national_id=1) for i in (1, 2, 3)]
    assert duplicates.detect(apps, nationals) == []


def test_only_ids_limits_to_pairs_touching_them():
    inv = synthetic.generate(600, seed=4)
    everything = duplicates.detect(inv.apps, inv.nationals)
    some = {c.a for c in everything[:5]}
    partial = duplicates.detect(inv.apps, inv.nationals, only_ids=some)
    assert partial and all(c.a in some or c.b in some for c in partial)
    expected = {c.key for c in everything if c.a in some or c.b in some}
    assert {c.key for c in partial} == expected


def test_groups_are_connected_components():
    cands = [
        duplicates.Candidate(1, 2, None, 0.9, 0.9),
        duplicates.Candidate(2, 3, None, 0.8, 0.8),
        duplicates.Candidate(7, 8, None, 0.7, 0.7),
        duplicates.Candidate(9, None, 1, 0.7, 0.7),
    ]
    assert duplicates.groups(cands) == [{1, 2, 3}, {7, 8}]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3])
def test_precision_and_recall_on_planted_duplicates(seed):
    inv = synthetic.generate(3000, seed=seed)
    assert len(inv.apps) == 3000 and len(inv.truth_pairs) > 300 and len(inv.truth_national) == 60
    found = duplicates.detect(inv.apps, inv.nationals)
    result = duplicates.evaluate(found, inv.truth_pairs, inv.truth_national)
    print(
        f"\nseed {seed}: {len(inv.apps)} apps, {len(inv.truth_pairs)} planted pairs, "
        f"{len(inv.truth_national)} planted national duplicates -> precision {result.precision:.3f}, "
        f"recall {result.recall:.3f} (tp {result.true_positives}, fp {result.false_positives}, "
        f"fn {result.false_negatives})"
    )
    assert result.precision >= MIN_PRECISION
    assert result.recall >= MIN_RECALL


def test_candidate_pairs_equal_counting_every_combination():
    """The blocking counts partners per application in C; it must find exactly the pairs
    that counting every combination of every posting finds (with and without a focus)."""
    from collections import Counter
    from itertools import combinations

    postings = {
        "beasiswa": [5, 1, 9, 3],
        "mahasiswa": [1, 3, 9],
        "pasar": [2, 4, 9],
        "retribusi": [4, 2],
        "#bp:06.01.01": [7, 8],
        "umum": list(range(1, 40)),  # longer than max_df: skipped
    }
    naive: Counter[tuple[int, int]] = Counter()
    for term, ids in postings.items():
        if len(ids) > 30:
            continue
        for _ in range(2 if term.startswith("#bp:") else 1):
            naive.update(combinations(sorted(ids), 2))
    expected = {pair for pair, count in naive.items() if count >= 2}
    assert expected == {(1, 3), (1, 9), (3, 9), (2, 4), (7, 8)}
    assert set(duplicates._candidate_pairs({k: list(v) for k, v in postings.items()}, 30, 2, None)) == expected
    focus = {9, 8}
    found = duplicates._candidate_pairs({k: list(v) for k, v in postings.items()}, 30, 2, focus)
    assert set(found) == {p for p in expected if focus & set(p)}
