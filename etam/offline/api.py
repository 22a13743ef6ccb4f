"""The outbox protocol under /api/v1/offline/ (docs/adr/0060).

A device sends each outbox item with its own ``Idempotency-Key`` (a UUID made on the
device when the citizen pressed *Kirim*). Files go first, in pieces, to
``/offline/uploads/{key}`` (resumable: ``GET`` says how many bytes arrived); then the item
goes to ``POST /offline/applications``. A retry of any step is harmless.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from etam.api.auth import require_auth
from etam.api.errors import COMMON_ERRORS, ApiError, ErrorOut
from etam.api.params import Id, Offset, offset_page
from etam.eservices.submission_form import FormData
from etam.eservices.workflow import Workflow
from etam.offline import selectors, services
from etam.offline.models import ChunkedUpload

router = Router(tags=["offline"])


class SessionOut(Schema):
    user: int | None = Field(description="The signed-in user's id, or null")
    name: str
    csrf_token: str
    assisted_entry: bool
    import_bundles: bool


class AssistedIn(Schema):
    citizen_name: str = Field(max_length=200)
    nik: str = Field("", max_length=32)
    phone: str = Field("", max_length=32)
    consent: bool
    consent_text: str = Field("", max_length=2000)
    consent_at: str = Field("", max_length=40, description="ISO 8601, the device's clock")
    place: str = Field("", max_length=200)


class ItemIn(Schema):
    service: Id
    version: Id | None = Field(None, description="The form version the item was filled in")
    fields: list[list[str]] = Field(description="The form's name/value pairs, as the browser would post them")
    files: dict[str, str] = Field(default_factory=dict, description="Field name → completed upload key")
    assisted: AssistedIn | None = None


class ItemOut(Schema):
    tracking_number: str
    receipt_secret: str
    state: str
    state_label: str
    version: int
    replayed: bool
    case_url: str


class UploadIn(Schema):
    key: str = Field(max_length=120)
    service: int
    field: str = Field(max_length=120)
    name: str = Field(max_length=200)
    size: int = Field(ge=1)
    sha256: str = Field(max_length=64)


class UploadOut(Schema):
    key: str
    size: int
    received: int
    complete: bool
    refused: bool
    error: str


class DeviceKeyIn(Schema):
    public_key: str = Field(max_length=64, description="Ed25519 raw public key, base64url")
    label: str = Field("", max_length=100)


class DeviceKeyOut(Schema):
    key_id: str
    label: str


class AssistedOut(Schema):
    tracking_number: str
    service_name: str
    citizen_name: str
    state: str
    state_label: str
    channel: str
    received_at: str


class AssistedListOut(Schema):
    count: int
    results: list[AssistedOut]


def _error(refused: services.Refused) -> ApiError:
    fields = [{"path": _path(name), "message": message} for name, message in refused.fields.items()]
    return ApiError(refused.status, refused.code, refused.message, fields)


@contextmanager
def _refusals() -> Iterator[None]:
    """A service's refusal, answered as the API's error envelope."""
    try:
        yield
    except services.Refused as refused:
        raise _error(refused) from None


def _path(name: str) -> str:
    if name in {"Idempotency-Key"}:
        return "header.Idempotency-Key"
    if name.startswith("assisted.") or name in {"service", "version"}:
        return f"body.{name}"
    return f"body.fields.{name}"


@router.get("/session", response={200: SessionOut}, auth=None, summary="Who is signed in, and a CSRF token")
def session(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    user = request.user
    response["Cache-Control"] = "no-store"
    signed_in = bool(user.is_authenticated)
    return {
        "user": user.pk if signed_in else None,
        "name": (getattr(user, "full_name", "") or str(user)) if signed_in else "",
        "csrf_token": get_token(request),
        "assisted_entry": signed_in and services.can_assist(user),
        "import_bundles": signed_in and services.can_import(user),
    }


@router.post(
    "/applications",
    response={200: ItemOut, 201: ItemOut, **COMMON_ERRORS, 409: ErrorOut, 413: ErrorOut},
    auth=require_auth,
    summary="File one outbox item (idempotent with Idempotency-Key)",
)
def file_item(
    request: HttpRequest,
    response: HttpResponse,
    payload: ItemIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=120),
) -> Status:
    user = request.auth  # type: ignore[attr-defined]
    try:
        intake = services.application_intake(
            actor=user,
            service_id=payload.service,
            version_number=payload.version,
            fields=FormData.from_pairs(payload.fields),
            idempotency_key=idempotency_key,
            uploads=payload.files,
            assisted=payload.assisted.dict() if payload.assisted else None,
        )
    except services.Refused as refused:
        raise _error(refused) from None
    except PermissionDenied as denied:
        raise ApiError(403, "permission_denied", str(denied)) from None
    application = intake.application
    if not intake.created:
        response["Idempotent-Replayed"] = "true"
    return Status(
        201 if intake.created else 200,
        {
            "tracking_number": application.tracking_number,
            "receipt_secret": intake.receipt_secret,
            "state": application.state,
            "state_label": Workflow(application.version.workflow).state_label(application.state),
            "version": intake.version_number,
            "replayed": not intake.created,
            "case_url": reverse("eservices:case", args=[application.tracking_number]),
        },
    )


def _upload_out(upload: ChunkedUpload) -> dict[str, Any]:
    return {
        "key": upload.upload_key,
        "size": upload.size,
        "received": upload.received,
        "complete": upload.status == ChunkedUpload.Status.COMPLETE,
        "refused": upload.status == ChunkedUpload.Status.REFUSED,
        "error": upload.error,
    }


@router.post(
    "/uploads",
    response={200: UploadOut, **COMMON_ERRORS, 413: ErrorOut},
    auth=require_auth,
    summary="Start (or look up) a resumable upload",
)
def upload_start(request: HttpRequest, payload: UploadIn) -> dict[str, Any]:
    with _refusals():
        upload = services.upload_start(
            actor=request.auth,  # type: ignore[attr-defined]
            upload_key=payload.key,
            service_id=payload.service,
            field_path=payload.field,
            name=payload.name,
            size=payload.size,
            sha256=payload.sha256,
        )
    return _upload_out(upload)


@router.get("/uploads/{key}", response={200: UploadOut, **COMMON_ERRORS}, auth=require_auth, summary="How much arrived")
def upload_status(request: HttpRequest, key: str) -> dict[str, Any]:
    upload = selectors.upload_of(request.auth, key)  # type: ignore[attr-defined]
    if upload is None:
        raise ApiError(404, "not_found", _("No such upload; start it again."))
    return _upload_out(upload)


@router.put(
    "/uploads/{key}",
    response={200: UploadOut, **COMMON_ERRORS, 409: ErrorOut, 413: ErrorOut},
    auth=require_auth,
    summary="Send one piece (raw bytes) at ?offset=",
)
def upload_piece(request: HttpRequest, key: str, offset: int = Query(..., ge=0)) -> dict[str, Any]:
    with _refusals():
        upload = services.upload_append(
            actor=request.auth,  # type: ignore[attr-defined]
            upload_key=key,
            offset=offset,
            data=request.body,
        )
    return _upload_out(upload)


@router.post(
    "/device-keys",
    response={200: DeviceKeyOut, **COMMON_ERRORS},
    auth=require_auth,
    summary="Register this device's bundle-signing key (officers)",
)
def register_device_key(request: HttpRequest, payload: DeviceKeyIn) -> dict[str, Any]:
    try:
        key = services.device_key_register(
            actor=request.auth,  # type: ignore[attr-defined]
            public_key=payload.public_key,
            label=payload.label,
        )
    except PermissionDenied as denied:
        raise ApiError(403, "permission_denied", str(denied)) from None
    except ValidationError as invalid:
        raise ApiError(
            422,
            "validation_error",
            _("Some input is invalid; see the list of fields."),
            [{"path": "body.public_key", "message": "; ".join(invalid.messages)}],
        ) from None
    return {"key_id": key.key_id, "label": key.label}


@router.get(
    "/assisted",
    response={200: AssistedListOut, **COMMON_ERRORS},
    auth=require_auth,
    summary="Applications I entered for citizens",
)
def assisted_list(request: HttpRequest, limit: int = Query(50, ge=1, le=200), offset: Offset = 0) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    if not services.can_assist(user):
        raise ApiError(403, "permission_denied", _("Only officers with the assisted-entry role may see this."))
    return offset_page(selectors.assisted_by(user), offset, limit, selectors.assisted_row)
