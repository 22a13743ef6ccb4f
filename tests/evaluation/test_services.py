from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from etam.core.models import AuditEvent, Role
from etam.evaluation import selectors, services
from etam.evaluation.models import Assessment, Assignment, Claim, Evaluation, Evidence, Stage, Suggestion
from tests.evaluation.conftest import PDF_BYTES, PNG_BYTES
from tests.factories import StaffFactory, grant

JUST = {
    "fact": "Perda SPBE Nomor 4 Tahun 2023 telah ditetapkan.",
    "analysis": "Perda mengatur semua domain arsitektur.",
}


def zip_package(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(member, "<x/>")
    return buffer.getvalue()


def claim(province, evaluation, ind, number=1, level=3, user=None):
    return services.claim_create(
        actor=user or province.admin_diskominfo, evaluation=evaluation, indicator=ind(number), level=level, **JUST
    )


def test_open_evaluation_is_audited_and_unique_per_period(province, framework, evaluation):
    assert evaluation.stage == Stage.SELF
    assert AuditEvent.objects.filter(action="evaluation.open", object_id=str(evaluation.pk)).count() == 1
    with pytest.raises(ValidationError) as exc:
        services.evaluation_open(
            actor=province.coordinator_kaltim, institution=province.kaltim, framework=framework, period=2026
        )
    assert "period" in exc.value.message_dict
    assert Evaluation.objects.count() == 1


def test_default_assignment_follows_typical_owners(province, evaluation, ind):
    n = services.assignment_apply_defaults(actor=province.coordinator_kaltim, evaluation=evaluation)
    owners = dict(Assignment.objects.filter(evaluation=evaluation).values_list("indicator__number", "agency__code"))
    assert owners[43] == "DISKOMINFO"  # open data
    assert owners[45] == "DPMPTSP"  # public service sector 1
    assert 44 not in owners  # Bagian Hukum does not exist in the fixture province
    assert n == len(owners)


def test_assignment_refuses_another_instansi_opd(province, evaluation, ind):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.assignment_set(
            actor=province.coordinator_kaltim, evaluation=evaluation, owners={ind(1).pk: province.dpmptsp_smr.pk}
        )
    assert not Assignment.objects.exists()
    assert AuditEvent.objects.count() == before


def test_only_the_coordinator_assigns(province, evaluation, ind):
    before = AuditEvent.objects.count()
    for user in (province.assessor_kaltim, province.admin_diskominfo, province.admin_kaltim):
        with pytest.raises(PermissionDenied):
            services.assignment_set(actor=user, evaluation=evaluation, owners={ind(1).pk: province.diskominfo.pk})
    assert not Assignment.objects.exists()
    assert AuditEvent.objects.count() == before


def test_opd_staff_claims_with_justification(province, assigned, ind):
    c = claim(province, assigned, ind, 1, 3)
    assert (c.level, c.agency_id) == (3, province.diskominfo.pk)
    assert AuditEvent.objects.filter(action="evaluation.claim", object_id=str(c.pk)).count() == 1
    # any OPD-scoped role of that OPD may claim
    services.claim_create(actor=province.producer_diskominfo, evaluation=assigned, indicator=ind(2), level=2, **JUST)
    assert Claim.objects.count() == 2


@pytest.mark.parametrize(
    ("level", "message_part"),
    [(6, "5"), (0, "5"), ("tiga", "5"), ("2.5", "5")],
)
def test_out_of_scale_level_refused_naming_it(province, assigned, ind, level, message_part):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        claim(province, assigned, ind, 1, level)
    assert "level" in exc.value.message_dict
    message = exc.value.message_dict["level"][0]
    assert "indikator 1" in message.lower() or "indicator 1" in message.lower()
    assert not Claim.objects.exists()
    assert AuditEvent.objects.count() == before


def test_duplicate_claim_refused(province, assigned, ind):
    claim(province, assigned, ind, 1, 3)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        claim(province, assigned, ind, 1, 4)
    assert "indicator" in exc.value.message_dict
    assert Claim.objects.get().level == 3
    assert AuditEvent.objects.count() == before


def test_missing_justification_refused(province, assigned, ind):
    with pytest.raises(ValidationError) as exc:
        services.claim_create(
            actor=province.admin_diskominfo, evaluation=assigned, indicator=ind(1), level=3, fact="", analysis="x"
        )
    assert set(exc.value.message_dict) == {"fact", "analysis"}
    assert not Claim.objects.exists()


def test_other_opd_staff_cannot_claim_or_change(province, assigned, ind):
    c = claim(province, assigned, ind, 1, 3)
    before = AuditEvent.objects.count()
    for user in (province.admin_dpmptsp, province.officer_dpmptsp_smr, province.assessor_kaltim, province.citizen):
        with pytest.raises(PermissionDenied):
            services.claim_create(actor=user, evaluation=assigned, indicator=ind(2), level=2, **JUST)
        with pytest.raises(PermissionDenied):
            services.claim_update(actor=user, claim=c, level=5, **JUST)
        with pytest.raises(PermissionDenied):
            services.evidence_add(actor=user, claim=c, level=1, title="x", url="https://example.id/x")
    c.refresh_from_db()
    assert c.level == 3
    assert Claim.objects.count() == 1
    assert not Evidence.objects.exists()
    assert AuditEvent.objects.count() == before


def test_unassigned_indicator_cannot_be_claimed(province, assigned, ind):
    with pytest.raises(PermissionDenied):
        claim(province, assigned, ind, 30, 3)
    assert not Claim.objects.exists()


def test_asesor_cannot_claim_and_opd_staff_cannot_assess(province, assigned, ind):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        claim(province, assigned, ind, 1, 3, user=province.assessor_kaltim)
    services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    after_advance = AuditEvent.objects.count()
    assert after_advance == before + 1
    for user in (province.admin_diskominfo, province.producer_diskominfo, province.coordinator_kaltim):
        with pytest.raises(PermissionDenied):
            services.assessment_set(actor=user, evaluation=assigned, indicator=ind(1), level=3)
    assert not Assessment.objects.exists()
    assert AuditEvent.objects.count() == after_advance


def test_another_instansi_assessor_cannot_assess(province, assigned, ind):
    other = StaffFactory()
    grant(other, Role.ASSESSOR, province.samarinda)
    services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    with pytest.raises(PermissionDenied):
        services.assessment_set(actor=other, evaluation=assigned, indicator=ind(1), level=3)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("name", "payload", "kind"),
    [
        ("perda.pdf", PDF_BYTES, "application/pdf"),
        ("foto.png", PNG_BYTES, "image/png"),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("data.xlsx", zip_package("xl/workbook.xml"), "spreadsheetml"),
        ("surat.docx", zip_package("word/document.xml"), "wordprocessingml"),
    ],
)
def test_evidence_upload_checked_by_content(province, assigned, ind, name, payload, kind, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    c = claim(province, assigned, ind, 1, 1)
    item = services.evidence_add(
        actor=province.admin_diskominfo, claim=c, level=1, title="Draf", upload=io.BytesIO(payload), filename=name
    )
    assert kind in item.content_type
    assert item.size == len(payload)
    assert len(item.sha256) == 64
    assert AuditEvent.objects.filter(action="evaluation.evidence_add").count() == 1


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("perda.pdf", b"MZ\x90\x00 this is an exe"),  # named .pdf, is not one
        ("kosong.pdf", b""),
        ("paket.docx", zip_package("other/thing.xml")),  # a zip, but not a DOCX
        ("skrip.pdf", b"<script>alert(1)</script>"),
    ],
)
def test_forbidden_evidence_refused_naming_the_file(province, assigned, ind, name, payload):
    c = claim(province, assigned, ind, 1, 1)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            actor=province.admin_diskominfo, claim=c, level=1, title="X", upload=io.BytesIO(payload), filename=name
        )
    assert name in exc.value.message_dict["file"][0]
    assert not Evidence.objects.exists()
    assert AuditEvent.objects.count() == before


