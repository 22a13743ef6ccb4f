import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from etam.core.models import AuditEvent
from etam.eservices import services
from etam.eservices.models import Application, ApplicationEvent, IssuedDocument, NotificationDelivery
from tests.eservices.conftest import drive, info_answers, new_version

pytestmark = pytest.mark.django_db


def snapshot(application):
    application.refresh_from_db()
    return (
        application.state,
        application.updated_at,
        ApplicationEvent.objects.filter(application=application).count(),
        AuditEvent.objects.count(),
        NotificationDelivery.objects.count(),
    )


def test_submission_numbers_records_and_notifies_after_commit(
    province, info_service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        submission = services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    application = submission.application
    assert submission.created and application.state == "diajukan"
    assert application.due_date and application.service_due_date >= application.due_date
    assert application.events.get().kind == ApplicationEvent.Kind.SUBMITTED
    assert AuditEvent.objects.filter(action="eservices.application_submit", object_id=str(application.pk)).count() == 1
    assert NotificationDelivery.objects.filter(application=application, event="submitted").count() == 1
    # Nothing else on the submit path: the outbox row is sent by the periodic job. The one
    # callback is the case-submitted hook (other modules' follow-ups, e.g. a NIK check), after commit.
    assert len(callbacks) == 1
    callbacks[0]()


def test_missing_answer_is_refused_with_the_field(province, info_service):
    answers = info_answers()
    del answers["rincian"]
    with pytest.raises(services.ApplicationRefused) as refused:
        services.application_submit(actor=province.citizen, service=info_service, answers=answers)
    assert "rincian" in refused.value.errors
    assert Application.objects.count() == 0


def test_idempotency_key_returns_the_first_submission(province, info_service):
    first = services.application_submit(
        actor=province.citizen, service=info_service, answers=info_answers(), idempotency_key="abc"
    )
    again = services.application_submit(
        actor=province.citizen, service=info_service, answers=info_answers(), idempotency_key="abc"
    )
    assert not again.created and again.application.pk == first.application.pk
    assert again.receipt_secret == first.receipt_secret
    assert Application.objects.count() == 1
    with pytest.raises(services.ApplicationRefused):
        services.application_submit(
            actor=province.citizen, service=info_service, answers=info_answers(rincian="lain"), idempotency_key="abc"
        )
    # The same key from another person is another submission.
    other = services.application_submit(
        actor=province.other_citizen, service=info_service, answers=info_answers(), idempotency_key="abc"
    )
    assert other.created and Application.objects.count() == 2


def test_full_default_workflow_with_revision(province, submitted, django_capture_on_commit_callbacks):
    application = submitted.application
    officer, admin, citizen = province.officer_dpmptsp, province.admin_dpmptsp, province.citizen
    application = drive(application, officer, "mulai_verifikasi")
    application = services.application_act(
        actor=officer, application=application, action="minta_perbaikan", reason="Lampirkan KTP"
    )
    assert application.state == "perlu_perbaikan" and application.revision_request == "Lampirkan KTP"
    assert application.due_date is None  # waiting for the applicant: no officer deadline
    application = services.application_act(
        actor=citizen, application=application, action="kirim_perbaikan", answers=info_answers(tujuan="Skripsi S1")
    )
    assert application.state == "verifikasi" and application.revision_request == ""
    assert application.all_answers()["tujuan"] == "Skripsi S1"
    application = drive(application, officer, "verifikasi_lengkap")
    with django_capture_on_commit_callbacks() as callbacks:
        application = services.application_act(actor=admin, application=application, action="setujui")
    assert application.state == "selesai" and application.closed_at and application.working_days_taken == 0
    assert application.met_sla is True
    document = IssuedDocument.objects.get(application=application)
    assert document.status == IssuedDocument.Status.TO_SIGN  # no passphrase given: waits for the signature
    assert application.signing_deferred
    assert len(callbacks) == 1  # the notification task (no background signing: docs/adr/0084)
    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds.count(ApplicationEvent.Kind.ACTION) == 4 and ApplicationEvent.Kind.RESUBMITTED in kinds


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("citizen", "mulai_verifikasi"),  # applicant may not take an officer action
        ("other_citizen", "mulai_verifikasi"),
        ("officer_dpmptsp_smr", "mulai_verifikasi"),  # an officer of another instansi's DPMPTSP
        ("admin_diskominfo", "mulai_verifikasi"),  # an admin of another OPD
        ("steward_kaltim", "mulai_verifikasi"),  # instansi role without the workflow role
        ("admin_kaltim", "mulai_verifikasi"),  # admin instansi may view, not act
    ],
)
def test_wrong_actor_is_refused_and_nothing_changes(province, submitted, who, action):
    application = submitted.application
    before = snapshot(application)
    with pytest.raises(PermissionDenied):
        services.application_act(actor=getattr(province, who), application=application, action=action)
    assert snapshot(application) == before


