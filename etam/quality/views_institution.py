"""The instansi roll-up of the satisfaction survey (all its OPDs, one period) for instansi-scoped
roles, as a page and as the PDF in the report layout (ADR 0161)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render

from etam.core.actors import PersonRequest
from etam.core.staff_access import staff_required
from etam.quality import pdf, periods, permissions, selectors
from etam.quality.elements import element
from etam.quality.views import nrr_rows_and_chart, pdf_response, requested_period


def _institution_report(request: PersonRequest, institution_id: int) -> tuple[Any, str, Any, list[Any]]:
    """The instansi in the actor's scope (404 outside it), the period asked for, its pooled report
    and the row of each OPD."""
    institution = selectors.institution_for_report(request.user, institution_id)
    if institution is None:
        raise Http404
    period = requested_period(request)
    data, agencies = selectors.institution_report(request.user, institution=institution, period=period)
    return institution, period, data, agencies


@staff_required(permissions.VIEW_INSTITUTION_REPORT)
def institution_report(request: PersonRequest, institution_id: int) -> HttpResponse:
    institution, period, data, agencies = _institution_report(request, institution_id)
    rows, chart = nrr_rows_and_chart(data.result)
    context = {
        "institution": institution,
        "period": period,
        "period_label": periods.label(period),
        "data": data,
        "rows": rows,
        "chart": chart,
        "agencies": agencies,
        "lowest": [element(n) for n in data.lowest],
    }
    return render(request, "quality/institution_report.html", context)


@staff_required(permissions.VIEW_INSTITUTION_REPORT)
def institution_report_pdf(request: PersonRequest, institution_id: int) -> HttpResponse:
    institution, period, data, _agencies = _institution_report(request, institution_id)
    identity = [("Instansi (gabungan seluruh OPD)", institution.name)]
    return pdf_response(
        pdf.report_pdf(data, identity, periods.label(period)), f"skm-instansi-{institution.pk}-{period}.pdf"
    )