def test_oversized_evidence_refused(province, assigned, ind, settings):
    settings.EVALUATION_EVIDENCE_MAX_BYTES = 100
    c = claim(province, assigned, ind, 1, 1)
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            actor=province.admin_diskominfo,
            claim=c,
            level=1,
            title="X",
            upload=io.BytesIO(PDF_BYTES + b"0" * 200),
            filename="besar.pdf",
        )
    assert "besar.pdf" in exc.value.message_dict["file"][0]
    assert not Evidence.objects.exists()


def test_link_evidence_and_bad_link(province, assigned, ind):
    c = claim(province, assigned, ind, 1, 1)
    services.evidence_add(actor=province.admin_diskominfo, claim=c, level=1, title="JDIH", url="https://jdih.id/1")
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(actor=province.admin_diskominfo, claim=c, level=1, title="X", url="javascript:alert(1)")
    assert "url" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(actor=province.admin_diskominfo, claim=c, level=9, title="X", url="https://a.id/")
    assert "level" in exc.value.message_dict
    assert Evidence.objects.count() == 1


def test_evidence_ladder_and_submission_warning(province, assigned, ind):
    c = claim(province, assigned, ind, 45, 3, user=province.admin_dpmptsp)
    for level in (1, 2):
        services.evidence_add(
            actor=province.admin_dpmptsp, claim=c, level=level, title=f"Bukti {level}", url=f"https://a.id/{level}"
        )
    rows = {r.indicator.number: r for r in selectors.indicator_rows(province.admin_dpmptsp, assigned)}
    assert list(rows) == [45]  # DPMPTSP sees only its own indicator
    ladder = rows[45].ladder
    assert ladder.supported_level == 2
    assert ladder.outruns
    assert [s.level for s in ladder.missing] == [3]
    before = AuditEvent.objects.count()
    with pytest.raises(services.EvidenceGapWarning) as exc:
        services.assignment_submit(actor=province.admin_dpmptsp, evaluation=assigned, agency=province.dpmptsp)
    assert "45" in exc.value.message_dict["acknowledge_gaps"][0]
    assert AuditEvent.objects.count() == before
    assert Assignment.objects.get(indicator=ind(45)).submitted_at is None
    # acknowledged: submitted, and the acknowledgement is in the audit trail
    services.assignment_submit(
        actor=province.admin_dpmptsp, evaluation=assigned, agency=province.dpmptsp, acknowledge_gaps=True
    )
    assert Assignment.objects.get(indicator=ind(45)).submitted_at is not None
    event = AuditEvent.objects.get(action="evaluation.submit")
    assert event.changes["after"]["acknowledged_gaps"] == [45]


