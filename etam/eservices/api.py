"""Electronic-services API under /api/v1/ (services, applications, document verification).

Answers are sent as JSON in the stored shape (see ``etam.eservices.formengine``); a file
field takes ``{"name": "surat.pdf", "content_base64": "..."}`` and is checked by content
like a web upload. Every invalid answer comes back as 422 with its path, e.g.
``body.answers.anggota[0].nama``. ``POST /applications`` honours ``Idempotency-Key``:
a retried or doubled request returns the first result (``Idempotent-Replayed: true``)
and never creates a second case.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status

from etam.api.auth import require_auth
from etam.api.errors import COMMON_ERRORS, ApiError, ErrorOut
from etam.api.params import Id, Offset, offset_page
from etam.eservices import api_answers, selectors, selectors_api, services, tracking
from etam.eservices.api_answers import MAX_FILE_BYTES
from etam.eservices.definitions import iter_fields
from etam.eservices.models import Application, IssuedDocument, Service
from etam.eservices.submission_form import DeferredStore, process_all
from etam.eservices.verification import verify_submission
from etam.eservices.workflow import Workflow, allowed_actions

router = Router(tags=["eservices"])


# ---------------------------------------------------------------- schemas


class InstitutionRef(Schema):
    code: str
    name: str


class AgencyRef(Schema):
    id: int
    code: str
    name: str


class ServiceOut(Schema):
    id: int
    slug: str
    code: str
    name: str
    summary: str
    sector: str
    fee: int = Field(description="Rupiah; 0 = free")
    sla_days: int = Field(description="Service time in working days")
    output_document: str
    institution: InstitutionRef
    agency: AgencyRef
    url: str


class ServiceDetailOut(ServiceOut):
    eligibility: str
    requirements: list[str]
    legal_basis: list[str]
    contact: str
    version: int
    form: dict[str, Any] = Field(description="The published form definition (form.schema.json)")
    states: dict[str, str] = Field(description="Workflow states and their labels")
    completed_average_working_days: float | None


class ServiceListOut(Schema):
    count: int
    results: list[ServiceOut]


class ApplicationIn(Schema):
    service: Id = Field(description="Service id")
    answers: dict[str, Any]


class DocumentOut(Schema):
    number: str
    status: str
    issued_on: date
    revoked: bool
    download_url: str | None
    verify_url: str


class EventOut(Schema):
    at: datetime
    kind: str
    action: str
    state: str
    message: str


class ApplicationOut(Schema):
    tracking_number: str
    service: int
    service_name: str
    state: str
    state_label: str
    submitted_at: datetime
    due_date: date | None
    service_due_date: date | None
    closed_at: datetime | None
    revision_request: str
    decision_reason: str
    document: DocumentOut | None = None


class ApplicationCreatedOut(ApplicationOut):
    receipt_secret: str = Field(description="Shown here and on the web receipt only; stored as a digest")


class ApplicationDetailOut(ApplicationOut):
    answers: dict[str, Any]
    events: list[EventOut]
    allowed_actions: list[str]


class ApplicationListOut(Schema):
    count: int
    results: list[ApplicationOut]


class ActionIn(Schema):
    action: str = Field(max_length=40)
    reason: str = Field("", max_length=4000)


class VerifyIn(Schema):
    qr: str | None = Field(None, max_length=4000, description="The QR text (URL with #ETAM1… or the token)")
    pdf_base64: str | None = Field(None, description="The PDF file, base64")


class VerifyDocumentOut(Schema):
    number: str
    code: str
    service: str
    institution: str
    agency: str
    holder_name: str
    issued_on: str
    revoked: bool
    revoked_at: str | None
    revoke_reason: str | None
    issued_on_display: str = Field("", description="The issue date as printed, dd/mm/yyyy")


class VerifySignerOut(Schema):
    name: str
    nip: str
    position: str
    signed_at: str = Field(description="dd/mm/yyyy HH:MM, local time, from the timestamp")
    timestamped: bool
    certificate_valid_then: bool


class VerifyOut(Schema):
    valid: bool
    verdict: str = Field(description="genuine | changed | not_etam | revoked_document | revoked_certificate | nothing")
    message: str = Field(description="The verdict in plain words, in the request's language (Indonesian first)")
    checks: dict[str, bool]
    errors: list[str]
    document: VerifyDocumentOut | None
    signer: VerifySignerOut | None = None


# ---------------------------------------------------------------- helpers


def _service_out(service: Service) -> dict[str, Any]:
    return {
        "id": service.pk,
        "slug": service.slug,
        "code": service.code,
        "name": service.name,
        "summary": service.summary,
        "sector": service.sector,
        "fee": service.fee,
        "sla_days": service.sla_days,
        "output_document": service.output_document,
        "institution": {"code": service.institution.region_code, "name": service.institution.name},
        "agency": {"id": service.agency_id, "code": service.agency.code, "name": service.agency.name},
        "url": reverse("eservices:service_detail", args=[service.slug]),
    }


def _document_out(document: IssuedDocument | None, application: Application) -> dict[str, Any] | None:
    if document is None:
        return None
    issued = document.status == IssuedDocument.Status.ISSUED
    return {
        "number": document.number,
        "status": document.status,
        "issued_on": document.issued_on,
        "revoked": document.is_revoked,
        "download_url": reverse("eservices:document", args=[application.tracking_number]) if issued else None,
        "verify_url": reverse("eservices:verify", args=[document.code]),
    }


_UNKNOWN: Any = object()


def _application_out(application: Application, *, document: Any = _UNKNOWN) -> dict[str, Any]:
    workflow = Workflow(application.version.workflow)
    if document is _UNKNOWN:
        try:
            document = application.document
        except IssuedDocument.DoesNotExist:
            document = None
    return {
        "tracking_number": application.tracking_number,
        "service": application.service_id,
        "service_name": application.service.name,
        "state": application.state,
        "state_label": workflow.state_label(application.state),
        "submitted_at": application.submitted_at,
        "due_date": application.due_date,
        "service_due_date": application.service_due_date,
        "closed_at": application.closed_at,
        "revision_request": application.revision_request,
        "decision_reason": application.decision_reason,
        "document": _document_out(document, application),
    }


def _validate_answers(user: Any, service: Service, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers checked page by page as the web form checks them; uploads are stored
    only once every page passed (``submission_form.clean_submission``)."""
    version = service.published_version
    assert version is not None
    form = version.form
    known = {spec["name"] for page in form["pages"] for spec in page["fields"]}
    data, files, problems = api_answers.to_form_data(form, answers)
    problems += [
        {"path": f"body.answers.{name}", "message": _("%(name)s: not a field of this form.") % {"name": name}}
        for name in sorted(set(answers) - known)
    ]
    # Uploads wait until every answer passed; the whole-form checks run in application_submit.
    deferred = DeferredStore()
    result = process_all(form, data, files, store=deferred.store(), check_all=False)
    problems += [{"path": api_answers.html_path(name), "message": msg} for name, msg in result.errors.items()]
    if problems:
        raise ApiError(422, "validation_error", _("Some answers are invalid; see the list of fields."), problems)
    return deferred.resolve(result.answers, services.file_store_for(user))


