"""Staff pages of the standar pelayanan: the list of the OPD's services, the editor of one
service's standard with the OPD's maklumat pelayanan, and the penandatangan's page signing the
maklumat (ADR 0139)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from etam.core.actors import PersonRequest
from etam.core.bounds import parse_id
from etam.core.staff_access import staff_required
from etam.quality import permissions, selectors, services, standards


@staff_required(permissions.MANAGE_STANDARD)
def standard_list(request: PersonRequest) -> HttpResponse:
    return render(request, "quality/standard_list.html", {"services": selectors.services_for_standard(request.user)})


@staff_required(permissions.MANAGE_STANDARD)
def standard_edit(request: PersonRequest, service_id: int, number: int | None = None) -> HttpResponse:
    """The standard of the published version, or (``number``) of the draft the composer links to."""
    service = selectors.service_for_standard(request.user, service_id)
    version = selectors.standard_version(service, number) if service else None
    if service is None or version is None:
        raise Http404
    row = selectors.standard_for(service, version)
    charter = selectors.charter_for(service.agency_id)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
        try:
            if request.POST.get("form") == "maklumat":
                services.charter_save(
                    actor=request.user,
                    agency=service.agency,
                    text=values.get("text", ""),
                    signed_by_name=values.get("signed_by_name", ""),
                )
            else:
                services.standard_save(actor=request.user, service=service, data=request.POST, version=version)
        except ValidationError as exc:
            errors = {key: " ".join(v) for key, v in exc.message_dict.items()}
        else:
            messages.success(request, _("Saved."))
            return redirect(request.path)
    else:
        values = {
            name: "" if getattr(row, name, None) is None else str(getattr(row, name)) for name in standards.EDITABLE
        }
        values.update(
            {"text": charter.text if charter else "", "signed_by_name": charter.signed_by_name if charter else ""}
        )
    context = {
        "service": service,
        "version": version,
        "carried_from": row.version.number if row and row.version_id != version.pk else None,
        "components": standards.components(service, version.workflow, row),
        "values": values,
        "errors": errors,
        "labels": {source: name for _n, name, source in standards.COMPONENTS},
        "editable": standards.EDITABLE,
    }
    return render(request, "quality/standard_edit.html", context, status=422 if errors else 200)


@sensitive_post_parameters("passphrase")
@staff_required(permissions.SIGN_CHARTER)
def charter_sign(request: PersonRequest) -> HttpResponse:
    """The maklumat of the official's OPDs, each with its signature state and a passphrase form."""
    charters = list(selectors.charters_to_sign(request.user))
    errors: dict[str, str] = {}
    failed: int | None = None
    status = 200
    if request.method == "POST":
        charter = selectors.charter_to_sign(request.user, parse_id(request.POST.get("charter")) or 0)
        if charter is None:
            raise Http404
        failed = charter.pk
        try:
            services.charter_sign(actor=request.user, charter=charter, passphrase=request.POST.get("passphrase", ""))
        except ValidationError as exc:
            errors, status = {key: " ".join(v) for key, v in exc.message_dict.items()}, 422
        except services.CharterSigningUnavailable as exc:
            errors, status = {"service": str(exc)}, 503
        except PermissionDenied as exc:  # no signing identity
            errors, status = {"service": str(exc)}, 403
        else:
            messages.success(request, _("The service pledge is signed."))
            return redirect("quality:charter_sign")
    context = {"charters": charters, "errors": errors, "failed": failed}
    return render(request, "quality/charter_sign.html", context, status=status)


@staff_required(permissions.HANDLE_COMPLAINT)
def complaint_list(request: PersonRequest) -> HttpResponse:
    rows = selectors.complaints_for(request.user)[:200]
    return render(request, "quality/complaint_list.html", {"complaints": rows, "today": timezone.localdate()})


@staff_required(permissions.HANDLE_COMPLAINT)
def complaint_detail(request: PersonRequest, complaint_id: int) -> HttpResponse:
    complaint = selectors.complaint_for(request.user, complaint_id)
    if complaint is None:
        raise Http404
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.complaint_act(
                actor=request.user,
                complaint=complaint,
                action=request.POST.get("action", ""),
                answer=request.POST.get("answer", ""),
            )
        except ValidationError as exc:
            errors = {key: " ".join(v) for key, v in exc.message_dict.items()}
        else:
            messages.success(request, _("Saved."))
            return redirect("quality:complaint", complaint_id=complaint.pk)
    context = {"complaint": complaint, "errors": errors, "answer": request.POST.get("answer", "")}
    return render(request, "quality/complaint_detail.html", context, status=422 if errors else 200)
