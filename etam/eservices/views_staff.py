"""Staff pages: the officer inbox and case page, service management, statistics."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from etam.core.actors import PersonRequest
from etam.core.formerrors import call_service
from etam.core.models import Agency
from etam.core.permissions import has_perm
from etam.core.staff_access import staff_gate as _staff_only
from etam.eservices import definitions, formengine, hooks, selectors, services, stats, workdays
from etam.eservices.models import Service, ServiceVersion
from etam.eservices.views import _case_context, paginated
from etam.eservices.workflow import Workflow, allowed_actions

PAGE_SIZE = 25


# ======================================================================================
# Inbox


@never_cache
def inbox(request: HttpRequest) -> HttpResponse:
    if (response := _staff_only(request, services.PERM_PROCESS)) is not None:
        return response
    filters = selectors.InboxFilters(
        state=request.GET.get("status", "")[:40],
        service=request.GET.get("layanan", ""),
        assigned=request.GET.get("petugas", ""),
        q=request.GET.get("q", "")[:100],
        show=request.GET.get("tampil", "open") if request.GET.get("tampil") in {"open", "closed", "all"} else "open",
    )
    today = timezone.localdate()
    page, query = paginated(request, selectors.inbox(request.user, filters, today=today), PAGE_SIZE)
    holidays = workdays.holidays_between(today - timedelta(days=400), today + timedelta(days=400))
    rows = []
    badges = hooks.case_badges(application.pk for application in page)
    for application in page:
        workflow = Workflow(application.version.workflow)
        left = (
            workdays.working_days_left(today, application.due_date, holidays)
            if application.due_date and not application.closed_at
            else None
        )
        rows.append(
            {
                "a": application,
                "state": workflow.state_label(application.state),
                "left": left,
                "late": -left if left is not None and left < 0 else 0,
                "badges": badges.get(application.pk, []),
            }
        )
    service_list = list(selectors.inbox_services(request.user))
    states: dict[str, str] = {}
    for service in selectors.services_with_published(service_list):
        if service.published_version:
            workflow = Workflow(service.published_version.workflow)
            for state in workflow.states:
                states.setdefault(state, workflow.state_label(state))
    return render(
        request,
        "eservices/staff/inbox.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "services": service_list,
            "states": sorted(states.items()),
            "query": query,
        },
    )


@sensitive_post_parameters("passphrase")
@never_cache
def staff_case(request: PersonRequest, tracking_number: str) -> HttpResponse:
    if (response := _staff_only(request, services.PERM_VIEW)) is not None:
        return response
    application = selectors.application_for_staff(request.user, tracking_number)
    errors: dict[str, str] = {}
    if request.method == "POST":
        what = request.POST.get("apa", "")
        try:
            if what == "tindakan":
                acted = services.application_act(
                    actor=request.user,
                    application=application,
                    action=request.POST.get("tindakan", ""),
                    reason=request.POST.get("alasan", ""),
                    passphrase=request.POST.get("passphrase", ""),
                )
                messages.success(request, _("Action recorded."))
                if acted.signing_deferred:
                    messages.warning(request, _deferred_message(bool(request.POST.get("passphrase"))))
            elif what == "catatan":
                services.application_note(
                    actor=request.user, application=application, text=request.POST.get("catatan", "")
                )
                messages.success(request, _("Note added."))
            elif what == "tugaskan":
                assignee = selectors.user_by_id(request.POST.get("petugas", ""))
                services.application_assign(actor=request.user, application=application, assignee=assignee)
                messages.success(request, _("Assignment saved."))
            elif what == "cabut":
                document = selectors.document_of(application)
                if document is None:
                    raise Http404
                services.document_revoke(actor=request.user, document=document, reason=request.POST.get("alasan", ""))
                messages.success(request, _("Document revoked."))
            else:
                raise Http404
        except services.ApplicationRefused as refused:
            errors = refused.errors
        else:
            return redirect("eservices:staff_case", tracking_number=tracking_number)
    context = _case_context(application)
    context["events"] = list(selectors.case_events(application))
    workflow = context["workflow"]
    for event in context["events"]:
        event.state_label = workflow.state_label(event.to_state) if event.to_state else ""
        action = workflow.actions.get(event.action)
        event.action_label = action.label_text if action else ""
    context["sections"] = formengine.summarise(application.version.form, application.all_answers(), mask=False)
    left = (
        workdays.working_days_left(timezone.localdate(), application.due_date)
        if application.due_date and not application.closed_at
        else None
    )
    actions = [a for a in allowed_actions(request.user, application) if not a.by_applicant]
    context.update(
        {
            "actions": actions,
            "signs": any(a.issues_document for a in actions),
            "officers": selectors.officers_for(application),
            "errors": errors,
            "may_revoke": has_perm(request.user, services.PERM_REVOKE, application),
            "left": left,
            "late": -left if left is not None and left < 0 else 0,
        }
    )
    return render(request, "eservices/staff/case.html", context)


def _deferred_message(had_passphrase: bool) -> str:
    if had_passphrase:
        return _(
            "The signing service cannot be reached now. The application is approved; the document waits in "
            "“To sign” until you sign it there."
        )
    return _("The application is approved; the document waits in “To sign” for your signature.")


@never_cache
def document_preview(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The document as it will be issued (unsigned, marked as a preview), for the approver."""
    if (response := _staff_only(request, services.PERM_SIGN)) is not None:
        return response
    application = selectors.application_for_staff(request.user, tracking_number)
    services.require_signatory(request.user, application)
    from etam.eservices import documents

    pdf = documents.preview_pdf(application, request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pratinjau-{application.tracking_number}.pdf"'
    return response


@sensitive_post_parameters("passphrase")
@never_cache
def to_sign(request: HttpRequest) -> HttpResponse:
    """The official's documents waiting for their signature; sign several at once."""
    if (response := _staff_only(request, services.PERM_SIGN)) is not None:
        return response
    waiting = list(selectors.documents_to_sign(request.user))
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = {int(pk) for pk in request.POST.getlist("dokumen") if pk.isdigit()}
        picked = [d for d in waiting if d.pk in chosen]
        if not picked:
            errors = {"dokumen": _("Documents: choose at least one document to sign.")}
        else:
            try:
                outcome = services.documents_sign(
                    actor=request.user, documents_=picked, passphrase=request.POST.get("passphrase", "")
                )
            except services.ApplicationRefused as refused:
                errors = refused.errors
            else:
                if outcome.signed:
                    messages.success(request, _("%(n)s document(s) signed and issued.") % {"n": len(outcome.signed)})
                if outcome.waiting:
                    messages.warning(request, _deferred_message(True))
                return redirect("eservices:to_sign")
    return render(request, "eservices/staff/to_sign.html", {"waiting": waiting, "errors": errors})


# ======================================================================================
# Managing services


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["agency", *services.SERVICE_FIELDS]  # what service_create/service_update write

    field_order = ["agency", "name", "code"]  # then the rest in SERVICE_FIELDS order

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.manageable_agencies(user)
        if self.instance.pk:
            field.disabled = True


class VersionForm(forms.Form):
    form = forms.CharField(label=gettext_lazy("Form (JSON)"), widget=forms.Textarea(attrs={"rows": 18}))
    workflow = forms.CharField(label=gettext_lazy("Workflow (JSON)"), widget=forms.Textarea(attrs={"rows": 14}))
    document_template = forms.CharField(
        label=gettext_lazy("Document template (JSON)"), widget=forms.Textarea(attrs={"rows": 8})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("form", "workflow", "document_template"):
            if name in data:
                try:
                    data[name] = json.loads(data[name])
                except json.JSONDecodeError as exc:
                    self.add_error(
                        name, _("%(field)s: not valid JSON (line %(line)s).") % {"field": name, "line": exc.lineno}
                    )
        return data


@never_cache
def staff_services(request: HttpRequest) -> HttpResponse:
    if (response := _staff_only(request, services.PERM_MANAGE)) is not None:
        return response
    return render(request, "eservices/staff/services.html", {"services": selectors.managed_services(request.user)})


@never_cache
def service_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if (response := _staff_only(request, services.PERM_MANAGE)) is not None:
        return response
    service = selectors.managed_service(request.user, pk) if pk else None
    form = ServiceForm(request.POST or None, instance=service, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "agency"}

        def save() -> Service:
            if service is None:
                return services.service_create(actor=request.user, agency=form.cleaned_data["agency"], data=data)
            return services.service_update(actor=request.user, service=service, data=data)

        saved, result = call_service(request, form, save, _("Service saved."))
        if saved:
            return redirect("eservices:service_edit", pk=result.pk)
    versions = selectors.versions_of(service) if service else []
    return render(
        request, "eservices/staff/service_edit.html", {"form": form, "service": service, "versions": versions}
    )


@never_cache
def version_edit(request: PersonRequest, pk: int, number: int | None = None) -> HttpResponse:
    if (response := _staff_only(request, services.PERM_MANAGE)) is not None:
        return response
    service = selectors.managed_service(request.user, pk)
    version = selectors.version_of(service, number) if number else None
    if number and version is None:
        raise Http404
    source = version or selectors.versions_of(service).first()
    initial = {
        "form": json.dumps(source.form if source else {"pages": []}, indent=1, ensure_ascii=False),
        "workflow": json.dumps(
            source.workflow if source else definitions.default_workflow(), indent=1, ensure_ascii=False
        ),
        "document_template": json.dumps(
            source.document_template
            if source
            else {"title": service.output_document or service.name, "body": ["{holder}"]},
            indent=1,
            ensure_ascii=False,
        ),
    }
    form = VersionForm(request.POST or None, initial=initial)
    definition_errors: list[definitions.DefinitionError] = []
    frozen = version is not None and version.status != ServiceVersion.Status.DRAFT
    if request.method == "POST" and not frozen and form.is_valid():
        data = form.cleaned_data
        parts = {key: data[key] for key in ("form", "workflow", "document_template")}
        try:
            if version is None:
                version = services.version_create(actor=request.user, service=service, **parts)
            else:
                version = services.version_update(actor=request.user, version=version, **parts)
            if "terbitkan" in request.POST:
                services.version_publish(actor=request.user, version=version)
                messages.success(request, _("Version %(n)s published.") % {"n": version.number})
                return redirect("eservices:service_edit", pk=service.pk)
        except definitions.InvalidDefinition as invalid:
            definition_errors = invalid.errors
        else:
            messages.success(request, _("Draft saved."))
            return redirect("eservices:version_edit", pk=service.pk, number=version.number)
    return render(
        request,
        "eservices/staff/version_edit.html",
        {
            "service": service,
            "version": version,
            "form": form,
            "definition_errors": definition_errors,
            "frozen": frozen,
        },
    )


@never_cache
def service_export(request: HttpRequest, pk: int) -> JsonResponse:
    if (response := _staff_only(request, services.PERM_MANAGE)) is not None:
        return response  # type: ignore[return-value]
    service = selectors.managed_service(request.user, pk)
    try:
        document = services.service_export(service)
    except ValidationError:
        raise Http404 from None
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="layanan-{service.slug}.json"'
    return response


class ImportForm(forms.Form):
    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(queryset=None, label=gettext_lazy("OPD"))
    definition = forms.FileField(label=gettext_lazy("Service definition (JSON)"))
    publish = forms.BooleanField(required=False, label=gettext_lazy("Publish immediately"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.manageable_agencies(user)


@never_cache
def service_import(request: PersonRequest) -> HttpResponse:
    if (response := _staff_only(request, services.PERM_MANAGE)) is not None:
        return response
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    definition_errors: list[definitions.DefinitionError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["definition"]
        try:
            document = json.loads(upload.read(2 * 1024 * 1024).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            form.add_error("definition", _("Service definition: not a valid JSON file (%(error)s).") % {"error": exc})
        else:
            try:
                saved, service = call_service(
                    request,
                    form,
                    lambda: services.service_import(
                        actor=request.user,
                        agency=form.cleaned_data["agency"],
                        document=document,
                        publish=form.cleaned_data["publish"],
                    ),
                    _("Service imported."),
                )
            except definitions.InvalidDefinition as invalid:
                definition_errors = invalid.errors
            else:
                if saved:
                    return redirect("eservices:service_edit", pk=service.pk)
    return render(
        request, "eservices/staff/service_import.html", {"form": form, "definition_errors": definition_errors}
    )


@require_POST
def service_status(request: HttpRequest, pk: int) -> HttpResponse:
    if (response := _staff_only(request, services.PERM_MANAGE)) is not None:
        return response
    service = selectors.managed_service(request.user, pk)
    try:
        services.service_set_status(actor=request.user, service=service, status=request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("eservices:service_edit", pk=service.pk)


# ======================================================================================
# Statistics


@never_cache
def statistics(request: HttpRequest) -> HttpResponse:
    if (response := _staff_only(request, services.PERM_STATS)) is not None:
        return response
    scope = selectors.statistics_scope(request.user)
    by_service = stats.breakdown(scope, "service")
    by_agency = stats.breakdown(scope, "agency")
    by_institution = stats.breakdown(scope, "institution")
    charts = {
        "submitted": stats.bar_chart(
            [(r.label, r.submitted) for r in by_service], title=_("Applications submitted per service")
        ),
        "median": stats.bar_chart(
            [(r.label, r.median_days) for r in by_service],
            title=_("Median completion time (working days) per service"),
        ),
        "sla": stats.bar_chart(
            [(r.label, r.sla_percent) for r in by_service],
            title=_("Completed within the SLA (%) per service"),
            unit="%",
        ),
    }
    return render(
        request,
        "eservices/staff/statistics.html",
        {"by_service": by_service, "by_agency": by_agency, "by_institution": by_institution, "charts": charts},
    )
