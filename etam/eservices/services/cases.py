"""Working a case: workflow actions, signing, assignment, notes, revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from etam.core import audit, crypto
from etam.core.actors import Actor, Person
from etam.core.models import Role
from etam.core.permissions import Scope, has_perm
from etam.eservices import formengine, hooks, notifications, tracking, workdays
from etam.eservices.models import (
    Application,
    ApplicationEvent,
    IssuedDocument,
    UploadedFile,
)
from etam.eservices.permissions import PERM_PROCESS, PERM_REVOKE, PERM_SIGN
from etam.eservices.services._base import (
    ApplicationRefused,
    _check_staff,
)
from etam.eservices.workflow import Workflow, actor_roles, staff_roles_over


@sensitive_variables("passphrase")
def application_act(
    *,
    actor: Person,
    application: Application,
    action: str,
    reason: str = "",
    answers: dict[str, Any] | None = None,
    passphrase: str = "",
) -> Application:
    """Take a workflow action. Refused (nothing changes) when the action does not leave
    the current state, the actor holds none of its roles over the case, or a required
    reason is missing. The applicant's correction (``answers``) replaces the answers.

    A step that issues a document is taken only by a signing official (penandatangan
    grant over the OPD, a signing identity). With ``passphrase`` the document is signed
    at once; a refused signature refuses the whole action. Without it, or when the
    signing service is down, the case moves on and the document waits in "to sign"
    (``application.signing_deferred`` says so). The passphrase goes nowhere else."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .select_related("version", "service", "applicant", "agency__institution")
            .get(pk=application.pk)
        )
        workflow = Workflow(locked.version.workflow)
        step = workflow.actions.get(action)
        if step is None or locked.state not in step.sources:
            raise ApplicationRefused(
                {
                    "action": _("The action “%(action)s” is not possible while the application is “%(state)s”.")
                    % {"action": step.label_text if step else action, "state": workflow.state_label(locked.state)}
                }
            )
        roles = actor_roles(actor, locked)
        if not (step.roles & roles):
            raise PermissionDenied(_("Your role may not take this action on this application."))
        if not step.by_applicant:
            _check_staff(actor, locked)
        if step.reason_required and not reason:
            raise ApplicationRefused({"reason": _("Reason: write why, so the applicant knows what to do.")})
        if step.issues_document:
            require_signatory(actor, locked)
        before = {"state": locked.state, "assigned_to": locked.assigned_to_id}
        now = timezone.now()
        today = timezone.localdate(now)
        if step.by_applicant and answers is not None:
            problems = formengine.validate_all(locked.version.form, answers)
            if problems:
                raise ApplicationRefused(problems)
            public, protected = formengine.split_protected(locked.version.form, answers)
            locked.answers, locked.protected_answers = public, protected or None
            nik = formengine.first_of_type(locked.version.form, answers, "nik")
            phone = formengine.first_of_type(locked.version.form, answers, "phone")
            locked.nik_digest = crypto.lookup_digest(nik, kind="nik") if nik else ""
            locked.phone_digest = crypto.lookup_digest(phone, kind="phone") if phone else ""
            locked.holder_name = (formengine.holder_name(locked.version.form, answers) or locked.holder_name)[:200]
            file_ids = formengine.file_ids(locked.version.form, answers)
            if file_ids:
                UploadedFile.objects.filter(pk__in=file_ids, owner=actor, application__isnull=True).update(
                    application=locked
                )
        from_state, to_state = locked.state, step.target
        locked.state = to_state
        locked.state_entered_at = now
        locked.escalated_at = None
        state_sla = workflow.sla_days(to_state)
        if workflow.is_terminal(to_state):
            locked.closed_at = now
            locked.due_date = None
            taken = workdays.working_days_between(timezone.localdate(locked.submitted_at), today)
            locked.working_days_taken = taken
            locked.met_sla = bool(locked.service_due_date and today <= locked.service_due_date)
            locked.decision_reason = reason
        else:
            locked.due_date = workdays.add_working_days(today, state_sla) if state_sla is not None else None
        if to_state and workflow.waiting_for(to_state) == "applicant":
            locked.revision_request = reason
        elif step.by_applicant:
            locked.revision_request = ""
        locked.save()
        notes = hooks.case_finished(locked) if workflow.is_terminal(to_state) else []
        kind = ApplicationEvent.Kind.RESUBMITTED if step.by_applicant else ApplicationEvent.Kind.ACTION
        ApplicationEvent.objects.create(
            application=locked,
            at=now,
            actor=actor,
            actor_label=str(actor)[:200],
            kind=kind,
            action=step.name,
            from_state=from_state,
            to_state=to_state,
            message=reason,
        )
        audit.record(
            actor=actor,
            action="eservices.application_act",
            target=locked,
            before=before,
            after={"state": to_state, "action": step.name, "reason": reason},
        )
        locked.signing_deferred = False
        if step.issues_document:
            document = _document_prepare(locked, today, actor)
            if passphrase:
                locked.signing_deferred = not _sign_now(document, passphrase)
            else:
                locked.signing_deferred = True
        event = "state_changed"
        if workflow.waiting_for(to_state) == "applicant" and not workflow.is_terminal(to_state):
            event = "revision_requested"
        elif workflow.outcome(to_state) == "approved":
            event = "approved"
        elif workflow.outcome(to_state) == "rejected":
            event = "rejected"
        notifications.queue(
            locked,
            event,
            {"state": workflow.state_label(to_state), "reason": reason, "action": step.label_text, "notes": notes},
        )
    return locked