def test_submission_needs_every_assigned_claim(province, assigned, ind):
    claim(province, assigned, ind, 1, 1)
    with pytest.raises(ValidationError) as exc:
        services.assignment_submit(actor=province.admin_diskominfo, evaluation=assigned, agency=province.diskominfo)
    assert "2," in exc.value.message_dict["claims"][0]


def test_assessment_per_stage_and_self_vs_assessed(province, assigned, ind):
    claim(province, assigned, ind, 1, 4)
    services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    services.assessment_set(
        actor=province.assessor_kaltim, evaluation=assigned, indicator=ind(1), level=2, notes="Draf"
    )
    services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    services.assessment_set(actor=province.assessor_kaltim, evaluation=assigned, indicator=ind(1), level=3)
    rows = {r.indicator.number: r for r in selectors.indicator_rows(province.coordinator_kaltim, assigned)}
    assert rows[1].assessments == {"dokumen": 2, "interviu": 3}
    assert rows[1].assessed == 3
    assert rows[1].difference == -1
    with pytest.raises(ValidationError):
        services.assessment_set(actor=province.assessor_kaltim, evaluation=assigned, indicator=ind(1), level=7)
    assert Assessment.objects.count() == 2


def test_claims_closed_after_self_assessment(province, assigned, ind):
    c = claim(province, assigned, ind, 1, 3)
    services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    with pytest.raises(ValidationError):
        services.claim_update(actor=province.admin_diskominfo, claim=c, level=5, **JUST)
    c.refresh_from_db()
    assert c.level == 3


