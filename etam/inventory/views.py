"""HTML views of the inventory: thin — parse input, call a selector or service, render."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from etam.core import exports
from etam.core.actors import PersonRequest
from etam.core.bounds import parse_id
from etam.core.formerrors import apply_service_errors, service_form_page
from etam.core.lookups import or_404
from etam.core.permissions import has_perm
from etam.core.staff_access import login_url as _login_url
from etam.core.staff_access import staff_required
from etam.inventory import imports, selectors, services
from etam.inventory import permissions as perms
from etam.inventory.forms import (
    AccessPointForm,
    ApplicationForm,
    DataCentreForm,
    DuplicateDecisionForm,
    NationalApplicationForm,
    NetworkLinkForm,
    RetireForm,
    UploadForm,
    VillageForm,
)
from etam.inventory.models import (
    AccessPoint,
    ApplicationKind,
    Coverage,
    DuplicateStatus,
    Hosting,
    ImportBatch,
    Lifecycle,
)

PAGE_SIZE = 50


def _page(request: HttpRequest, qs: Any, size: int) -> tuple[Any, str]:
    """The requested page of a list, and the list's other query parameters (for the page links)."""
    query = request.GET.copy()
    query.pop("halaman", None)
    return Paginator(qs, size).get_page(request.GET.get("halaman")), query.urlencode()


def _filters(request: HttpRequest) -> selectors.ApplicationFilter:
    g = request.GET
    return selectors.ApplicationFilter(
        q=g.get("q", "").strip()[:100],
        institution_id=parse_id(g.get("instansi")),
        agency_id=parse_id(g.get("opd")),
        kind=g.get("jenis", "") if g.get("jenis") in ApplicationKind.values else "",
        lifecycle=g.get("status", "") if g.get("status") in Lifecycle.values else "",
        hosting=g.get("hosting", "") if g.get("hosting") in Hosting.values else "",
        national_application_id=parse_id(g.get("aplikasi_umum")),
    )


# --- Applications -----------------------------------------------------------------------------


@staff_required(perms.VIEW_APPLICATION)
def application_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    qs = selectors.application_list(request.user, filters)
    page, query = _page(request, qs, PAGE_SIZE)
    return render(
        request,
        "inventory/application_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "agencies": selectors.agencies_visible_for_filter(request.user),
            "institutions": selectors.institutions_visible_to(request.user),
            "kinds": ApplicationKind.choices,
            "lifecycles": Lifecycle.choices,
            "hostings": Hosting.choices,
            "can_create": has_perm(request.user, perms.MANAGE_APPLICATION),
        },
    )


@staff_required(perms.VIEW_APPLICATION)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = or_404(selectors.application_get, request.user, pk)
    flags = selectors.duplicate_flags_visible_to(request.user).filter(
        application=app
    ) | selectors.duplicate_flags_visible_to(request.user).filter(other=app)
    return render(
        request,
        "inventory/application_detail.html",
        {
            "app": app,
            "history": selectors.application_history(app),
            "flags": flags.order_by("-score")[:20],
            "can_edit": selectors.can_manage(request.user, app),
            "retire_form": RetireForm(),
        },
    )


@staff_required(perms.MANAGE_APPLICATION)
def application_create(request: HttpRequest) -> HttpResponse:
    return _application_form(request, None)


@staff_required(perms.MANAGE_APPLICATION)
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_form(
        request, or_404(selectors.application_get, request.user, pk, perm=perms.MANAGE_APPLICATION)
    )


def _application_form(request: HttpRequest, app: Any) -> HttpResponse:
    """The application form: a new one (``app`` None) or an edit; both save through the services."""
    form = ApplicationForm(request.POST or None, instance=app, actor=request.user)

    def save() -> Any:
        if app is None:
            return services.application_create(actor=request.user, data=form.cleaned_data)
        services.application_update(actor=request.user, application=app, data=form.cleaned_data)
        return app

    return service_form_page(
        request,
        form,
        save,
        _("Application saved."),
        template="inventory/application_form.html",
        context={"app": app},
        on_success=lambda saved: redirect("inventory:application_detail", pk=saved.pk),
    )