def _refused(refused: services.ApplicationRefused) -> ApiError:
    if "action" in refused.errors:
        return ApiError(409, "action_not_allowed", refused.errors["action"])
    if "Idempotency-Key" in refused.errors:
        return ApiError(
            422,
            "idempotency_key_reused",
            refused.errors["Idempotency-Key"],
            [{"path": "header.Idempotency-Key", "message": refused.errors["Idempotency-Key"]}],
        )
    fields = [
        {"path": "body.reason" if name == "reason" else api_answers.html_path(name), "message": message}
        for name, message in refused.errors.items()
    ]
    return ApiError(422, "validation_error", _("Some input is invalid; see the list of fields."), fields)


# ---------------------------------------------------------------- services


@router.get("/services", response={200: ServiceListOut, **COMMON_ERRORS}, auth=None, summary="Search the catalogue")
def list_services(
    request: HttpRequest,
    q: str = Query("", max_length=200),
    sector: str = Query("", max_length=24),
    institution: str = Query("", max_length=13, description="Region code of the instansi, e.g. 64.72"),
    agency: Id | None = None,
    limit: int = Query(50, ge=1, le=100),
    offset: Offset = 0,
) -> dict[str, Any]:
    qs = selectors.catalogue(q=q, sector=sector, institution=institution, agency=str(agency or ""))
    return offset_page(qs, offset, limit, _service_out)