def signing_identity(actor: Actor) -> Any:
    from etam.core.models import SigningIdentity

    pk = getattr(actor, "pk", None)
    return SigningIdentity.objects.filter(user_id=pk).first() if pk is not None else None


def require_signatory(actor: Actor, application: Application) -> None:
    """Only an official with the penandatangan grant over the case's OPD and a signing
    identity may take a step that issues a document."""
    scope = Scope(application.institution_id, application.agency_id)
    if not has_perm(actor, PERM_SIGN, scope) or Role.SIGNATORY not in staff_roles_over(actor, scope):
        raise PermissionDenied(_("Only a signing official (penandatangan) of this OPD may approve and sign."))
    if signing_identity(actor) is None:
        raise PermissionDenied(_("You have no signing identity (NIK, NIP, position): ask your administrator."))


def signing_error_message(exc: Exception) -> str:
    from etam.eservices.signing import pki

    code = getattr(exc, "code", 0)
    if code == pki.WRONG_PASSPHRASE:
        return _("Passphrase: the signing service says the passphrase is wrong. Nothing was signed.")
    if code == pki.UNKNOWN_NIK:
        return _("Passphrase: your NIK is not registered at the signing service. Ask your administrator.")
    if code == pki.CERTIFICATE_REVOKED:
        return _("Passphrase: your electronic certificate is revoked at the signing service. Nothing was signed.")
    return _("Passphrase: the signing service refused the request. Nothing was signed.")


@sensitive_variables("passphrase")
def _sign_now(document: IssuedDocument, passphrase: str) -> bool:
    """True when signed; False when the service is down (the document stays to sign).
    A refusal raises ``ApplicationRefused`` so the caller's transaction rolls back."""
    from etam.eservices import documents
    from etam.eservices.signing.signer import SigningRefused, SigningUnavailable

    try:
        documents.sign_and_issue(document, passphrase=passphrase)
    except SigningRefused as exc:
        raise ApplicationRefused({"passphrase": signing_error_message(exc)}) from None
    except SigningUnavailable:
        return False
    return True


def _document_prepare(application: Application, today: date, signer: Any) -> IssuedDocument:
    template = application.version.document_template
    sequence = application.tracking_number.rsplit("-", 1)[-1]
    prefix = template.get("number_prefix") or application.service.code
    number = f"{prefix}/{sequence}/{application.agency.code}-{application.agency.institution.region_code}/{today.year}"
    identity = signing_identity(signer)
    return IssuedDocument.objects.create(
        application=application,
        number=number,
        code=tracking.verification_code(),
        holder_name=application.holder_name,
        issued_on=today,
        status=IssuedDocument.Status.TO_SIGN,
        signer=signer,
        signer_name=str(signer)[:150],
        signer_nip=identity.nip if identity else "",
        signer_position=(identity.position if identity else "")[:200],
    )


