"""Staff pages for instansi, OPDs and their units (namespace ``core``).

A selector finds the object (outside the actor's scope it does not exist: 404), a
service changes it (without the permission it refuses: 403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from etam.core import selectors, services
from etam.core.formerrors import flash_service, service_form_page
from etam.core.forms import (
    AgencyForm,
    InstitutionForm,
    UnitForm,
)
from etam.core.models import Agency, Institution
from etam.core.permissions import has_perm
from etam.core.staff_access import staff_form_view, staff_required

# The form page of each kind, for create and edit: its template, the page a save returns to
# and the attribute of the saved object that page takes as its pk.
_FORM_PAGES = {
    "institution": ("core/institution_form.html", "core:institution_detail", "pk"),
    "agency": ("core/agency_form.html", "core:agency_detail", "pk"),
    "unit": ("core/unit_form.html", "core:agency_detail", "agency_id"),
}


def _form_page(
    request: HttpRequest, kind: str, form: Any, action: Callable[[], Any], success: str, **context: Any
) -> HttpResponse:
    template, detail, pk_attr = _FORM_PAGES[kind]
    return service_form_page(
        request,
        form,
        action,
        success,
        template=template,
        context=context,
        on_success=lambda saved: redirect(detail, pk=getattr(saved, pk_attr)),
    )


# --- staff: instansi and OPD -----------------------------------------------------------


@never_cache
@staff_required
def agency_list_view(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "core.view_organisation"):
        raise PermissionDenied
    context = {
        "agencies": selectors.agency_list(request.user),
        "institutions": selectors.institutions_visible_to(request.user),
        "can_create": has_perm(request.user, "core.manage_agency"),
        "can_create_institution": has_perm(request.user, "core.manage_institution"),
    }
    return render(request, "core/agency_list.html", context)


@never_cache
@staff_required
def institution_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(selectors.institutions_visible_to(request.user), pk=pk)
    context = {
        "institution": institution,
        "agencies": selectors.agency_list(request.user).filter(institution=institution),
        "can_edit": has_perm(request.user, "core.edit_institution", institution),
        "can_create": has_perm(request.user, "core.manage_agency", institution),
    }
    return render(request, "core/institution_detail.html", context)


@staff_form_view
def institution_create_view(request: HttpRequest) -> HttpResponse:
    """Register an instansi for a kode wilayah (super admin only)."""
    if not has_perm(request.user, "core.manage_institution"):
        raise PermissionDenied
    form = InstitutionForm(request.POST or None, can_change_region=True)
    return _form_page(
        request,
        "institution",
        form,
        lambda: services.institution_create(actor=request.user, **form.cleaned_data),
        _("The instansi has been saved."),
        institution=None,
    )


@staff_form_view
def institution_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(selectors.institutions_visible_to(request.user), pk=pk)
    if not has_perm(request.user, "core.edit_institution", institution):
        raise PermissionDenied
    initial = {f: getattr(institution, f) for f in ("region_code", "name", "short_name", "kind")}
    form = InstitutionForm(
        request.POST or None,
        initial=initial,
        can_change_region=has_perm(request.user, "core.manage_institution", institution),
    )

    def save() -> Institution:
        return services.institution_update(actor=request.user, institution=institution, changes=form.cleaned_data)

    return _form_page(request, "institution", form, save, _("The instansi has been saved."), institution=institution)


@staff_form_view
def agency_create_view(request: HttpRequest) -> HttpResponse:
    institutions = selectors.institutions_with_perm(request.user, "core.manage_agency")
    if not institutions.exists():
        raise PermissionDenied
    initial = {}
    if request.GET.get("instansi", "").isdigit():
        initial["institution"] = int(request.GET["instansi"])
    form = AgencyForm(request.POST or None, institutions=institutions, initial=initial)

    def create() -> Agency:
        data = dict(form.cleaned_data)
        return services.agency_create(actor=request.user, institution=data.pop("institution"), **data)

    return _form_page(request, "agency", form, create, _("The OPD has been created."), agency=None)


def _visible_agency(request: HttpRequest, pk: int) -> Agency:
    return get_object_or_404(selectors.agencies_visible_to(request.user), pk=pk)


@never_cache
@staff_required
def agency_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _visible_agency(request, pk)
    user = request.user
    context = {
        "agency": agency,
        "units": selectors.units_visible_to(user).filter(agency=agency).order_by("code"),
        "grants": selectors.grants_visible_to(user)
        .filter(agency=agency, revoked_at__isnull=True)
        .order_by("user__full_name", "role"),
        "can_edit": has_perm(user, "core.edit_agency", agency) or has_perm(user, "core.manage_agency", agency),
        "can_manage": has_perm(user, "core.manage_agency", agency),
        "can_manage_units": has_perm(user, "core.manage_unit", agency),
    }
    return render(request, "core/agency_detail.html", context)


@staff_form_view
def agency_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _visible_agency(request, pk)
    can_manage = has_perm(request.user, "core.manage_agency", agency)
    if not (can_manage or has_perm(request.user, "core.edit_agency", agency)):
        raise PermissionDenied
    fields = ("code", "name", "short_name", "kind", "email", "phone", "address")
    form = AgencyForm(request.POST or None, initial={f: getattr(agency, f) for f in fields}, restricted=not can_manage)

    def save() -> Agency:
        return services.agency_update(actor=request.user, agency=agency, changes=form.cleaned_data)

    return _form_page(request, "agency", form, save, _("The OPD has been saved."), agency=agency)


@staff_required
@require_POST
def agency_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _visible_agency(request, pk)
    operation = services.agency_reactivate if request.POST.get("active") == "1" else services.agency_deactivate
    flash_service(
        request,
        lambda: operation(actor=request.user, agency=agency),
        lambda: _("The OPD is active.") if agency.is_active else _("The OPD is now inactive."),
    )
    return redirect("core:agency_detail", pk=agency.pk)


@staff_form_view
def unit_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _visible_agency(request, pk)
    if not has_perm(request.user, "core.manage_unit", agency):
        raise PermissionDenied
    form = UnitForm(request.POST or None, agency=agency)
    return _form_page(
        request,
        "unit",
        form,
        lambda: services.orgunit_create(actor=request.user, agency=agency, **form.cleaned_data),
        _("The unit has been created."),
        agency=agency,
        unit=None,
    )


@staff_form_view
def unit_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(selectors.units_visible_to(request.user), pk=pk)
    agency = unit.agency
    if not has_perm(request.user, "core.manage_unit", agency):
        raise PermissionDenied
    form = UnitForm(
        request.POST or None,
        agency=agency,
        exclude=unit,
        initial={"code": unit.code, "name": unit.name, "parent": unit.parent_id},
    )
    return _form_page(
        request,
        "unit",
        form,
        lambda: services.orgunit_update(actor=request.user, unit=unit, changes=form.cleaned_data),
        _("The unit has been saved."),
        agency=agency,
        unit=unit,
    )