@require_POST
@staff_required(perms.MANAGE_APPLICATION)
def application_retire(request: HttpRequest, pk: int) -> HttpResponse:
    app = or_404(selectors.application_get, request.user, pk, perm=perms.MANAGE_APPLICATION)
    form = RetireForm(request.POST)
    if form.is_valid():
        services.application_retire(actor=request.user, application=app, reason=form.cleaned_data["reason"])
        messages.success(request, _("Application retired."))
    else:
        messages.error(request, _("Reason: say why the application is retired."))
    return redirect("inventory:application_detail", pk=app.pk)


@staff_required(perms.VIEW_APPLICATION)
def application_export(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = selectors.application_list(request.user, _filters(request))
    rows = exports.safe_rows(imports.export_rows(qs.iterator(chunk_size=1000)))
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("aplikasi")
        for row in rows:
            ws.append(row)
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerows(rows)
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aplikasi-spbe.{fmt}"'
    return response


@staff_required(perms.MANAGE_APPLICATION)
def application_import(request: PersonRequest) -> HttpResponse:
    return _upload(request, ImportBatch.Kind.APPLICATIONS, "inventory/import_upload.html")


def _upload(request: PersonRequest, kind: str, template: str) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.stage(actor=request.user, kind=kind, filename=upload.name, raw=upload.read())
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("inventory:import_batch", pk=batch.pk)
    columns = (
        imports.APPLICATION_COLUMNS
        if kind == ImportBatch.Kind.APPLICATIONS
        else [(c, c) for c in imports.CONNECTIVITY_COLUMNS]
    )
    return render(request, template, {"form": form, "kind": kind, "columns": [c for c, _f in columns]})


def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), _login_url())
    batch = selectors.import_batch_for(request.user, pk)
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            services.import_batch_cancel(actor=request.user, batch=batch)
            return redirect("inventory:import_batch", pk=batch.pk)
        try:
            count = imports.commit(actor=request.user, batch=batch, only_valid=request.POST.get("only_valid") == "1")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(n)d rows imported.") % {"n": count})
            return redirect("inventory:import_batch", pk=batch.pk)
    return render(request, "inventory/import_batch.html", {"batch": batch, "error": error})


# --- Duplicates ------------------------------------------------------------------------------------


@staff_required(perms.VIEW_APPLICATION)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", DuplicateStatus.OPEN)
    if status not in DuplicateStatus.values and status != "semua":
        status = DuplicateStatus.OPEN
    qs = selectors.duplicate_flags_visible_to(request.user, status="" if status == "semua" else status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "inventory/duplicate_list.html",
        {
            "page": page,
            "status": status,
            "statuses": DuplicateStatus.choices,
            "can_run": has_perm(request.user, perms.REVIEW_DUPLICATES),
        },
    )


