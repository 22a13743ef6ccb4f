"""Staff pages for frameworks (list, import, publish, export, schema) and the import of earlier results."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from etam.core.actors import PersonRequest
from etam.core.formerrors import apply_service_errors
from etam.core.permissions import has_perm
from etam.evaluation import exchange, forms, reports, selectors, services
from etam.evaluation import permissions as perms


@login_required
def import_results(request: PersonRequest) -> HttpResponse:
    institutions = selectors.manageable_institutions(request.user)
    if not has_perm(request.user, perms.MANAGE):
        raise PermissionDenied
    form = forms.ImportResultsForm(request.POST or None, request.FILES or None, institutions=institutions)
    row_errors: list[reports.RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            evaluation = services.results_import(
                actor=request.user,
                institution=form.cleaned_data["institution"],
                framework=form.cleaned_data["framework"],
                period=form.cleaned_data["period"],
                upload=upload.file,
                filename=upload.name,
            )
        except reports.ResultsImportError as exc:
            row_errors = exc.errors
            form.add_error("file", _("%(n)s problems in the file; nothing was imported.") % {"n": len(row_errors)})
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Results imported as evaluation %(name)s.") % {"name": evaluation})
            return redirect("evaluation:detail", pk=evaluation.pk)
    return render(
        request,
        "evaluation/import.html",
        {"form": form, "row_errors": row_errors},
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- frameworks


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    can_edit = has_perm(request.user, perms.MANAGE_FRAMEWORK)
    if not (can_edit or has_perm(request.user, perms.VIEW) or has_perm(request.user, perms.MANAGE)):
        raise PermissionDenied
    form = forms.FrameworkImportForm(request.POST or None, request.FILES or None) if can_edit else None
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        if action in ("new_version", "publish"):
            framework = selectors.framework_for(request.user, forms.posted_pk(request.POST.get("framework")))
            try:
                if action == "new_version":
                    framework = services.framework_new_version(actor=request.user, framework=framework)
                    messages.success(request, _("Draft %(name)s created.") % {"name": framework})
                else:
                    services.framework_publish(actor=request.user, framework=framework)
                    messages.success(request, _("%(name)s published.") % {"name": framework})
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("evaluation:frameworks")
        if form is not None and form.is_valid():
            try:
                data = json.load(form.cleaned_data["file"])
                framework = services.framework_import(actor=request.user, data=data)
            except (json.JSONDecodeError, UnicodeDecodeError):
                form.add_error("file", _("The file is not valid JSON."))
            except exchange.FrameworkDocError as exc:
                problems = exc.problems
                form.add_error(
                    "file", _("%(n)s problems in the document; nothing was imported.") % {"n": len(problems)}
                )
            else:
                messages.success(request, _("Framework %(name)s imported as a draft.") % {"name": framework})
                return redirect("evaluation:frameworks")
    return render(
        request,
        "evaluation/frameworks.html",
        {"frameworks": selectors.frameworks_list(), "form": form, "problems": problems, "can_edit": can_edit},
        status=400 if form is not None and form.errors else 200,
    )


def framework_export(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = selectors.framework_for(request.user, framework_id)
    body = json.dumps(exchange.export_document(framework), indent=1, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{framework.code}-v{framework.version}.json"'
    return response


def framework_schema(request: HttpRequest) -> HttpResponse:
    return HttpResponse(exchange.schema_text(), content_type="application/schema+json")