def test_final_is_frozen_and_reopen_is_audited(province, assigned, ind):
    c = claim(province, assigned, ind, 1, 3)
    for _ in range(4):
        services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    assert assigned.is_final and assigned.finalised_at
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.assessment_set(actor=province.assessor_kaltim, evaluation=assigned, indicator=ind(1), level=3)
    with pytest.raises(ValidationError):
        services.claim_update(actor=province.admin_diskominfo, claim=c, level=5, **JUST)
    with pytest.raises(ValidationError):
        services.assignment_set(actor=province.coordinator_kaltim, evaluation=assigned, owners={ind(2).pk: None})
    assert AuditEvent.objects.count() == before
    with pytest.raises(PermissionDenied):
        services.evaluation_reopen(actor=province.assessor_kaltim, evaluation=assigned, reason="Salah hitung indikator")
    with pytest.raises(ValidationError):
        services.evaluation_reopen(actor=province.coordinator_kaltim, evaluation=assigned, reason="")
    assert Evaluation.objects.get(pk=assigned.pk).stage == Stage.FINAL
    assert AuditEvent.objects.count() == before
    services.evaluation_reopen(
        actor=province.coordinator_kaltim, evaluation=assigned, reason="Keberatan atas indikator 1 diterima"
    )
    assert Evaluation.objects.get(pk=assigned.pk).stage == Stage.VISIT
    event = AuditEvent.objects.get(action="evaluation.reopen")
    assert event.changes["after"]["reason"] == "Keberatan atas indikator 1 diterima"


def test_visibility_of_evaluations(province, assigned, ind):
    # Samarinda's coordinator and a Samarinda OPD: nothing; DISDIKBUD (no assignment): nothing
    coord_smr = StaffFactory()
    grant(coord_smr, Role.SPBE_COORDINATOR, province.samarinda)
    admin_disdik = StaffFactory()
    grant(admin_disdik, Role.AGENCY_ADMIN, province.disdikbud)
    for user in (coord_smr, province.officer_dpmptsp_smr, admin_disdik, province.citizen):
        assert not selectors.evaluations_for(user).exists()
        with pytest.raises(Http404):
            selectors.evaluation_for(user, assigned.pk)
    for user in (province.coordinator_kaltim, province.assessor_kaltim, province.admin_dpmptsp, province.superadmin):
        assert selectors.evaluation_for(user, assigned.pk) == assigned
    # the coordinator sees every indicator, DPMPTSP only its own
    assert len(selectors.indicator_rows(province.coordinator_kaltim, assigned)) == 47
    assert [r.indicator.number for r in selectors.indicator_rows(province.officer_dpmptsp, assigned)] == [45]


def test_suggestions_from_role_grants_accept_and_reject(province, assigned, ind):
    services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    created = services.suggestions_refresh(actor=province.assessor_kaltim, evaluation=assigned)
    by_number = {s.indicator.number: s for s in created}
    # koordinator + walidata granted in Kaltim → indicator 19 at level 3
    assert by_number[19].level == 3
    assert "walidata" in by_number[19].rationale.lower()
    assert by_number[19].links and by_number[19].links[0]["url"]
    # Diskominfo and DPMPTSP have staff, DISDIKBUD none: 2 of 3 OPDs → indicator 20 at 2
    assert by_number[20].level == 2
    assert "2" in by_number[20].rationale and "3" in by_number[20].rationale
    assert not Assessment.objects.exists()  # never applied silently
    services.suggestion_decide(actor=province.assessor_kaltim, suggestion=by_number[19], accept=True)
    services.suggestion_decide(actor=province.assessor_kaltim, suggestion=by_number[20], accept=False, note="Belum")
    assessment = Assessment.objects.get()
    assert (assessment.indicator.number, assessment.level, assessment.stage) == (19, 3, "dokumen")
    assert AuditEvent.objects.filter(action="evaluation.suggestion_accept").count() == 1
    assert AuditEvent.objects.filter(action="evaluation.suggestion_reject").count() == 1
    assert (
        AuditEvent.objects.filter(action="evaluation.assess").get().changes["after"]["source"].startswith("suggestion:")
    )
    assert Suggestion.objects.get(pk=by_number[20].pk).status == "rejected"


