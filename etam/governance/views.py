"""Service desk pages: requests of the OPDs to Diskominfo and the new-application gate.
Thin: parse input, call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etam.core.actors import PersonRequest
from etam.core.formerrors import call_service
from etam.core.lookups import or_404
from etam.core.permissions import has_perm
from etam.core.staff_access import staff_required
from etam.governance import permissions as perms
from etam.governance import selectors, services
from etam.governance.forms import AssignForm, CloseForm, CommentForm, DecisionForm, FileForm, MapForm, RequestForm
from etam.governance.models import RequestKind, RequestStatus
from etam.governance.views_common import chosen, form_page, page_of


@staff_required(perms.VIEW)
def request_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.requests_visible_to(request.user)
    status = request.GET.get("status", "")
    kind = request.GET.get("jenis", "")
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    if kind in RequestKind.values:
        qs = qs.filter(kind=kind)
    return render(
        request,
        "governance/request_list.html",
        {
            "page": page_of(request, qs),
            "status": status,
            "kind": kind,
            "statuses": RequestStatus.choices,
            "kinds": RequestKind.choices,
            "can_file": has_perm(request.user, perms.FILE_REQUEST),
        },
    )


@staff_required(perms.FILE_REQUEST)
def request_create(request: PersonRequest) -> HttpResponse:
    form = RequestForm(
        request.POST or None,
        choices={"agency": selectors.agencies_for(request.user, perms.FILE_REQUEST)},
        reference_codes=selectors.reference_codes(),
    )

    def action(data: dict[str, Any]) -> Any:
        return services.request_file(
            actor=request.user,
            agency=chosen(data, "agency", _("OPD: choose the OPD filing the request.")),
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            proposal={k: data[k] for k in RequestForm.PROPOSAL}
            if data["kind"] == RequestKind.NEW_APPLICATION
            else None,
        )

    return form_page(
        request,
        form,
        action,
        title=_("New request to Diskominfo"),
        success=_("Request filed."),
        to=lambda req: reverse("governance:request_detail", args=[req.pk]),
        back=reverse("governance:request_list"),
    )


def _detail(request: HttpRequest, pk: int, **bound: Any) -> HttpResponse:
    context = or_404(selectors.request_detail, request.user, pk)
    req = context["req"]
    codes = selectors.reference_codes()
    proposal = context["proposal"]
    forms = {
        "comment_form": CommentForm(),
        "file_form": FileForm(),
        "assign_form": AssignForm(choices={"assignee": selectors.handlers_for(request.user, req)})
        if context["can_handle"]
        else None,
        "close_form": CloseForm(),
        "map_form": MapForm(
            initial={"raa_code": proposal.raa_code, "business_process_code": proposal.business_process_code}
            if proposal
            else None,
            reference_codes=codes,
        ),
        "decision_form": DecisionForm(choices={"reuse_application": selectors.applications_for(request.user)}),
    }
    forms.update(bound)
    return render(request, "governance/request_detail.html", {**context, **forms}, status=400 if bound else 200)


@staff_required(perms.VIEW)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


def _post(request: PersonRequest, pk: int, form_name: str, form: Any, call: Any, success: str) -> HttpResponse:
    """A form on the request page: run the service, or show the page again with the form's errors."""
    if form.is_valid() and call_service(request, form, lambda: call(form.cleaned_data), success)[0]:
        return redirect("governance:request_detail", pk=pk)
    return _detail(request, pk, **{form_name: form})


@require_POST
@staff_required(perms.VIEW)
def request_comment(request: PersonRequest, pk: int) -> HttpResponse:
    req = or_404(selectors.request_get, request.user, pk)
    return _post(
        request,
        pk,
        "comment_form",
        CommentForm(request.POST),
        lambda d: services.request_comment(actor=request.user, request=req, body=d["body"]),
        _("Comment added."),
    )


@require_POST
@staff_required(perms.VIEW)
def request_attach(request: PersonRequest, pk: int) -> HttpResponse:
    req = or_404(selectors.request_get, request.user, pk)
    return _post(
        request,
        pk,
        "file_form",
        FileForm(request.POST, request.FILES),
        lambda d: services.request_attach(actor=request.user, request=req, upload=d["file"]),
        _("File attached."),
    )


@require_POST
@staff_required(perms.HANDLE_REQUEST)
def request_assign(request: PersonRequest, pk: int) -> HttpResponse:
    req = or_404(selectors.request_get, request.user, pk)
    form = AssignForm(request.POST, choices={"assignee": selectors.handlers_for(request.user, req)})
    return _post(
        request,
        pk,
        "assign_form",
        form,
        lambda d: services.request_assign(
            actor=request.user, request=req, assignee=chosen(d, "assignee", _("Assignee: choose a person."))
        ),
        _("Request assigned."),
    )


@require_POST
@staff_required(perms.HANDLE_REQUEST)
def request_close(request: PersonRequest, pk: int) -> HttpResponse:
    req = or_404(selectors.request_get, request.user, pk)
    return _post(
        request,
        pk,
        "close_form",
        CloseForm(request.POST),
        lambda d: services.request_close(actor=request.user, request=req, status=d["status"], note=d["note"]),
        _("Request closed."),
    )


@require_POST
@staff_required(perms.HANDLE_REQUEST)
def proposal_map(request: PersonRequest, pk: int) -> HttpResponse:
    proposal = or_404(selectors.proposal_get, request.user, pk)
    return _post(
        request,
        pk,
        "map_form",
        MapForm(request.POST, reference_codes=selectors.reference_codes()),
        lambda d: services.proposal_map(
            actor=request.user,
            proposal=proposal,
            raa_code=d["raa_code"],
            business_process_code=d["business_process_code"],
        ),
        _("Mapping saved; the duplicate check ran again."),
    )


@require_POST
@staff_required(perms.HANDLE_REQUEST)
def proposal_decide(request: PersonRequest, pk: int) -> HttpResponse:
    proposal = or_404(selectors.proposal_get, request.user, pk)
    form = DecisionForm(request.POST, choices={"reuse_application": selectors.applications_for(request.user)})
    return _post(
        request,
        pk,
        "decision_form",
        form,
        lambda d: services.proposal_decide(
            actor=request.user,
            proposal=proposal,
            decision=d["decision"],
            reason=d["reason"],
            reuse_application_id=d["reuse_application"].pk if d["reuse_application"] else None,
        ),
        _("Decision saved."),
    )


@staff_required(perms.VIEW)
def request_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    item = or_404(selectors.request_file_get, request.user, pk, file_pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
