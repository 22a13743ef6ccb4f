"""Service desk: requests, comments, files, and the new-application gate (docs/adr/0140)."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import audit, filetypes
from etam.core.actors import Actor, Person
from etam.core.changes import record_change
from etam.core.fieldvalues import stored_values
from etam.core.models import Agency, User
from etam.core.permissions import has_perm, require
from etam.governance import permissions as perms
from etam.governance.models import (
    SLA_DAYS,
    ApplicationProposal,
    Decision,
    RequestComment,
    RequestFile,
    RequestKind,
    RequestStatus,
    ServiceRequest,
)
from etam.governance.registry import ProposedApplication
from etam.governance.services._common import (
    agency_scope,
    raise_if,
    require_filled,
    the_catalogue,
)

# Working days come from the e-services calendar (its editable holiday table): the one edge
# governance → eservices, listed in pyproject.toml (docs/adr/0140).
from etam.eservices.workdays import add_working_days  # isort: skip

FILE_KINDS = {kind: filetypes.CONTENT_TYPES[kind] for kind in ("pdf", "jpeg", "png", "xlsx", "docx")}
MAX_FILE_BYTES = 10 * 1024 * 1024

NEEDS_ANALYSIS = {
    "name": "Nama aplikasi",
    "purpose": "Tujuan",
    "legal_basis": "Dasar hukum",
    "problem": "Permasalahan",
    "scope": "Ruang lingkup",
    "cost_benefit": "Analisis biaya-manfaat",
    "initial_risk": "Analisis risiko awal",
}
PROPOSAL_FIELDS = [*NEEDS_ANALYSIS, "acronym", "audit_findings", "datasets", "raa_code", "business_process_code"]


def _proposed(proposal: ApplicationProposal) -> ProposedApplication:
    return ProposedApplication(
        name=proposal.name,
        purpose=proposal.purpose,
        acronym=proposal.acronym,
        business_process_code=proposal.business_process_code,
        datasets=tuple(str(d) for d in proposal.datasets or ()),
    )


def _check_mapping(raa_code: str, bp_code: str, errors: dict[str, list[str]]) -> None:
    cat = the_catalogue()
    if raa_code and raa_code not in {code for code, _label in cat.reference_codes()}:
        errors["raa_code"] = [_("Application reference code: choose a code of the reference architecture.")]
    if bp_code and cat.business_process_problem(bp_code):
        errors["business_process_code"] = [
            _("Business process code: not a code of the reference architecture (e.g. 09.04.01).")
        ]


def _run_duplicate_check(proposal: ApplicationProposal) -> None:
    matches = the_catalogue().similar(_proposed(proposal))
    proposal.duplicate_matches = [m.as_json() for m in matches]
    proposal.duplicate_checked_at = timezone.now()


def request_file(
    *, actor: Person, agency: Agency, kind: str, title: str, description: str, proposal: dict[str, Any] | None = None
) -> ServiceRequest:
    """An OPD files a request; a new application carries its needs analysis and is checked for
    duplicates at once."""
    require(actor, perms.FILE_REQUEST, agency_scope(agency))
    errors = require_filled({"title": title, "description": description}, {"title": "Judul", "description": "Uraian"})
    if kind not in RequestKind.values:
        errors["kind"] = [_("Kind: choose one of the request kinds.")]
    data = dict(proposal or {})
    if kind == RequestKind.NEW_APPLICATION:
        errors.update(require_filled(data, NEEDS_ANALYSIS))
        _check_mapping(str(data.get("raa_code") or ""), str(data.get("business_process_code") or ""), errors)
    raise_if(errors)
    today = timezone.localdate()
    sla = SLA_DAYS[RequestKind(kind)]
    with transaction.atomic():
        req = ServiceRequest.objects.create(
            institution_id=agency.institution_id,
            agency=agency,
            kind=kind,
            title=title.strip(),
            description=description.strip(),
            filed_by=actor,
            sla_days=sla,
            filed_on=today,
            due_on=add_working_days(today, sla),
        )
        after = stored_values(req, ["kind", "title", "agency", "sla_days", "due_on"])
        if kind == RequestKind.NEW_APPLICATION:
            prop = ApplicationProposal(request=req)
            for name in PROPOSAL_FIELDS:
                if name in data and data[name] is not None:
                    value = data[name]
                    setattr(prop, name, value.strip() if isinstance(value, str) else value)
            _run_duplicate_check(prop)
            prop.save()
            after["duplicates"] = len(prop.duplicate_matches)
        audit.record(actor=actor, action="governance.request_file", target=req, after=after)
    return req


def _handle(actor: Actor, req: ServiceRequest) -> None:
    require(actor, perms.HANDLE_REQUEST, req)


def request_assign(*, actor: Person, request: ServiceRequest, assignee: User) -> ServiceRequest:
    _handle(actor, request)
    if not has_perm(assignee, perms.HANDLE_REQUEST, request):
        raise ValidationError({"assignee": [_("Assignee: this person does not handle requests of this OPD.")]})
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        before = stored_values(locked, ["assignee", "status"])
        locked.assignee = assignee
        if locked.status == RequestStatus.FILED:
            locked.status = RequestStatus.IN_PROGRESS
        locked.save(update_fields=["assignee", "status"])
        record_change(actor, "governance.request_assign", locked, ["assignee", "status"], before=before)
    return locked


def _may_take_part(actor: Actor, req: ServiceRequest) -> None:
    if not (has_perm(actor, perms.FILE_REQUEST, req) or has_perm(actor, perms.HANDLE_REQUEST, req)):
        raise PermissionDenied(_("You do not have permission for this action."))


def request_comment(*, actor: Person, request: ServiceRequest, body: str) -> RequestComment:
    _may_take_part(actor, request)
    raise_if(require_filled({"body": body}, {"body": "Komentar"}))
    with transaction.atomic():
        comment = RequestComment.objects.create(request=request, author=actor, body=body.strip())
        audit.record(actor=actor, action="governance.request_comment", target=request, after={"comment": comment.pk})
    return comment


def request_attach(*, actor: Person, request: ServiceRequest, upload: Any) -> RequestFile:
    """A file on a request: PDF, image, XLSX or DOCX by content (``core.filetypes``), ≤ 10 MB."""
    _may_take_part(actor, request)
    if upload is None:
        raise ValidationError({"file": [_("File: choose a file.")]})
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"file": [_("File: at most 10 MB.")]})
    stream: IO[bytes] = upload
    kind = filetypes.sniff(stream, FILE_KINDS)
    if kind is None:
        raise ValidationError({"file": [_("File: only PDF, JPEG, PNG, XLSX or DOCX.")]})
    digest = filetypes.sha256(stream)
    with transaction.atomic():
        stored = RequestFile(request=request, name=str(upload.name)[:200], kind=kind, sha256=digest, uploaded_by=actor)
        stored.file.save(f"{digest[:16]}.{kind}", upload, save=False)
        stored.save()
        audit.record(
            actor=actor, action="governance.request_attach", target=request, after={"file": stored.name, "kind": kind}
        )
    return stored


def request_close(*, actor: Person, request: ServiceRequest, status: str, note: str) -> ServiceRequest:
    """Done or rejected, with a note. A proposal is closed by its decision instead."""
    _handle(actor, request)
    errors = require_filled({"note": note}, {"note": "Catatan"})
    if status not in (RequestStatus.DONE, RequestStatus.REJECTED):
        errors["status"] = [_("Status: choose done or rejected.")]
    if request.kind == RequestKind.NEW_APPLICATION:
        errors["status"] = [_("Status: a new-application proposal is closed by its decision.")]
    raise_if(errors)
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        before = {"status": locked.status}
        locked.status, locked.closed_at = status, timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        RequestComment.objects.create(request=locked, author=actor, body=note.strip())
        audit.record(
            actor=actor, action="governance.request_close", target=locked, before=before, after={"status": status}
        )
    return locked


def proposal_map(
    *, actor: Person, proposal: ApplicationProposal, raa_code: str, business_process_code: str
) -> ApplicationProposal:
    """Diskominfo maps the proposal to the reference architecture; the duplicate check runs again."""
    require(actor, perms.HANDLE_REQUEST, proposal)
    errors = require_filled({"raa_code": raa_code}, {"raa_code": "Kode referensi aplikasi"})
    _check_mapping(raa_code, business_process_code.strip(), errors)
    if proposal.decision:
        errors["decision"] = [_("Decision: this proposal has been decided already.")]
    raise_if(errors)
    with transaction.atomic():
        locked = ApplicationProposal.objects.select_for_update().select_related("request").get(pk=proposal.pk)
        before = stored_values(locked, ["raa_code", "business_process_code"])
        locked.raa_code, locked.business_process_code = raa_code, business_process_code.strip()
        _run_duplicate_check(locked)
        locked.save()
        record_change(
            actor,
            "governance.proposal_map",
            locked,
            ["raa_code", "business_process_code"],
            before=before,
            also={"duplicates": len(locked.duplicate_matches)},
            target=locked.request,
        )
    return locked


def proposal_decide(
    *,
    actor: Person,
    proposal: ApplicationProposal,
    decision: str,
    reason: str,
    reuse_application_id: int | None = None,
) -> ApplicationProposal:
    """Approve (creates the inventory entry in status ``rencana``), reject, or reuse an existing
    application; the reasons are required."""
    require(actor, perms.HANDLE_REQUEST, proposal)
    errors = require_filled({"reason": reason}, {"reason": "Alasan"})
    if decision not in Decision.values:
        errors["decision"] = [_("Decision: choose approve, reject or reuse.")]
    if proposal.decision:
        errors["decision"] = [_("Decision: this proposal has been decided already.")]
    if decision == Decision.APPROVE and not proposal.raa_code:
        errors["raa_code"] = [_("Application reference code: map the proposal to the reference architecture first.")]
    reuse = None
    if decision == Decision.REUSE:
        reuse = (
            the_catalogue().applications(actor).filter(pk=reuse_application_id).first()
            if reuse_application_id
            else None
        )
        if reuse is None:
            errors["reuse_application"] = [_("Application to reuse: choose an application you can see.")]
    raise_if(errors)
    with transaction.atomic():
        locked = ApplicationProposal.objects.select_for_update().select_related("request__agency").get(pk=proposal.pk)
        req = locked.request
        if decision == Decision.APPROVE:
            locked.created_application_id = the_catalogue().create_planned(
                actor=actor, agency=req.agency, proposal=_proposed(locked), raa_code=locked.raa_code
            )
        locked.decision, locked.decision_reason = decision, reason.strip()
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.reuse_application = reuse
        locked.save()
        req.status = RequestStatus.REJECTED if decision == Decision.REJECT else RequestStatus.DONE
        req.closed_at = locked.decided_at
        req.save(update_fields=["status", "closed_at"])
        audit.record(
            actor=actor,
            action="governance.proposal_decide",
            target=req,
            after={
                "decision": decision,
                "reason": locked.decision_reason,
                "reuse_application": reuse.pk if reuse else None,
                "created_application": locked.created_application_id,
                "duplicates": len(locked.duplicate_matches),
            },
        )
    return locked
