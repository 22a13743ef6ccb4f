"""Demo content for the SPBE evaluation (registered with the demo registry, order 50).

- Pemprov Kaltim's published index 2021–2025: 2.22, 2.11, 2.91, 3.79, 4.13 (brief §4.2;
  2024 self-assessment 4.35). Only the totals are published: the per-indicator levels
  are generated so that they give exactly these indices, and are labelled demo data.
- The 10 kab/kota: plausible, made-up results for 2023–2025, clearly labelled demo data
  (no kab/kota values were found, brief §4.2).
- An open 2026 evaluation for Kaltim, in self-assessment, with indicators assigned to
  their typical OPDs and a few claims with evidence links.

Idempotent: an instansi/period that already has an evaluation is left alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from etam.core import audit
from etam.core.models import Agency, Institution, Region
from etam.evaluation import scoring, services
from etam.evaluation.loader import CODE_59_2020, load_frameworks
from etam.evaluation.models import Assessment, Assignment, Claim, Evaluation, Evidence, Framework, Stage
from etam.evaluation.scores import shape_of
from etam.evaluation.services.frameworks import freeze_in_use

KALTIM_HISTORY = {
    2021: (Decimal("2.22"), None),
    2022: (Decimal("2.11"), None),
    2023: (Decimal("2.91"), None),
    2024: (Decimal("3.79"), Decimal("4.35")),
    2025: (Decimal("4.13"), None),
}

# Made-up, plausible demo results of the kab/kota (NOT official figures).
KABKOTA_DEMO = {
    "64.01": ("Kabupaten Paser", ["2.41", "2.78", "3.02"]),
    "64.02": ("Kabupaten Kutai Kartanegara", ["2.95", "3.31", "3.58"]),
    "64.03": ("Kabupaten Berau", ["2.63", "2.88", "3.21"]),
    "64.07": ("Kabupaten Kutai Barat", ["2.12", "2.47", "2.69"]),
    "64.08": ("Kabupaten Kutai Timur", ["2.58", "2.74", "3.05"]),
    "64.09": ("Kabupaten Penajam Paser Utara", ["2.36", "2.61", "2.94"]),
    "64.11": ("Kabupaten Mahakam Ulu", ["1.74", "2.05", "2.33"]),
    "64.71": ("Kota Balikpapan", ["3.12", "3.46", "3.71"]),
    "64.72": ("Kota Samarinda", ["3.05", "3.37", "3.62"]),
    "64.74": ("Kota Bontang", ["3.21", "3.52", "3.84"]),
}
DEMO_NOTE = "DATA DEMO: tingkat per indikator dibuat untuk demonstrasi, bukan hasil resmi."

# Domain profile: Layanan tends to be highest and Manajemen lowest (national pattern, brief §2.6).
DOMAIN_OFFSET = {1: Decimal("0.3"), 2: Decimal("0"), 3: Decimal("-0.7"), 4: Decimal("0.25")}


def levels_for_index(specs: list[scoring.IndicatorSpec], target: Decimal, seed: str) -> dict[int, int]:
    """Integer levels whose index rounds exactly to ``target`` (deterministic per seed)."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    total = sum((s.weight for s in specs), Decimal(0))
    levels = {}
    for s in specs:
        wanted = target + DOMAIN_OFFSET.get(s.domain, Decimal(0)) + Decimal(rng.choice([-1, 0, 0, 1])) / 2
        levels[s.number] = max(s.min_level, min(s.max_level, int(wanted.to_integral_value())))

    def index() -> Decimal:
        return scoring.round_index(sum((Decimal(levels[s.number]) * s.weight for s in specs), Decimal(0)) / total)

    for _ in range(5000):
        current = index()
        if current == target:
            return levels
        up = current < target
        movable = [s for s in specs if (levels[s.number] < s.max_level if up else levels[s.number] > s.min_level)]
        gap = abs(target - current) * total
        fitting = [s for s in movable if s.weight <= gap + Decimal("0.5")] or movable
        choice = rng.choice(fitting)
        levels[choice.number] += 1 if up else -1
    raise RuntimeError(f"could not build levels for {target}")


def _institution(code: str, name: str) -> Institution:
    institution = Institution.objects.filter(region_code=code).first()
    if institution:
        return institution
    region = Region.objects.current().filter(code=code).first()
    kind = Institution.Kind.CITY if name.startswith("Kota") else Institution.Kind.REGENCY
    full = "Pemerintah Provinsi Kalimantan Timur" if code == "64" else f"Pemerintah {region.name if region else name}"
    institution = Institution.objects.create(
        region_code=code,
        name=full,
        short_name=full.replace("Pemerintah Kabupaten", "Pemkab").replace("Pemerintah Kota", "Pemkot"),
        kind=kind,
    )
    audit.record(
        actor=None,
        action="core.institution_create",
        target=institution,
        after={"region_code": code, "name": full, "demo": True},
    )
    return institution