@dataclass
class SigningOutcome:
    signed: list[IssuedDocument]
    waiting: list[IssuedDocument]


@sensitive_variables("passphrase")
def documents_sign(*, actor: Actor, documents_: list[IssuedDocument], passphrase: str) -> SigningOutcome:
    """Sign several documents from the official's "to sign" list with one passphrase
    entry. Each document is its own transaction; a refusal stops the batch (the same
    passphrase would be refused again) and is raised as ``ApplicationRefused``."""
    outcome = SigningOutcome([], [])
    if not passphrase:
        raise ApplicationRefused({"passphrase": _("Passphrase: enter your signing passphrase.")})
    for document in documents_:
        if document.signer_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("This document waits for another official's signature."))
        require_signatory(actor, document.application)
        if document.status == IssuedDocument.Status.ISSUED:
            continue
        with transaction.atomic():
            signed = _sign_now(document, passphrase)
        (outcome.signed if signed else outcome.waiting).append(document)
        if not signed:
            # The service is down: no point hammering it for the rest of the batch.
            outcome.waiting += [d for d in documents_ if d not in outcome.signed and d not in outcome.waiting]
            break
    return outcome


def application_assign(*, actor: Person, application: Application, assignee: Any | None) -> Application:
    _check_staff(actor, application)
    if assignee is not None and not has_perm(
        assignee, PERM_PROCESS, Scope(application.institution_id, application.agency_id)
    ):
        raise ApplicationRefused({"assignee": _("Assignee: this person does not handle applications of this OPD.")})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = locked.assigned_to_id
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to", "updated_at"])
        ApplicationEvent.objects.create(
            application=locked,
            actor=actor,
            actor_label=str(actor)[:200],
            kind=ApplicationEvent.Kind.ASSIGNED,
            message=str(assignee) if assignee else _("(unassigned)"),
            internal=True,
        )
        audit.record(
            actor=actor,
            action="eservices.application_assign",
            target=locked,
            before={"assigned_to": before},
            after={"assigned_to": assignee.pk if assignee else None},
        )
    return locked


def application_note(*, actor: Person, application: Application, text: str) -> ApplicationEvent:
    _check_staff(actor, application)
    text = (text or "").strip()
    if not text:
        raise ApplicationRefused({"note": _("Note: write something.")})
    with transaction.atomic():
        event = ApplicationEvent.objects.create(
            application=application,
            actor=actor,
            actor_label=str(actor)[:200],
            kind=ApplicationEvent.Kind.NOTE,
            message=text[:4000],
            internal=True,
        )
        audit.record(actor=actor, action="eservices.application_note", target=application, after={"note": event.pk})
    return event


def document_revoke(*, actor: Person, document: IssuedDocument, reason: str) -> IssuedDocument:
    application = document.application
    if not has_perm(actor, PERM_REVOKE, Scope(application.institution_id, application.agency_id)):
        raise PermissionDenied(_("You do not have permission for this action."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationRefused({"reason": _("Reason: write why the document is revoked.")})
    with transaction.atomic():
        locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
        if locked.revoked_at:
            raise ApplicationRefused({"document": _("This document is already revoked.")})
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.revoke_reason = reason[:2000]
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        ApplicationEvent.objects.create(
            application=application,
            actor=actor,
            actor_label=str(actor)[:200],
            kind=ApplicationEvent.Kind.DOCUMENT_REVOKED,
            message=reason,
        )
        audit.record(
            actor=actor,
            action="eservices.document_revoke",
            target=application,
            object_type="eservices.issueddocument",
            object_id=locked.pk,
            object_repr=locked.number,
            after={"revoked": True, "reason": reason},
        )
    return locked