@router.get(
    "/services/{service_id}", response={200: ServiceDetailOut, **COMMON_ERRORS}, auth=None, summary="One service"
)
def get_service(request: HttpRequest, service_id: int) -> dict[str, Any]:
    service = selectors.public_services().select_related("published_version").filter(pk=service_id).first()
    if service is None or service.published_version is None:
        raise Http404
    version = service.published_version
    workflow = Workflow(version.workflow)
    summary = selectors.completion_summary(service)
    return {
        **_service_out(service),
        "eligibility": service.eligibility,
        "requirements": service.requirement_list,
        "legal_basis": service.legal_basis_list,
        "contact": service.contact,
        "version": version.number,
        "form": version.form,
        "states": {state: workflow.state_label(state) for state in workflow.states},
        "completed_average_working_days": summary["average_days"],
    }


# ---------------------------------------------------------------- applications


@router.post(
    "/applications",
    response={201: ApplicationCreatedOut, **COMMON_ERRORS, 409: ErrorOut},
    auth=require_auth,
    summary="Submit an application (idempotent with Idempotency-Key)",
)
def create_application(
    request: HttpRequest,
    response: HttpResponse,
    payload: ApplicationIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=80),
) -> Status[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    key = (idempotency_key or "").strip() or None
    digest = services.submission_digest(payload.service, payload.answers)
    # This process's copy of the service is used without reading its stamp first: the
    # statement taking the number checks it (ADR 0169). When it no longer holds, or the
    # answers fail against the copy, the stamp is read and the submission made once more.
    loaded = selectors_api.loaded_service(payload.service)
    if loaded is not None:
        try:
            return _create(user, response, loaded[0], payload.answers, key, digest, guard=loaded[1])
        except (tracking.GuardFailed, _Unverified):
            pass
    service = selectors_api.open_service(payload.service)
    return _create(user, response, service, payload.answers, key, digest, guard=None)


class _Unverified(Exception):
    """Answers refused against a copy of the service whose stamp was not read."""


def _create(
    user: Any,
    response: HttpResponse,
    service: Service | None,
    raw_answers: dict[str, Any],
    key: str | None,
    digest: str,
    *,
    guard: tuple[str, list[Any]] | None,
) -> Status[dict[str, Any]]:
    if service is None or not service.is_open:
        raise ApiError(
            422,
            "validation_error",
            _("Some input is invalid; see the list of fields."),
            [{"path": "body.service", "message": _("service: no open service with this id.")}],
        )
    # Look for an earlier submission with this key up front only when the request carries
    # files (so a retry does not store them twice); otherwise the unique constraint finds it.
    has_files = _has_files(service, raw_answers)
    try:
        replay = (
            services.submission_replay(actor=user, idempotency_key=key, request_digest=digest)
            if key and has_files
            else None
        )
        if replay is None:
            try:
                answers = _validate_answers(user, service, raw_answers)
            except ApiError:
                if guard is not None:
                    raise _Unverified from None
                raise
            replay = services.application_submit(
                actor=user,
                service=service,
                answers=answers,
                idempotency_key=key,
                request_digest=digest,
                check_replay=False,
                from_draft=False,
                guard=guard,
            )
    except services.ApplicationRefused as refused:
        if guard is not None:
            raise _Unverified from None
        raise _refused(refused) from None
    if not replay.created:
        response["Idempotent-Replayed"] = "true"
    body = _application_out(replay.application, document=None if replay.created else _UNKNOWN)
    return Status(201, {**body, "receipt_secret": replay.receipt_secret})


def _has_files(service: Service, answers: dict[str, Any]) -> bool:
    version = service.published_version
    assert version is not None
    for _page, spec, group in iter_fields(version.form):
        if spec["type"] != "file":
            continue
        if group is None and answers.get(spec["name"]) is not None:
            return True
        if group is not None and isinstance(answers.get(group["name"]), list):
            return True
    return False


@router.get(
    "/applications", response={200: ApplicationListOut, **COMMON_ERRORS}, auth=require_auth, summary="My applications"
)
def list_applications(request: HttpRequest, limit: int = Query(50, ge=1, le=100), offset: Offset = 0) -> dict[str, Any]:
    qs = selectors.applications_of(request.auth)  # type: ignore[attr-defined]
    return offset_page(qs.select_related("document"), offset, limit, _application_out)


def _detail(user: Any, application: Application) -> dict[str, Any]:
    workflow = Workflow(application.version.workflow)
    staff = application.applicant_id != user.pk
    events = application.events.all() if staff else application.events.filter(internal=False)
    answers = application.all_answers()
    return {
        **_application_out(application),
        "answers": answers,
        "events": [
            {
                "at": e.at,
                "kind": e.kind,
                "action": e.action,
                "state": e.to_state,
                "message": e.message,
            }
            for e in events.order_by("at", "id")
        ],
        "allowed_actions": [a.name for a in allowed_actions(user, application, workflow)],
    }


@router.get(
    "/applications/{tracking_number}",
    response={200: ApplicationDetailOut, **COMMON_ERRORS},
    auth=require_auth,
    summary="One application (own, or of your OPD)",
)
def get_application(request: HttpRequest, tracking_number: str) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return _detail(user, selectors_api.visible_application(user, tracking_number))


@router.post(
    "/applications/{tracking_number}/actions",
    response={200: ApplicationDetailOut, **COMMON_ERRORS, 409: ErrorOut},
    auth=require_auth,
    summary="Take a workflow action",
)
def act(request: HttpRequest, tracking_number: str, payload: ActionIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    application = selectors_api.visible_application(user, tracking_number)
    try:
        application = services.application_act(
            actor=user, application=application, action=payload.action, reason=payload.reason
        )
    except services.ApplicationRefused as refused:
        raise _refused(refused) from None
    except PermissionDenied as denied:
        raise ApiError(403, "permission_denied", str(denied)) from None
    return _detail(user, selectors_api.visible_application(user, tracking_number))


# ---------------------------------------------------------------- documents


@router.post(
    "/documents/verify",
    response={200: VerifyOut, **COMMON_ERRORS},
    auth=None,
    summary="Verify a document (QR text and/or PDF) with revocation",
)
def verify(request: HttpRequest, payload: VerifyIn) -> dict[str, Any]:
    if not payload.qr and not payload.pdf_base64:
        raise ApiError(
            422,
            "validation_error",
            _("Some input is invalid; see the list of fields."),
            [{"path": "body", "message": _("Send qr, pdf_base64, or both.")}],
        )
    pdf = None
    if payload.pdf_base64:
        try:
            pdf = base64.b64decode(payload.pdf_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(
                422,
                "validation_error",
                _("Some input is invalid; see the list of fields."),
                [{"path": "body.pdf_base64", "message": _("pdf_base64: not valid base64.")}],
            ) from None
        if len(pdf) > MAX_FILE_BYTES:
            raise ApiError(413, "payload_too_large", _("PDF: larger than 20 MB."))
    return verify_submission(qr=payload.qr, pdf=pdf)
