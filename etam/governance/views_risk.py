"""Risk register pages: list with the heat maps, a risk with its treatments and monitoring,
the risk context of the instansi."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from etam.core.actors import PersonRequest
from etam.core.lookups import or_404
from etam.core.permissions import has_perm
from etam.core.staff_access import staff_required
from etam.governance import permissions as perms
from etam.governance import selectors, services
from etam.governance.charts import risk_heatmap
from etam.governance.forms import ContextForm, MonitoringForm, RiskForm, TreatmentForm, TreatmentStatusForm
from etam.governance.views_common import chosen, form_page, page_of


@staff_required(perms.VIEW)
def risk_list(request: HttpRequest) -> HttpResponse:
    cells, bands = selectors.matrix()
    qs = selectors.risks_visible_to(request.user)
    return render(
        request,
        "governance/risk_list.html",
        {
            "page": page_of(request, qs),
            "bands": [bands[k] for k in sorted(bands)],
            # The SVG is built from escaped text only (core.charts.heatmap escapes every text).
            "heatmap": mark_safe(  # noqa: S308
                risk_heatmap(cells, bands, selectors.risk_counts_by_cell(request.user), title=_("Inherent risk"))
            ),
            "residual_heatmap": mark_safe(  # noqa: S308
                risk_heatmap(
                    cells, bands, selectors.risk_counts_by_cell(request.user, residual=True), title=_("Residual risk")
                )
            ),
            "contexts": selectors.risk_contexts_visible_to(request.user),
            "can_create": has_perm(request.user, perms.MANAGE_RISK),
            "can_context": has_perm(request.user, perms.MANAGE_RISK_CONTEXT),
        },
    )


@staff_required(perms.MANAGE_RISK)
def risk_create(request: PersonRequest) -> HttpResponse:
    form = RiskForm(
        request.POST or None,
        choices={
            **selectors.record_choices(request.user, perms.MANAGE_RISK),
            "owner": selectors.risk_owners_for(request.user),
        },
    )
    return form_page(
        request,
        form,
        lambda d: services.risk_create(
            actor=request.user, agency=chosen(d, "agency", _("OPD: choose the risk-owning OPD.")), data=d
        ),
        title=_("Record a risk"),
        success=_("Risk recorded."),
        to=lambda risk: reverse("governance:risk_detail", args=[risk.pk]),
        back=reverse("governance:risk_list"),
    )


@staff_required(perms.VIEW)
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    risk = or_404(selectors.risk_get, request.user, pk)
    return render(request, "governance/risk_detail.html", selectors.risk_detail(request.user, risk))


@staff_required(perms.MANAGE_RISK)
def risk_treat(request: PersonRequest, pk: int) -> HttpResponse:
    risk = or_404(selectors.risk_get, request.user, pk)
    form = TreatmentForm(request.POST or None, choices={"owner": selectors.risk_owners_for(request.user)})
    return form_page(
        request,
        form,
        lambda d: services.treatment_add(
            actor=request.user, risk=risk, action=d["action"], owner=d["owner"], due_on=d["due_on"]
        ),
        title=_("Treatment plan"),
        success=_("Treatment plan added."),
        back=reverse("governance:risk_detail", args=[risk.pk]),
    )


@staff_required(perms.MANAGE_RISK)
def treatment_status(request: PersonRequest, pk: int) -> HttpResponse:
    treatment = or_404(selectors.treatment_get, request.user, pk)
    return form_page(
        request,
        TreatmentStatusForm(request.POST or None, initial={"status": treatment.status}),
        lambda d: services.treatment_set_status(actor=request.user, treatment=treatment, status=d["status"]),
        title=_("Treatment status"),
        success=_("Treatment updated."),
        back=reverse("governance:risk_detail", args=[treatment.risk_id]),
    )


@staff_required(perms.MANAGE_RISK)
def risk_monitor(request: PersonRequest, pk: int) -> HttpResponse:
    risk = or_404(selectors.risk_get, request.user, pk)
    return form_page(
        request,
        MonitoringForm(request.POST or None),
        lambda d: services.monitoring_record(actor=request.user, risk=risk, data=d),
        title=_("Periodic monitoring"),
        success=_("Monitoring recorded."),
        back=reverse("governance:risk_detail", args=[risk.pk]),
    )


@staff_required(perms.MANAGE_RISK_CONTEXT)
def risk_context(request: PersonRequest) -> HttpResponse:
    form = ContextForm(
        request.POST or None,
        choices={"institution": selectors.institutions_for(request.user, perms.MANAGE_RISK_CONTEXT)},
    )
    return form_page(
        request,
        form,
        lambda d: services.risk_context_save(
            actor=request.user,
            institution=chosen(d, "institution", _("Instansi: choose the instansi.")),
            year=d["year"],
            data=d,
        ),
        title=_("Risk context"),
        success=_("Risk context saved."),
        back=reverse("governance:risk_list"),
    )
