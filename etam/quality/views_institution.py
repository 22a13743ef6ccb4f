"""The instansi roll-up of the satisfaction survey (all its OPDs, one period) for instansi-scoped
roles, as a page and as the PDF in the report layout (ADR 0161)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from etam.core.actors import PersonRequest
from etam.core.charts import bars
from etam.core.staff_access import staff_required
from etam.quality import pdf, periods, permissions, selectors
from etam.quality.elements import element, elements
from etam.quality.views import pdf_response, requested_period


@staff_required(permissions.VIEW_INSTITUTION_REPORT)
def institution_report(request: PersonRequest, institution_id: int) -> HttpResponse:
    institution = selectors.institution_for_report(request.user, institution_id)
    if institution is None:
        raise Http404
    period = requested_period(request)
    data, agencies = selectors.institution_report(request.user, institution=institution, period=period)
    rows = [(e, data.result.unsur[e.number - 1]) for e in elements()] if data.result else []
    chart = (
        bars.horizontal(
            [(f"U{e.number} {e.name}", float(v) if v is not None else None) for e, v in rows],
            title=_("NRR per element"),
        )
        if rows
        else ""
    )
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
    institution = selectors.institution_for_report(request.user, institution_id)
    if institution is None:
        raise Http404
    period = requested_period(request)
    data, _rows = selectors.institution_report(request.user, institution=institution, period=period)
    identity = [("Instansi (gabungan seluruh OPD)", institution.name)]
    return pdf_response(
        pdf.report_pdf(data, identity, periods.label(period)), f"skm-instansi-{institution.pk}-{period}.pdf"
    )
