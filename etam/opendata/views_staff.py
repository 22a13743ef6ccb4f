"""Staff pages for produsen data and walidata (``/staf/data/``). Thin over services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etam.core.actors import Actor, PersonRequest
from etam.core.formerrors import apply_service_errors, service_form_page
from etam.core.permissions import has_perm
from etam.core.staff_access import require_any_perm as _require_any
from etam.opendata import charts, forms, query, selectors, services
from etam.opendata import permissions as perms
from etam.opendata.models import Dataset, DatasetVersion, IndicatorMetadata

FORM_TEMPLATE = "opendata/staff/form.html"


def _dataset(request: HttpRequest, pk: int) -> Dataset:
    return selectors.staff_dataset(request.user, pk)


def _version(request: HttpRequest, pk: int) -> DatasetVersion:
    return selectors.staff_version(request.user, pk)


@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    _require_any(request, perms.VIEW_UNPUBLISHED)
    datasets = selectors.staff_dataset_list(request.user)
    return render(
        request,
        "opendata/staff/list.html",
        {"datasets": datasets, "can_draft": has_perm(request.user, perms.DRAFT)},
    )


@login_required
def dataset_create(request: PersonRequest) -> HttpResponse:
    _require_any(request, perms.DRAFT)
    agencies = forms.agencies_for(request.user, perms.DRAFT)
    form = forms.DatasetForm(request.POST or None, agencies=agencies)
    return service_form_page(
        request,
        form,
        lambda: services.dataset_create(
            actor=request.user,
            agency=form.cleaned_data["agency"],
            tags=form.cleaned_data["tags"],
            **form.dataset_fields(),
        ),
        None,
        template=FORM_TEMPLATE,
        context={"title": _("New dataset")},
        on_success=lambda dataset: redirect("opendata:staff_dataset", pk=dataset.pk),
    )


@login_required
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = _dataset(request, pk)
    versions = dataset.versions.select_related("resource").order_by("-number")  # type: ignore[attr-defined]
    open_version = services.open_version(dataset)
    return render(
        request,
        "opendata/staff/dataset.html",
        {
            "dataset": dataset,
            "versions": versions,
            "indicators": dataset.indicators.all(),  # type: ignore[attr-defined]
            "can_draft": has_perm(request.user, perms.DRAFT, dataset),
            "access_requests": selectors.access_requests(dataset)[:10],
            "open_version": open_version,
            "problems": services.standard_problems(open_version) if open_version is not None else [],
        },
    )


@login_required
def dataset_edit(request: PersonRequest, pk: int) -> HttpResponse:
    dataset = _dataset(request, pk)
    if not (has_perm(request.user, perms.DRAFT, dataset) or has_perm(request.user, perms.REVIEW, dataset)):
        raise PermissionDenied
    form = forms.DatasetForm(request.POST or None, instance=selectors.staff_dataset_copy(request.user, dataset))

    def saved(_result: Any) -> HttpResponse:
        if form.dataset_fields().get("access", dataset.access) != dataset.access:
            messages.info(
                request,
                _(
                    "The wider access waits for walidata review; until it is approved the dataset "
                    "keeps its current access. Other changes are saved."
                ),
            )
        return redirect("opendata:staff_dataset", pk=dataset.pk)

    return service_form_page(
        request,
        form,
        lambda: services.dataset_update(
            actor=request.user, dataset=dataset, tags=form.cleaned_data["tags"], **form.dataset_fields()
        ),
        None,
        template=FORM_TEMPLATE,
        context={"title": _("Edit dataset"), "dataset": dataset},
        on_success=saved,
    )


def _metadata_page(
    request: HttpRequest, pk: int, make_form: Callable[[Any, Dataset], BaseForm], save: Callable[..., Any], title: str
) -> HttpResponse:
    """MS-Keg and MS-Ind pages: the produsen or the walidata of the dataset fills a form, a service saves it."""
    dataset = _dataset(request, pk)
    if not (has_perm(request.user, perms.DRAFT, dataset) or has_perm(request.user, perms.REVIEW, dataset)):
        raise PermissionDenied
    form = make_form(request.POST or None, dataset)
    return service_form_page(
        request,
        form,
        lambda: save(actor=request.user, dataset=dataset, **form.cleaned_data),
        None,
        template=FORM_TEMPLATE,
        context={"title": title, "dataset": dataset},
        on_success=lambda _result: redirect("opendata:staff_dataset", pk=dataset.pk),
    )


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _metadata_page(
        request,
        pk,
        lambda data, dataset: forms.ActivityForm(data, instance=getattr(dataset, "activity", None)),
        services.activity_update,
        _("Activity metadata (MS-Keg)"),
    )


@login_required
def indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _metadata_page(
        request,
        pk,
        lambda data, dataset: forms.IndicatorForm(data, instance=IndicatorMetadata(dataset=dataset)),
        services.indicator_save,
        _("Indicator metadata (MS-Ind)"),
    )


@login_required
def upload(request: PersonRequest, pk: int) -> HttpResponse:
    dataset = _dataset(request, pk)
    if not has_perm(request.user, perms.DRAFT, dataset):
        raise PermissionDenied
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    return service_form_page(
        request,
        form,
        lambda: services.version_upload(
            actor=request.user,
            dataset=dataset,
            upload=form.cleaned_data["file"],
            change_note=form.cleaned_data["change_note"],
            encoding=form.cleaned_data["encoding"],
            delimiter=form.cleaned_data["delimiter"],
        ),
        None,
        template=FORM_TEMPLATE,
        context={"title": _("Upload data"), "dataset": dataset, "multipart": True},
        on_success=lambda version: redirect("opendata:staff_version", pk=version.pk),
    )


def _draft_preview(version: DatasetVersion, actor: Actor) -> list[dict[str, Any]]:
    resource = selectors.draft_resource(actor, version)
    if resource is None:
        return []
    table = selectors.draft_table(actor, version, resource)
    records = query.search(table, limit=10, include_total=False, fields=table.names)["records"]
    types = dict(table.columns)
    return [{k: charts.format_cell(v, types.get(k, "")) for k, v in r.items()} for r in records]


def _rule_labels() -> dict[str, str]:
    return {
        "required": _("Required value"),
        "type": _("Type"),
        "minimum": _("Minimum"),
        "maximum": _("Maximum"),
        "reference": _("Reference code"),
        "columns": _("Number of fields in the row"),
        "encoding": _("Text encoding"),
        "nonexistent_date": _("Date that does not exist"),
    }


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    columns = list(version.columns.order_by("position"))  # type: ignore[attr-defined]
    summary = dict(version.error_summary or {})
    labels = _rule_labels()
    summary["by_column"] = [
        {**t, "rule_label": labels.get(t.get("rule", ""), t.get("rule", ""))} for t in summary.get("by_column", [])
    ]
    summary["inferred"] = [
        {**c, "rules": [{**r, "rule_label": labels.get(r.get("rule", ""), "")} for r in c.get("rules", [])]}
        for c in summary.get("inferred", [])
    ]
    return render(
        request,
        "opendata/staff/version.html",
        {
            "version": version,
            "dataset": version.dataset,
            "columns": columns,
            "summary": summary,
            "preview": _draft_preview(version, request.user),
            "can_draft": has_perm(request.user, perms.DRAFT, version),
            "can_review": has_perm(request.user, perms.REVIEW, version),
            "problems": services.standard_problems(version) if version.status != "published" else [],
        },
    )


@login_required
def columns_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if not has_perm(request.user, perms.DRAFT, version):
        raise PermissionDenied
    queryset = selectors.version_columns(request.user, version)
    formset = forms.ColumnFormSet(request.POST or None, queryset=queryset)
    error = ""
    if request.method == "POST" and formset.is_valid():
        changes = {f.instance.name: {k: f.cleaned_data[k] for k in forms.COLUMN_FORM_FIELDS} for f in formset.forms}
        try:
            services.columns_update(actor=request.user, version=version, changes=changes)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("opendata:staff_version", pk=version.pk)
    return render(
        request,
        "opendata/staff/columns.html",
        {"formset": formset, "version": version, "dataset": version.dataset, "error": error},
    )


@login_required
@require_POST
def version_submit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    try:
        services.version_submit(actor=request.user, version=version)
    except ValidationError as exc:
        from django.contrib import messages

        messages.error(request, " ".join(exc.messages))
    return redirect("opendata:staff_version", pk=version.pk)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _require_any(request, perms.REVIEW)
    return render(
        request,
        "opendata/staff/review_queue.html",
        {
            "versions": selectors.review_queue(request.user),
            "access_requests": selectors.access_review_queue(request.user),
        },
    )


@login_required
def access_review(request: PersonRequest, pk: int) -> HttpResponse:
    """A walidata approves or refuses a request to widen a dataset's access."""
    access_request = selectors.access_request_for(request.user, pk)
    dataset = access_request.dataset
    if not has_perm(request.user, perms.REVIEW, dataset):
        raise PermissionDenied
    form = forms.AccessReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.access_request_approve(
                    actor=request.user, request=access_request, comment=form.cleaned_data["comment"]
                )
            else:
                services.access_request_refuse(
                    actor=request.user, request=access_request, comment=form.cleaned_data["comment"]
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("opendata:staff_review")
    published = selectors.published_versions(request.user, dataset)
    return render(
        request,
        "opendata/staff/access_review.html",
        {
            "form": form,
            "access_request": access_request,
            "dataset": dataset,
            "published": published,
            "problems": services.access_problems(dataset, access_request.access),
        },
    )


@login_required
def version_review(request: PersonRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if not has_perm(request.user, perms.REVIEW, version):
        raise PermissionDenied
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "publish":
                services.version_publish(actor=request.user, version=version, comment=form.cleaned_data["comment"])
            else:
                services.version_return(actor=request.user, version=version, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("opendata:staff_review")
    columns = list(version.columns.order_by("position"))  # type: ignore[attr-defined]
    return render(
        request,
        "opendata/staff/review.html",
        {
            "form": form,
            "version": version,
            "dataset": version.dataset,
            "columns": columns,
            "preview": _draft_preview(version, request.user),
            "problems": services.standard_problems(version),
            "widened": services.widened_columns(version),
        },
    )


@login_required
def error_file(request: HttpRequest, pk: int) -> FileResponse:
    version = _version(request, pk)
    if not version.error_file:
        raise Http404
    return FileResponse(version.error_file.open("rb"), as_attachment=True, filename=f"galat-v{version.number}.csv")
