"""Demo content of the service-quality module (loader order 60, after the e-services demo).

A year of made-up survey answers (labelled demo) for the demo services: three with enough
respondents for an index, one with too few (its report shows the warning), and a follow-up plan
for the lowest element of the first OPD. Idempotent: a service that already has answers this
year is left alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from etam.core import audit
from etam.quality import scoring, selectors
from etam.quality.models import (
    ANSWER_FIELDS,
    Complaint,
    FollowUpPlan,
    ServiceCharter,
    ServiceStandard,
    SurveyResponse,
)

Write = Callable[[str], None]
# Per service: respondents and how likely a top answer is (made up).
PROFILES = [(60, 0.55), (45, 0.35), (38, 0.2), (6, 0.4)]
COMMENTS = [
    "Petugas ramah dan membantu.",
    "Mohon waktu penyelesaian dipercepat.",
    "Informasi persyaratan di situs kurang jelas.",
    "Ruang tunggu nyaman.",
    "",
    "",
]


def _answer(rng: random.Random, top: float, element: int) -> int | None:
    if rng.random() < 0.02:
        return None
    weak = element in (3, 8)  # waiting time and complaint handling score lower in the demo
    roll = rng.random()
    if roll < top * (0.6 if weak else 1):
        return 4
    if roll < 0.88:
        return 3
    return 2 if rng.random() < 0.8 else 1


def load(write: Write) -> None:
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    days = max((today - start).days, 1)
    services = list(selectors.demo_services()[: len(PROFILES)])
    made = 0
    with transaction.atomic():
        for service, (count, top) in zip(services, PROFILES, strict=False):
            if SurveyResponse.objects.filter(service=service, answered_on__gte=start).exists():
                continue
            rng = random.Random(f"skm-{service.slug}")  # noqa: S311 (made-up demo answers)
            rows = []
            for _i in range(count):
                answers = {name: _answer(rng, top, n) for n, name in enumerate(ANSWER_FIELDS, start=1)}
                if all(v is None for v in answers.values()):
                    answers["u1"] = 3
                rows.append(
                    SurveyResponse(
                        service=service,
                        agency_id=service.agency_id,
                        institution_id=service.institution_id,
                        channel=rng.choice(SurveyResponse.Channel.values),
                        answered_on=start + timedelta(days=rng.randrange(days)),
                        age_band=rng.choice(SurveyResponse.AgeBand.values),
                        sex=rng.choice(SurveyResponse.Sex.values),
                        education=rng.choice(SurveyResponse.Education.values),
                        occupation=rng.choice(SurveyResponse.Occupation.values),
                        comment=rng.choice(COMMENTS),
                        is_demo=True,
                        **answers,
                    )
                )
            SurveyResponse.objects.bulk_create(rows)
            made += len(rows)
            write(f"  survei kepuasan / SKM: {service.name}: {len(rows)}")
            if count >= 10 and not FollowUpPlan.objects.filter(agency_id=service.agency_id).exists():
                sums = [sum(getattr(r, n) or 0 for r in rows) for n in ANSWER_FIELDS]
                counts = [sum(1 for r in rows if getattr(r, n) is not None) for n in ANSWER_FIELDS]
                lowest = scoring.lowest_elements(scoring.score_sums(sums, counts, len(rows)).unsur)[0]
                FollowUpPlan.objects.create(
                    agency_id=service.agency_id,
                    institution_id=service.institution_id,
                    period=str(today.year),
                    element=lowest,
                    action="Menambah loket dan jadwal piket pada jam sibuk (demo).",
                    owner="Kepala Bidang Pelayanan",
                    due_date=today + timedelta(days=60),
                    status=FollowUpPlan.Status.IN_PROGRESS,
                )
        made += _standards(services)
        made += _complaints(services)
        if made:
            audit.record(
                actor="sistem", action="quality.demo_load", object_type="quality.demo", after={"responses": made}
            )


def _standards(services: list) -> int:
    """A standard for each demo service's published version and a maklumat for its OPD (demo texts)."""
    made = 0
    for service in services:
        if service.published_version_id and not ServiceStandard.objects.filter(service=service).exists():
            ServiceStandard.objects.create(
                service=service,
                version_id=service.published_version_id,
                agency_id=service.agency_id,
                institution_id=service.institution_id,
                facilities="Loket pelayanan dan ruang tunggu\nLayanan daring 24 jam di Etam",
                competence="Petugas memahami peraturan layanan dan tata cara pelayanan prima",
                internal_oversight="Atasan langsung dan Inspektorat",
                complaints="Kanal pengaduan di Etam, SP4N-LAPOR!, telepon dan loket pengaduan",
                staff_count=4,
                service_guarantee="Pelayanan sesuai standar; bila terlambat, pemohon diberi tahu alasannya",
                safety_guarantee="Data pribadi dilindungi dan dokumen ditandatangani secara elektronik",
                performance_evaluation="Survei Kepuasan Masyarakat tiap semester dan evaluasi tahunan",
            )
            made += 1
        if not ServiceCharter.objects.filter(agency_id=service.agency_id).exists():
            ServiceCharter.objects.create(
                agency_id=service.agency_id,
                institution_id=service.institution_id,
                text=(
                    "Dengan ini kami menyatakan sanggup menyelenggarakan pelayanan sesuai standar pelayanan yang "
                    "telah ditetapkan dan apabila tidak menepati janji ini, kami siap menerima sanksi sesuai "
                    "peraturan perundang-undangan yang berlaku. (demo)"
                ),
                signed_by_name="Kepala Dinas (demo)",
            )
            made += 1
    return made


DEMO_COMPLAINTS = [
    (Complaint.Kind.COMPLAINT, Complaint.State.RECEIVED, "Sudah 3 hari belum ada kabar verifikasi berkas saya.", ""),
    (Complaint.Kind.COMPLAINT, Complaint.State.IN_PROGRESS, "Tautan unduh dokumen tidak bisa dibuka di ponsel.", ""),
    (
        Complaint.Kind.SUGGESTION,
        Complaint.State.ANSWERED,
        "Mohon ditambah panduan pengisian formulir dalam bentuk video.",
        "Terima kasih, panduan video sedang kami siapkan dan akan tayang bulan depan.",
    ),
    (
        Complaint.Kind.COMPLIMENT,
        Complaint.State.CLOSED,
        "Petugas loket sangat membantu.",
        "Terima kasih atas apresiasinya.",
    ),
]


def _complaints(services: list) -> int:
    """One demo complaint in each state (receipt codes of demo rows are not shown anywhere)."""
    if not services or Complaint.objects.filter(is_demo=True).exists():
        return 0
    from etam.quality.selectors import receipt_digest
    from etam.quality.services.complaints import answer_due

    today = timezone.localdate()
    for i, (kind, state, text, answer) in enumerate(DEMO_COMPLAINTS):
        service = services[i % len(services)]
        Complaint.objects.create(
            kind=kind,
            state=state,
            service=service,
            agency_id=service.agency_id,
            institution_id=service.institution_id,
            text=text,
            answer=answer,
            answered_at=timezone.now() if answer else None,
            receipt_digest=receipt_digest(f"ADU-DEMO{i}"),
            due_date=answer_due(today),
            lapor_status="antre" if kind == Complaint.Kind.COMPLAINT else "",
            is_demo=True,
        )
    return len(DEMO_COMPLAINTS)