@staff_required(perms.VIEW_APPLICATION)
def duplicate_detail(request: PersonRequest, pk: int) -> HttpResponse:
    flag = or_404(selectors.duplicate_flag_get, request.user, pk)
    form = DuplicateDecisionForm(request.POST or None, initial={"status": flag.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.duplicate_decide(
                actor=request.user, flag=flag, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("inventory:duplicate_detail", pk=flag.pk)
    return render(
        request,
        "inventory/duplicate_detail.html",
        {
            "flag": flag,
            "form": form,
            "can_decide": has_perm(request.user, perms.REVIEW_DUPLICATES),
        },
    )


@require_POST
@staff_required(perms.REVIEW_DUPLICATES)
def duplicate_run(request: HttpRequest) -> HttpResponse:
    services.duplicates_run_request(actor=request.user)
    messages.success(request, _("Duplicate detection has been scheduled; results appear here when it finishes."))
    return redirect("inventory:duplicate_list")


@staff_required(perms.VIEW_APPLICATION)
def rationalisation_report(request: HttpRequest) -> HttpResponse:
    return render(request, "inventory/rationalisation.html", {"rows": selectors.rationalisation_report(request.user)})


# --- National Aplikasi Umum ------------------------------------------------------------------------


@staff_required(perms.VIEW_APPLICATION)
def national_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inventory/national_list.html",
        {
            "items": selectors.national_applications(),
            "can_edit": has_perm(request.user, perms.MANAGE_NATIONAL_APPS),
        },
    )


@staff_required(perms.MANAGE_NATIONAL_APPS)
def national_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = selectors.national_application_for(request.user, pk) if pk else None
    form = NationalApplicationForm(request.POST or None, instance=instance)
    return service_form_page(
        request,
        form,
        lambda: services.national_application_save(actor=request.user, data=form.cleaned_data, instance=instance),
        _("Saved."),
        template="inventory/simple_form.html",
        context={"title": _("National Aplikasi Umum")},
        on_success=lambda _saved: redirect("inventory:national_list"),
    )


# --- Infrastructure -------------------------------------------------------------------------------------


@staff_required(perms.VIEW_APPLICATION)
def datacentre_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inventory/datacentre_list.html",
        {
            "items": selectors.data_centres_visible_to(request.user),
            "links": selectors.network_links_visible_to(request.user),
            "can_edit": has_perm(request.user, perms.MANAGE_INFRASTRUCTURE),
        },
    )


@staff_required(perms.VIEW_APPLICATION)
def datacentre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dc = get_object_or_404(selectors.data_centres_visible_to(request.user), pk=pk)
    return render(
        request,
        "inventory/datacentre_detail.html",
        {
            "dc": dc,
            "apps": selectors.applications_visible_to(request.user).filter(data_centre=dc).order_by("name"),
            "links": selectors.network_links_visible_to(request.user).filter(data_centre=dc),
            "can_edit": has_perm(request.user, perms.MANAGE_INFRASTRUCTURE, dc),
        },
    )


def _infrastructure_edit(
    visible: Callable[[Any], Any], form_class: Any, save: Callable[..., Any], detail: str, title: Any
) -> Callable[..., HttpResponse]:
    """The create/edit page of a data centre or a network link: the same steps for both."""

    @staff_required(perms.MANAGE_INFRASTRUCTURE)
    def view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
        instance = get_object_or_404(visible(request.user), pk=pk) if pk else None
        if instance is not None and not has_perm(request.user, perms.MANAGE_INFRASTRUCTURE, instance):
            raise Http404
        form = form_class(request.POST or None, instance=instance, actor=request.user)
        return service_form_page(
            request,
            form,
            lambda: save(actor=request.user, data=form.cleaned_data, instance=instance),
            _("Saved."),
            template="inventory/simple_form.html",
            context={"title": title},
            on_success=lambda obj: redirect(detail, pk=obj.pk),
        )

    return view


datacentre_edit = _infrastructure_edit(
    selectors.data_centres_visible_to,
    DataCentreForm,
    services.data_centre_save,
    "inventory:datacentre_detail",
    gettext_lazy("Data centre / server room"),
)
link_edit = _infrastructure_edit(
    selectors.network_links_visible_to,
    NetworkLinkForm,
    services.network_link_save,
    "inventory:link_detail",
    gettext_lazy("Network link (jaringan intra)"),
)


@staff_required(perms.VIEW_APPLICATION)
def link_detail(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(selectors.network_links_visible_to(request.user), pk=pk)
    apps = (
        selectors.applications_visible_to(request.user).filter(data_centre=link.data_centre).order_by("name")
        if link.data_centre_id
        else []
    )
    return render(
        request,
        "inventory/link_detail.html",
        {
            "link": link,
            "apps": apps,
            "can_edit": has_perm(request.user, perms.MANAGE_INFRASTRUCTURE, link),
        },
    )


# --- Village connectivity ----------------------------------------------------------------------------------


@staff_required(perms.MANAGE_CONNECTIVITY)
def village_list(request: HttpRequest) -> HttpResponse:
    regency = request.GET.get("kabkota", "")
    coverage = request.GET.get("sinyal")
    qs = selectors.village_list(
        request.user,
        regency_code=regency,
        q=request.GET.get("q", "").strip()[:60],
        coverage=coverage if coverage in Coverage.values else None,
    )
    page, query = _page(request, qs, 100)
    return render(
        request,
        "inventory/village_list.html",
        {
            "page": page,
            "regencies": selectors.region_names("kabupaten_kota"),
            "regency": regency,
            "coverages": Coverage.choices,
            "coverage": coverage,
            "query": query,
        },
    )


@staff_required(perms.MANAGE_CONNECTIVITY)
def village_edit(request: PersonRequest, code: str) -> HttpResponse:
    village = get_object_or_404(selectors.villages_manageable_by(request.user), region_code=code)
    points = list(village.access_points.all())
    prefix_count = len(points) + 1
    if request.method == "POST":
        form = VillageForm(request.POST)
        # The page posts how many point forms it showed (points + 1 blank); a larger number
        # cannot come from it and would build that many forms.
        posted_count = parse_id(request.POST.get("jumlah_titik")) or prefix_count
        point_forms = [
            AccessPointForm(request.POST, prefix=f"titik{i}") for i in range(min(posted_count, prefix_count))
        ]
        filled = [f for f in point_forms if f.has_changed() and not f.data.get(f"{f.prefix}-hapus")]
        if form.is_valid() and all(f.is_valid() for f in filled):
            services.village_update(
                actor=request.user,
                village=village,
                coverage=form.cleaned_data["coverage"],
                in_programme=form.cleaned_data["in_programme"],
                notes=form.cleaned_data["notes"],
                access_points=[f.cleaned_data for f in filled],
            )
            messages.success(request, _("Village connectivity saved."))
            return redirect("inventory:village_edit", code=village.region_code)
    else:
        form = VillageForm(
            initial={"coverage": village.coverage, "in_programme": village.in_programme, "notes": village.notes}
        )
        point_forms = [AccessPointForm(instance=p, prefix=f"titik{i}") for i, p in enumerate(points)]
        point_forms.append(
            AccessPointForm(prefix=f"titik{len(points)}", initial={"programme": AccessPoint.Programme.INTERNET_DESA})
        )
    return render(
        request,
        "inventory/village_edit.html",
        {
            "village": village,
            "form": form,
            "point_forms": point_forms,
            "history": village.changes.select_related("changed_by")[:20],
        },
    )


@staff_required(perms.MANAGE_CONNECTIVITY)
def connectivity_import(request: PersonRequest) -> HttpResponse:
    return _upload(request, ImportBatch.Kind.CONNECTIVITY, "inventory/import_upload.html")


def public_connectivity(request: HttpRequest) -> HttpResponse:
    """The public transparency page: kecamatan choropleth and programme progress (no sign-in)."""
    from etam.inventory import maps

    progress = [row for row in selectors.programme_progress() if row["target"]]
    shares = selectors.district_unserved_shares()
    total_target = sum(r["target"] for r in progress)
    total_done = sum(r["connected"] for r in progress)
    # Issue 15: the map's places in words (the least served kecamatan) and a village search.
    districts = selectors.region_names("kecamatan")
    least_served = sorted(
        ((districts.get(code, code), unserved, total) for code, (unserved, total) in shares.items() if total),
        key=lambda row: (-row[1] / row[2], row[0]),
    )[:5]
    query = request.GET.get("desa", "").strip()[:80]
    found = list(selectors.public_villages().filter(name__icontains=query)[:30]) if len(query) >= 2 else []
    regencies = selectors.region_names("kabupaten_kota") if found else {}
    villages = [
        (v, districts.get(v.district_code, v.district_code), regencies.get(v.regency_code, v.regency_code))
        for v in found
    ]
    return render(
        request,
        "inventory/public_connectivity.html",
        {
            "least_served": least_served,
            "query": query,
            "villages": villages,
            "map": maps.district_choropleth(shares),
            "progress": progress,
            "total_target": total_target,
            "total_done": total_done,
            "total_percent": round(100 * total_done / total_target) if total_target else 0,
            "has_demo": selectors.has_demo_villages(),
        },
    )
