"""Duplicate and overlap detection over the application inventory (pure Python, no Django).

Input: plain records of applications and of national Aplikasi Umum. Output: candidate
pairs, each with a score in [0, 1] and the reasons behind it, so a reviewer sees *why*:
the shared business-process code, the overlapping purpose terms, the shared datasets.

How (docs/adr/0032-duplicate-detection.md):

1. Tokenise name + acronym + purpose: lower-case, split on non-letters, drop a short
   Indonesian stop-word list (function words and words every application says:
   "aplikasi", "sistem", "informasi"...), light stemming (particles, possessives,
   -kan/-an/-i, me-/pe-/di-/ber-/ter- prefixes) so "pengaduan" and "aduan" meet.
2. TF-IDF weights (name terms count twice), L2-normalised vectors.
3. Blocking: an inverted index over terms; only terms held by at most ``max_df``
   documents generate candidate pairs (a term shared by hundreds of applications says
   nothing about a particular pair), plus applications sharing a full T3/T4
   business-process code. The cost is the sum of squared posting lengths, bounded by
   ``max_df``, not N².
4. Exact cosine for each candidate, combined with structure:
   ``score = 0.75·text + 0.15·process + 0.10·datasets``; flagged when
   ``score ≥ threshold`` and the text similarity alone reaches ``min_text``.
   Against a national application (long, general description) the text measure is the
   mean of cosine and coverage of the local vector, with its own threshold.
   Pairs of instances of the same national Aplikasi Umum are correct use, not
   duplicates; khusus applications are also compared with each national Aplikasi Umum.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat
from operator import mul

STOP_WORDS = frozenset(
    """
    a aplikasi atau bagi bagian baik berbasis berbagai bidang dalam dan dapat data daerah dari di
    dengan digital dinas e elektronik guna hal hingga ini itu jaringan juga ke kabupaten kalimantan
    kaltim kami kantor kegiatan kepada kota layanan melalui mobile mudah oleh online pada para
    pemerintah pemerintahan perangkat provinsi sarana secara serta si sebagai setiap sistem
    informasi terpadu terintegrasi tentang timur untuk web website yaitu yang apps app portal daring
    dasbor dashboard rekap rekapitulasi bulan berkala termasuk ditujukan wilayah memudahkan
    mempermudah dipakai digunakan opd tersedia versi android ios format excel pdf unduh diunduh
    mendukung dilengkapi fitur notifikasi whatsapp tanda tangan terhubung splp api modul menu per
    paser kutai kartanegara berau barat mahakam ulu penajam utara balikpapan samarinda bontang kukar
    kubar kutim mahulu ppu
    """.split()  # noqa: SIM905 (a word list reads best as text)
)

_SPLIT = re.compile(r"[^0-9a-zà-ÿ]+")
_PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "per", "pe", "ber", "ter", "di", "ke")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light Indonesian stemmer: enough for overlap, not a linguist (memoised: an
    inventory repeats the same few thousand words)."""
    w = word
    for suffix in ("lah", "kah", "pun", "nya"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    for suffix in ("kan", "an", "i"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    for prefix in _PREFIXES:
        if w.startswith(prefix):
            if len(w) - len(prefix) >= 3:
                w = w[len(prefix) :]
            break
    return w


def tokenize(text: str) -> list[tuple[str, str]]:
    """(stem, surface word) pairs of the meaningful words of ``text``."""
    out = []
    for word in _SPLIT.split((text or "").lower()):
        if len(word) < 3 or word in STOP_WORDS or word.isdigit():
            continue
        out.append((stem(word), word))
    return out


@dataclass(frozen=True)
class AppRecord:
    id: int
    name: str
    purpose: str
    institution_id: int
    agency_id: int
    acronym: str = ""
    business_process_code: str = ""
    service_code: str = ""
    datasets: tuple[str, ...] = ()
    national_id: int | None = None  # set for an instance of a national Aplikasi Umum


@dataclass(frozen=True)
class NationalRecord:
    id: int
    name: str
    purpose: str
    keywords: tuple[str, ...] = ()
    business_process_code: str = ""


@dataclass
class Candidate:
    a: int
    b: int | None  # another application...
    national: int | None  # ...or a national Aplikasi Umum
    score: float
    text_similarity: float
    reasons: list[dict] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int | None, int | None]:
        return (self.a, self.b, self.national)


@dataclass(frozen=True)
class Settings:
    threshold: float = 0.65
    national_threshold: float = 0.50
    min_text: float = 0.45
    max_df_ratio: float = 0.05
    max_df_floor: int = 50
    index_terms: int = 5
    min_shared_index_terms: int = 2
    text_weight: float = 0.75
    process_weight: float = 0.15
    dataset_weight: float = 0.10


DEFAULT = Settings()


class _Vectors:
    """TF-IDF vectors of a corpus of documents, keyed by document key."""

    def __init__(self, docs: dict[object, list[tuple[str, str]]]):
        self.surface: dict[str, Counter[str]] = defaultdict(Counter)
        self._words: dict[str, str] = {}
        tf: dict[object, Counter[str]] = {}
        df: Counter[str] = Counter()
        for key, tokens in docs.items():
            counts: Counter[str] = Counter()
            for stem_, word in tokens:
                counts[stem_] += 1
                self.surface[stem_][word] += 1
            tf[key] = counts
            df.update(counts.keys())
        n = max(len(docs), 1)
        self.df = df
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
        self.vec: dict[object, dict[str, float]] = {}
        for key, counts in tf.items():
            weights = {t: (1 + math.log(c)) * self.idf[t] for t, c in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            self.vec[key] = {t: w / norm for t, w in weights.items()}

    def cosine(self, a: object, b: object) -> tuple[float, list[tuple[str, float]]]:
        va, vb = self.vec.get(a, {}), self.vec.get(b, {})
        if len(va) > len(vb):
            va, vb = vb, va
        shared = [(t, w * vb[t]) for t, w in va.items() if t in vb]
        return sum(c for _, c in shared), shared

    def word(self, stem_: str) -> str:
        """The commonest surface form of a stem (computed once per stem)."""
        found = self._words.get(stem_)
        if found is None:
            found = self._words[stem_] = self.surface[stem_].most_common(1)[0][0]
        return found


def _document(name: str, acronym: str, purpose: str, extra: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Name terms count twice. The acronym and name words equal to it are left out: two
    unrelated applications often share an acronym ("SIMPEL", "PDP"), so it proves nothing."""
    skip = {acronym.lower()} if acronym else set()
    title = [t for t in tokenize(name) if t[1] not in skip and not _looks_like_acronym(t[1], name)]
    return title + title + tokenize(purpose) + tokenize(" ".join(extra))


def _looks_like_acronym(word: str, original: str) -> bool:
    return len(word) <= 7 and word.upper() in original and word.upper() != word.lower()


def _process_similarity(a: str, b: str) -> tuple[float, str]:
    if not a or not b:
        return 0.0, ""
    if a == b and len(a) > 5:
        return 1.0, a
    if a[:5] == b[:5]:
        return 0.6, a[:5]
    return 0.0, ""


def _norm_dataset(name: str) -> str:
    return " ".join(_SPLIT.split(name.lower())).strip()


def _explain(
    vectors: _Vectors, shared: list[tuple[str, float]], text: float, process: tuple[float, str], datasets: list[str]
) -> list[dict]:
    reasons: list[dict] = []
    if process[0]:
        reasons.append({"kind": "business_process", "code": process[1], "exact": process[0] == 1.0})
    if shared:
        top = sorted(shared, key=lambda tc: -tc[1])[:8]
        reasons.append({"kind": "purpose", "similarity": round(text, 3), "terms": [vectors.word(t) for t, _ in top]})
    if datasets:
        reasons.append({"kind": "dataset", "names": datasets[:5]})
    return reasons


def _candidate_pairs(
    postings: dict[str, list[int]], max_df: int, min_shared: int, only_ids: set[int] | None
) -> list[tuple[int, int]]:
    """Pairs (x < y) sharing at least ``min_shared`` indexed terms (a process-code posting
    counts ``min_shared`` times). Postings longer than ``max_df`` are skipped.

    Per application x, the tails of its postings after x are concatenated and counted in C
    (``Counter`` over ints): the same pairs as counting every combination of every posting,
    without building a tuple per co-occurrence.
    """
    of_app: dict[int, list[tuple[list[int], int]]] = defaultdict(list)
    for term, ids in postings.items():
        if len(ids) < 2 or len(ids) > max_df:
            continue
        ids.sort()
        weight = min_shared if term.startswith("#bp:") else 1
        for position, x in enumerate(ids):
            of_app[x].extend([(ids, position)] * weight)
    if only_ids is not None:
        # Only pairs touching the focus: count each focused application's partners over its
        # whole postings (a pair of two focused applications is found from both; kept once).
        found: set[tuple[int, int]] = set()
        for x in only_ids:
            counts = Counter(chain.from_iterable(ids for ids, _position in of_app.get(x, ())))
            found.update((x, y) if x < y else (y, x) for y, c in counts.items() if c >= min_shared and y != x)
        return sorted(found)
    pairs: list[tuple[int, int]] = []
    for x, lists in of_app.items():
        # Every partner after x; pairs with a partner before x were found from that partner.
        counts = Counter(chain.from_iterable(ids[position + 1 :] for ids, position in lists))
        pairs.extend((x, y) for y, c in counts.items() if c >= min_shared)
    return pairs


def detect(
    apps: Sequence[AppRecord],
    nationals: Sequence[NationalRecord] = (),
    *,
    only_ids: set[int] | None = None,
    settings: Settings = DEFAULT,
) -> list[Candidate]:
    """Candidate duplicates among ``apps`` and against ``nationals``.

    With ``only_ids``, only pairs involving one of those applications are returned
    (the vectors are still built over the whole corpus, so scores do not change).
    Application pairs come with ``a < b``.
    """
    docs: dict[object, list[tuple[str, str]]] = {a.id: _document(a.name, a.acronym, a.purpose) for a in apps}
    for n in nationals:
        docs[("n", n.id)] = _document(n.name, "", n.purpose, n.keywords)
    vectors = _Vectors(docs)
    comparable = [a for a in apps if a.national_id is None]  # instances of an Aplikasi Umum are correct use
    max_df = max(settings.max_df_floor, int(settings.max_df_ratio * max(len(comparable), 1)))

    # Blocking: postings of discriminating terms, plus exact T3/T4 process codes.
    postings: dict[str, list[int]] = defaultdict(list)
    for a in comparable:
        # Prefix filtering: a pair above the threshold shares at least one of the few
        # heaviest terms of either side, so only those are indexed.
        vec = vectors.vec[a.id]
        for term in sorted(vec, key=lambda t: -vec[t])[: settings.index_terms]:
            postings[term].append(a.id)
        if len(a.business_process_code) > 5:
            postings[f"#bp:{a.business_process_code}"].append(a.id)
    pairs = _candidate_pairs(postings, max_df, settings.min_shared_index_terms, only_ids)

    vec_of = vectors.vec
    dataset_sets = {a.id: {_norm_dataset(d) for d in a.datasets if d.strip()} for a in comparable}
    process_of = {a.id: a.business_process_code for a in comparable}
    text_weight, process_weight, dataset_weight = settings.text_weight, settings.process_weight, settings.dataset_weight
    min_text, threshold = settings.min_text, settings.threshold
    # The best a pair can add beyond its text: below this text nothing can reach the threshold.
    text_floor = max(min_text, (threshold - process_weight - dataset_weight) / text_weight - 1e-9)
    out: list[Candidate] = []
    # Terms and weights of each vector as tuples, so a dot product runs in C:
    # sum(map(mul, map(vx.get, terms_y, zeros), weights_y)).
    terms_of = {a.id: tuple(vec_of[a.id]) for a in comparable}
    weights_of = {a.id: tuple(vec_of[a.id].values()) for a in comparable}
    zeros = repeat(0.0)
    for x, y in pairs:
        text = sum(map(mul, map(vec_of[x].get, terms_of[y], zeros), weights_of[y]))
        if text < text_floor:
            continue
        process = _process_similarity(process_of[x], process_of[y])
        sx, sy = dataset_sets[x], dataset_sets[y]
        common_set = sx & sy if sx and sy else set()
        data_sim = len(common_set) / len(sx | sy) if common_set else 0.0
        # Cheap bound first (the sum above may differ from the exact one in the last bits).
        if text_weight * text + process_weight * process[0] + dataset_weight * data_sim < threshold - 1e-9:
            continue
        text, shared = vectors.cosine(x, y)
        score = text_weight * text + process_weight * process[0] + dataset_weight * data_sim
        if score < threshold:
            continue
        out.append(
            Candidate(
                a=x,
                b=y,
                national=None,
                score=round(score, 4),
                text_similarity=round(text, 4),
                reasons=_explain(vectors, shared, text, process, sorted(common_set)),
            )
        )

    # Against the national list: every khusus application, each national application that
    # shares at least one term with it (an inverted index instead of testing every app).
    targets = [a for a in comparable if only_ids is None or a.id in only_ids]
    by_term: dict[str, list[AppRecord]] = defaultdict(list)
    for a in targets:
        for t in vectors.vec[a.id]:
            by_term[t].append(a)
    for n in nationals:
        nkey = ("n", n.id)
        nvec = vectors.vec[nkey]
        touching: dict[int, AppRecord] = {}
        for t in nvec:
            for a in by_term.get(t, ()):
                touching[a.id] = a
        for a in sorted(touching.values(), key=lambda r: r.id):
            avec = vectors.vec[a.id]
            cosine, shared = vectors.cosine(a.id, nkey)
            # A national description is long and general, a local one short: measure also how
            # much of the local application's own vector the national vocabulary covers.
            coverage = sum(avec[t] ** 2 for t, _ in shared)
            text = (cosine + coverage) / 2
            if text < settings.min_text:
                continue
            process = _process_similarity(a.business_process_code, n.business_process_code)
            if a.business_process_code and n.business_process_code:
                # No dataset signal against a national application: rescale to [0, 1].
                score = (settings.text_weight * text + settings.process_weight * process[0]) / (
                    settings.text_weight + settings.process_weight
                )
            else:
                score = text  # nothing structural to compare: the text decides alone
            if score < settings.national_threshold:
                continue
            out.append(
                Candidate(
                    a=a.id,
                    b=None,
                    national=n.id,
                    score=round(min(score, 1.0), 4),
                    text_similarity=round(text, 4),
                    reasons=[*_explain(vectors, shared, text, process, []), {"kind": "national", "name": n.name}],
                )
            )
    out.sort(key=lambda c: (-c.score, c.a, c.b or 0, c.national or 0))
    return out


def groups(candidates: Iterable[Candidate]) -> list[set[int]]:
    """Connected components of the application pairs (groups of mutual duplicates)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for c in candidates:
        if c.b is None:
            continue
        ra, rb = find(c.a), find(c.b)
        if ra != rb:
            parent[ra] = rb
    components: dict[int, set[int]] = defaultdict(set)
    for x in parent:
        components[find(x)].add(x)
    return sorted((g for g in components.values() if len(g) > 1), key=lambda g: (-len(g), min(g)))


@dataclass(frozen=True)
class Evaluation:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        truth = self.true_positives + self.false_negatives
        return self.true_positives / truth if truth else 1.0


def evaluate(
    candidates: Iterable[Candidate], truth_pairs: set[tuple[int, int]], truth_national: set[tuple[int, int]]
) -> Evaluation:
    """Pairwise precision/recall against planted duplicates (app pairs and app→national)."""
    candidates = list(candidates)
    found_pairs = {(c.a, c.b) for c in candidates if c.b is not None}
    found_nat = {(c.a, c.national) for c in candidates if c.national is not None}
    # Two applications flagged against the same national application are shown to the
    # reviewer together (same group), so their pair counts as found.
    by_national: dict[int, list[int]] = defaultdict(list)
    for app_id, national in sorted(found_nat):
        by_national[national].append(app_id)
    for members in by_national.values():
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                found_pairs.add((x, y) if x < y else (y, x))
    tp = len(found_pairs & truth_pairs) + len(found_nat & truth_national)
    fp = len(found_pairs - truth_pairs) + len(found_nat - truth_national)
    fn = len(truth_pairs - found_pairs) + len(truth_national - found_nat)
    return Evaluation(true_positives=tp, false_positives=fp, false_negatives=fn)
