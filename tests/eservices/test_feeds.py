"""Seams: the applications system dataset for Satu Data, and SPBE evaluation suggestion rules."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.utils import timezone

from etam.eservices import feeds, services
from etam.eservices.models import Application, IssuedDocument
from tests.eservices.conftest import address, drive, info_answers

pytestmark = pytest.mark.django_db


def _approve(province, application):
    application = drive(application, province.officer_dpmptsp, "mulai_verifikasi", "verifikasi_lengkap")
    application = services.application_act(actor=province.admin_dpmptsp, application=application, action="setujui")
    IssuedDocument.objects.filter(application=application).update(status=IssuedDocument.Status.ISSUED)
    return application


def test_registered_when_the_other_modules_are_installed():
    if apps.is_installed("etam.opendata"):
        from etam.opendata.registry import SYSTEM_DATASETS

        spec = SYSTEM_DATASETS[feeds.DATASET_KEY]
        assert [c.name for c in spec.columns][:2] == ["kode_wilayah", "bulan"]
        assert spec.rows is feeds.application_month_rows
    if apps.is_installed("etam.evaluation"):
        from etam.evaluation.registry import registered_rules

        numbers = {r.indicator_number for r in registered_rules() if r.code.startswith("eservices.")}
        assert numbers == {28, 45, 46, 47}


def test_dataset_rows_per_service_month_and_regency(province, info_service):
    citizen = province.citizen
    a = services.application_submit(actor=citizen, service=info_service, answers=info_answers()).application
    services.application_submit(
        actor=citizen,
        service=info_service,
        answers=info_answers(alamat=address(kab="64.02", kec="64.02.01"), rincian="Data kedua"),
    )
    _approve(province, a)
    month = timezone.now().strftime("%Y-%m")
    rows = list(feeds.application_month_rows())
    assert len(rows) == 2
    by_regency = {r[0]: r for r in rows}
    samarinda = by_regency["64.72"]
    assert samarinda[1] == month and samarinda[2] == "64" and samarinda[4] == info_service.slug
    assert samarinda[7:10] == (1, 1, 1)  # submitted, closed, approved
    assert samarinda[10] == (1 if Application.objects.get(pk=a.pk).met_sla else 0)
    assert samarinda[11] in {"100.0", "0.0"}
    kutai = by_regency["64.02"]
    assert kutai[7:] == (1, 0, 0, 0, "")
    # Aggregates only: no tracking number, holder name or NIK in any cell.
    flat = " ".join(str(cell) for row in rows for cell in row)
    assert a.tracking_number not in flat and "Siti" not in flat and "6472015708900001" not in flat


def test_sector_suggestion_level_3_only_with_an_issued_document(province, info_service):
    year = timezone.now().year
    evaluation = SimpleNamespace(institution_id=province.kaltim.pk, period=year)
    assert feeds.suggest_public_service_sector(evaluation, SimpleNamespace(number=45)) is None  # no application yet
    submission = services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    proposal = feeds.suggest_public_service_sector(evaluation, SimpleNamespace(number=45))
    assert proposal.level == 2 and "belum ada dokumen" in proposal.rationale
    _approve(province, submission.application)
    proposal = feeds.suggest_public_service_sector(evaluation, SimpleNamespace(number=45))
    assert proposal.level == 3
    assert info_service.name in proposal.rationale
    assert any(url.endswith(f"/layanan/{info_service.slug}/") for _label, url in proposal.links)
    # Only one sector has services: sector 2 and 3 have nothing to say; other instansi neither.
    assert feeds.suggest_public_service_sector(evaluation, SimpleNamespace(number=46)) is None
    other = SimpleNamespace(institution_id=province.samarinda.pk, period=year)
    assert feeds.suggest_public_service_sector(other, SimpleNamespace(number=45)) is None
    # Another year: no application in it, nothing to suggest.
    past = SimpleNamespace(institution_id=province.kaltim.pk, period=2019)
    assert feeds.suggest_public_service_sector(past, SimpleNamespace(number=45)) is None


def test_service_management_suggestion_from_sla_tracking(province, info_service):
    year = timezone.now().year
    evaluation = SimpleNamespace(institution_id=province.kaltim.pk, period=year)
    indicator = SimpleNamespace(number=28)
    proposal = feeds.suggest_service_management(evaluation, indicator)
    assert proposal.level == 1 and "0 permohonan selesai" in proposal.rationale
    submission = services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    application = _approve(province, submission.application)
    application.refresh_from_db()
    assert application.met_sla is True  # approved on the day it was submitted
    proposal = feeds.suggest_service_management(evaluation, indicator)
    assert proposal.level == 3 and "1 tepat waktu (100%)" in proposal.rationale
    Application.objects.filter(pk=application.pk).update(met_sla=False)
    assert feeds.suggest_service_management(evaluation, indicator).level == 2
    assert (
        feeds.suggest_service_management(SimpleNamespace(institution_id=province.samarinda.pk, period=year), indicator)
        is None
    )


@pytest.mark.skipif(not apps.is_installed("etam.evaluation"), reason="evaluation not installed")
def test_rules_run_inside_an_evaluation(province, info_service, framework):
    from etam.evaluation.models import Evaluation
    from etam.evaluation.registry import run_rules

    submission = services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    _approve(province, submission.application)
    evaluation = Evaluation.objects.create(institution=province.kaltim, framework=framework, period=timezone.now().year)
    outputs = {o.rule: o for o in run_rules(evaluation)}
    assert outputs["eservices.public_service_sector_1"].level == 3
    assert outputs["eservices.public_service_sector_1"].indicator.number == 45
    assert outputs["eservices.service_management"].indicator.number == 28
    assert "eservices.public_service_sector_2" not in outputs


@pytest.mark.skipif(not apps.is_installed("etam.opendata"), reason="opendata not installed")
def test_system_dataset_publishes_in_satu_data(province, info_service):
    from etam.opendata import system
    from etam.opendata.models import Dataset
    from etam.opendata.registry import SYSTEM_DATASETS

    services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    assert system.refresh(SYSTEM_DATASETS[feeds.DATASET_KEY]) is True
    dataset = Dataset.objects.get(published_version__isnull=False, title__startswith="Permohonan layanan publik")
    assert dataset.published_version.row_count == 1
    assert system.refresh(SYSTEM_DATASETS[feeds.DATASET_KEY]) is False  # unchanged table: no new version