def test_shared_platform_rule_reaches_level_3_when_every_opd_works_on_etam(province, assigned):
    from etam.evaluation.rules import shared_platform

    grant(StaffFactory(), Role.SERVICE_OFFICER, province.disdikbud)
    assert shared_platform(assigned, None).level == 3


def test_suggestion_rule_stays_silent_without_data(province, framework):
    from etam.evaluation.rules import coordination_team

    evaluation = services.evaluation_open(
        actor=province.superadmin, institution=province.samarinda, framework=framework, period=2026
    )
    assert coordination_team(evaluation, None) is None


def test_opd_staff_cannot_decide_suggestions(province, assigned, ind):
    services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    created = services.suggestions_refresh(actor=province.assessor_kaltim, evaluation=assigned)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.suggestion_decide(actor=province.admin_diskominfo, suggestion=created[0], accept=True)
    with pytest.raises(PermissionDenied):
        services.suggestions_refresh(actor=province.admin_diskominfo, evaluation=assigned)
    assert Suggestion.objects.filter(status="pending").count() == len(created)
    assert not Assessment.objects.exists()
    assert AuditEvent.objects.count() == before


# --- negative permission tests added in QA (services that had none) ----------------------


def test_evidence_remove_refused_to_everyone_but_the_owner_opd_and_after_self_assessment(province, assigned, ind):
    c = claim(province, assigned, ind, 1, 3)
    item = services.evidence_add(actor=province.admin_diskominfo, claim=c, level=1, title="SK", url="https://e.id/sk")
    before = AuditEvent.objects.count()
    for user in (province.admin_dpmptsp, province.officer_dpmptsp_smr, province.assessor_kaltim, province.citizen):
        with pytest.raises((PermissionDenied, Http404)):
            services.evidence_remove(actor=user, item=item)
    services.evaluation_advance(actor=province.coordinator_kaltim, evaluation=assigned)
    after_advance = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.evidence_remove(actor=province.admin_diskominfo, item=Evidence.objects.get(pk=item.pk))
    assert Evidence.objects.filter(pk=item.pk).exists()
    assert after_advance == before + 1 and AuditEvent.objects.count() == after_advance


def test_only_the_coordinator_advances_and_only_the_owner_opd_submits(province, assigned, ind):
    claim(province, assigned, ind, 1, 3)
    before = AuditEvent.objects.count()
    for user in (province.assessor_kaltim, province.admin_diskominfo, province.admin_kaltim, province.citizen):
        with pytest.raises(PermissionDenied):
            services.evaluation_advance(actor=user, evaluation=assigned)
    for user in (province.admin_dpmptsp, province.assessor_kaltim, province.officer_dpmptsp_smr):
        with pytest.raises(PermissionDenied):
            services.assignment_submit(actor=user, evaluation=assigned, agency=province.diskominfo)
    assigned.refresh_from_db()
    assert assigned.stage == Stage.SELF
    assert not Assignment.objects.filter(evaluation=assigned, submitted_at__isnull=False).exists()
    assert AuditEvent.objects.count() == before


def test_frameworks_are_changed_by_the_super_admin_only(province, framework, ind):
    from etam.evaluation.models import Framework

    before = (Framework.objects.count(), AuditEvent.objects.count(), framework.status, ind(1).weight)
    for user in (province.coordinator_kaltim, province.assessor_kaltim, province.admin_kaltim):
        with pytest.raises(PermissionDenied):
            services.framework_new_version(actor=user, framework=framework)
        with pytest.raises(PermissionDenied):
            services.framework_publish(actor=user, framework=framework)
        with pytest.raises(PermissionDenied):
            services.indicator_update(actor=user, indicator=ind(1), weight=ind(1).weight + 1)
    framework.refresh_from_db()
    assert (Framework.objects.count(), AuditEvent.objects.count(), framework.status, ind(1).weight) == before