def _record_demo_evaluation(evaluation: Evaluation) -> None:
    """Demo rows are changes like any other: one event by "sistem", same transaction."""
    audit.record(
        actor=None,
        action="evaluation.demo_load",
        target=evaluation,
        institution_id=evaluation.institution_id,
        after={"period": evaluation.period, "stage": evaluation.stage, "demo": True},
    )


def _final(
    institution: Institution, framework: Framework, period: int, final: Decimal, claimed: Decimal | None
) -> bool:
    if Evaluation.objects.filter(institution=institution, period=period).exists():
        return False
    shape = shape_of(framework)
    assessed = levels_for_index(shape.specs, final, f"{institution.region_code}-{period}-final")
    self_levels = levels_for_index(
        shape.specs, claimed or min(Decimal("5"), final + Decimal("0.3")), f"{institution.region_code}-{period}-self"
    )
    evaluation = Evaluation.objects.create(
        institution=institution,
        framework=framework,
        period=period,
        stage=Stage.FINAL,
        is_demo=True,
        published_index=final if institution.region_code == "64" else None,
        finalised_at=timezone.now(),
        note=DEMO_NOTE,
    )
    Claim.objects.bulk_create(
        Claim(
            evaluation=evaluation,
            indicator=shape.indicators[n],
            level=level,
            fact="Data demo.",
            analysis="Data demo.",
        )
        for n, level in self_levels.items()
    )
    Assessment.objects.bulk_create(
        Assessment(
            evaluation=evaluation, indicator=shape.indicators[n], stage=Stage.FINAL, level=level, notes="Data demo."
        )
        for n, level in assessed.items()
    )
    _record_demo_evaluation(evaluation)
    return True


def load(write: Callable[[str], None]) -> None:
    with transaction.atomic():
        load_frameworks(write)
        framework = Framework.objects.filter(code=CODE_59_2020).order_by("-version").first()
        assert framework is not None
        if framework.status == Framework.Status.PUBLISHED and freeze_in_use(framework):
            audit.record(
                actor=None,
                action="evaluation.framework_freeze",
                target=framework,
                before={"status": Framework.Status.PUBLISHED},
                after={"status": Framework.Status.FROZEN},
            )
        kaltim = _institution("64", "Provinsi Kalimantan Timur")
        created = 0
        for period, (final, claimed) in KALTIM_HISTORY.items():
            created += _final(kaltim, framework, period, final, claimed)
        for code, (name, values) in KABKOTA_DEMO.items():
            institution = _institution(code, name)
            for period, value in zip((2023, 2024, 2025), values, strict=True):
                created += _final(institution, framework, period, Decimal(value), None)
        write(f"evaluation: {created} demo results created (labelled demo data)")
        if not Evaluation.objects.filter(institution=kaltim, period=2026).exists():
            _open_2026(kaltim, framework)
            write("evaluation: open 2026 evaluation for Kaltim (self-assessment in progress)")


def _open_2026(kaltim: Institution, framework: Framework) -> None:
    evaluation = Evaluation.objects.create(
        institution=kaltim, framework=framework, period=2026, stage=Stage.SELF, is_demo=True, note=DEMO_NOTE
    )
    defaults = services.default_owner_agencies(evaluation)
    fallback = Agency.objects.filter(institution=kaltim, code__icontains="KOMINFO").first()
    shape = shape_of(framework)
    rows = []
    for indicator in shape.indicators.values():
        agency = defaults.get(indicator.pk) or fallback
        if agency is not None:
            rows.append(Assignment(evaluation=evaluation, indicator=indicator, agency=agency))
    Assignment.objects.bulk_create(rows)
    _record_demo_evaluation(evaluation)
    owners = {a.indicator_id: a.agency for a in rows}
    examples = {
        19: (
            4,
            "Tim Koordinasi SPBE Provinsi ditetapkan dengan Keputusan Gubernur dan rapat koordinasi rutin.",
            "Pelaksanaan tim direviu setiap semester; belum ada bukti tindak lanjut berupa kebijakan baru.",
            [1, 2, 3, 4],
        ),
        43: (
            4,
            "Portal Satu Data Kaltim menerbitkan dataset dengan API dan katalog DCAT.",
            "Layanan data terbuka terintegrasi dengan portal nasional; bukti integrasi dilampirkan.",
            [1, 2, 3],
        ),
        42: (
            3,
            "SP4N-LAPOR! dipakai seluruh OPD untuk pengaduan.",
            "Satu transaksi pengaduan berjalan utuh dengan alur kerja dan persetujuan.",
            [1, 2, 3],
        ),
    }
    for number, (level, fact, analysis, evidence_levels) in examples.items():
        indicator = shape.indicators[number]
        claim = Claim.objects.create(
            evaluation=evaluation,
            indicator=indicator,
            agency=owners.get(indicator.pk),
            level=level,
            fact=fact,
            analysis=analysis,
        )
        Evidence.objects.bulk_create(
            Evidence(
                claim=claim, level=lv, title=f"Bukti tingkat {lv} (demo)", url=f"https://example.id/demo/{number}/{lv}"
            )
            for lv in evidence_levels
        )