def test_action_not_allowed_in_state_or_role_changes_nothing(province, submitted):
    application = submitted.application
    before = snapshot(application)
    with pytest.raises(services.ApplicationRefused):
        services.application_act(actor=province.admin_dpmptsp, application=application, action="setujui")
    with pytest.raises(services.ApplicationRefused):
        services.application_act(actor=province.officer_dpmptsp, application=application, action="tidak_ada")
    assert snapshot(application) == before
    application = drive(application, province.officer_dpmptsp, "mulai_verifikasi", "verifikasi_lengkap")
    before = snapshot(application)
    # Approval is for the admin OPD only; the officer is refused.
    with pytest.raises(PermissionDenied):
        services.application_act(actor=province.officer_dpmptsp, application=application, action="setujui")
    # A rejection needs a reason.
    with pytest.raises(services.ApplicationRefused) as refused:
        services.application_act(actor=province.admin_dpmptsp, application=application, action="tolak", reason=" ")
    assert "reason" in refused.value.errors
    assert snapshot(application) == before


def test_assign_and_note_are_staff_only(province, submitted):
    application = submitted.application
    before = snapshot(application)
    for outsider in (province.citizen, province.officer_dpmptsp_smr, province.admin_diskominfo):
        with pytest.raises(PermissionDenied):
            services.application_note(actor=outsider, application=application, text="x")
        with pytest.raises(PermissionDenied):
            services.application_assign(actor=outsider, application=application, assignee=province.officer_dpmptsp)
    assert snapshot(application) == before
    with pytest.raises(services.ApplicationRefused):  # assignee outside the OPD
        services.application_assign(
            actor=province.admin_dpmptsp, application=application, assignee=province.officer_dpmptsp_smr
        )
    services.application_assign(
        actor=province.admin_dpmptsp, application=application, assignee=province.officer_dpmptsp
    )
    note = services.application_note(actor=province.officer_dpmptsp, application=application, text="Cek KTP")
    application.refresh_from_db()
    assert application.assigned_to == province.officer_dpmptsp and note.internal


def test_escalation_of_overdue_cases_is_recorded_once(province, submitted):
    application = submitted.application
    Application.objects.filter(pk=application.pk).update(due_date=dt.date(2026, 1, 5))
    assert services.escalate_overdue(today=dt.date(2026, 1, 9)) == 1
    assert services.escalate_overdue(today=dt.date(2026, 1, 9)) == 0  # idempotent
    event = application.events.get(kind=ApplicationEvent.Kind.ESCALATED)
    assert event.internal and "Admin DPMPTSP" in event.message and "4" in event.message
    assert AuditEvent.objects.filter(action="eservices.application_escalate").count() == 1
    # A new step resets the escalation.
    application = drive(application, province.officer_dpmptsp, "mulai_verifikasi")
    assert application.escalated_at is None


def test_cases_waiting_for_the_applicant_are_not_escalated(province, submitted):
    application = drive(submitted.application, province.officer_dpmptsp, "mulai_verifikasi", "minta_perbaikan")
    Application.objects.filter(pk=application.pk).update(due_date=dt.date(2026, 1, 5))
    assert services.escalate_overdue(today=dt.date(2026, 2, 9)) == 0


def test_published_version_stays_with_its_cases(province, info_service, submitted):
    old, _ = new_version(province, info_service, publish=True)
    old.refresh_from_db()
    assert old.status == "diganti"
    submitted.application.refresh_from_db()
    assert submitted.application.version_id == old.pk


def test_only_agency_admins_manage_their_services(province, info_service):
    before = AuditEvent.objects.count()
    for outsider in (province.officer_dpmptsp, province.admin_diskominfo, province.citizen, province.admin_samarinda):
        with pytest.raises(PermissionDenied):
            services.service_update(actor=outsider, service=info_service, data={"name": "Diubah"})
    info_service.refresh_from_db()
    assert info_service.name != "Diubah" and AuditEvent.objects.count() == before


def test_revoking_needs_the_right_and_a_reason(province, submitted):
    application = drive(submitted.application, province.officer_dpmptsp, "mulai_verifikasi", "verifikasi_lengkap")
    application = services.application_act(actor=province.admin_dpmptsp, application=application, action="setujui")
    document = application.document
    with pytest.raises(PermissionDenied):
        services.document_revoke(actor=province.officer_dpmptsp, document=document, reason="salah")
    with pytest.raises(services.ApplicationRefused):
        services.document_revoke(actor=province.admin_dpmptsp, document=document, reason="")
    document.refresh_from_db()
    assert document.revoked_at is None
    services.document_revoke(actor=province.admin_dpmptsp, document=document, reason="Data pemohon keliru")
    document.refresh_from_db()
    assert document.is_revoked and document.revoke_reason == "Data pemohon keliru"
