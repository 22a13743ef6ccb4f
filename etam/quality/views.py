"""Pages of the service-quality loop: the citizen's survey (no JavaScript needed), the public
results, and the staff pages (paper entry, reports with the follow-up plan)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core.actors import PersonRequest
from etam.core.bounds import parse_id
from etam.core.charts import bars
from etam.core.filetypes import CONTENT_TYPES
from etam.core.staff_access import staff_required
from etam.quality import exports, pdf, periods, permissions, privacy, selectors, services, standards
from etam.quality.elements import element, elements
from etam.quality.models import Complaint, FollowUpPlan, SurveyResponse

PROFILE_CHOICES = {
    "age_band": SurveyResponse.AgeBand.choices,
    "sex": SurveyResponse.Sex.choices,
    "education": SurveyResponse.Education.choices,
    "occupation": SurveyResponse.Occupation.choices,
}


def _errors(exc: ValidationError) -> dict[str, str]:
    return {key: " ".join(values) for key, values in exc.message_dict.items()}


def _form_context(values: dict[str, str], errors: dict[str, str]) -> dict[str, object]:
    return {"elements": elements(), "values": values, "errors": errors, "profile_choices": PROFILE_CHOICES}


def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The survey of one finished case, reached through the link in the notification."""
    invitation = selectors.invitation_by_token(token)
    return _survey_page(request, invitation, lambda data: services.survey_submit(token=token, data=data), token)


def case_survey(request: PersonRequest, application_id: int) -> HttpResponse:
    """The same survey from the applicant's own case page (signed in; only their own case)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    invitation = selectors.invitation_for_applicant(request.user, application_id)

    def submit(data: Any) -> Any:
        return services.survey_submit_for_case(actor=request.user, application_id=application_id, data=data)

    return _survey_page(request, invitation, submit)


def _survey_page(request: HttpRequest, invitation: Any, submit: Callable[[Any], Any], token: str = "") -> HttpResponse:
    """The form; with a token it is also the offline form (the device outbox keeps and sends it; ADR 0164)."""
    if invitation is None or invitation.used_at is not None:
        message = (
            _("Survey link: this link is not known. Use the link from your notification.")
            if invitation is None
            else _("Survey link: this survey has already been answered. Thank you.")
        )
        return render(
            request, "quality/survey_closed.html", {"message": message}, status=404 if not invitation else 410
        )
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
        try:
            submit(request.POST)
        except ValidationError as exc:
            errors = _errors(exc)
            if "token" in errors:
                return render(request, "quality/survey_closed.html", {"message": errors["token"]}, status=410)
        else:
            return redirect("quality:thanks")
    context = {"invitation": invitation, "token": token, **_form_context(values, errors)}
    return render(request, "quality/survey.html", context, status=422 if errors else 200)


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "quality/thanks.html")


def _year(request: HttpRequest, choices: list[str]) -> str:
    wanted = request.GET.get("tahun", "")
    if wanted in choices:
        return wanted
    return choices[0] if choices else str(timezone.localdate().year)


def results(request: HttpRequest) -> HttpResponse:
    """Public results: per service, the index and grade of the year (too few answers: no index)."""
    years = selectors.public_periods()
    period = _year(request, years)
    rows = selectors.public_results(period)
    chart = bars.horizontal(
        [(f"{r.service} ({r.agency})", float(r.result.ikm) if r.result else None) for r in rows],
        title=_("Satisfaction index (IKM) per service, %(period)s") % {"period": period},
        unit="",
    )
    context = {
        "years": years,
        "period": period,
        "rows": rows,
        "chart": chart,
        "minimum": privacy.MIN_RESPONDENTS,
    }
    return render(request, "quality/results.html", context)


@staff_required(permissions.ENTER_PAPER)
def paper_entry(request: PersonRequest) -> HttpResponse:
    """An officer types in a paper questionnaire with a photo of the sheet."""
    service_list = list(selectors.services_for_paper(request.user))
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
        service_id = parse_id(request.POST.get("service"))
        service = selectors.service_for_paper(request.user, service_id) if service_id else None
        answered_on = _date_or_none(values.get("answered_on", ""))
        if service is None:
            errors["service"] = _("Service: choose one of your services.")
        else:
            try:
                services.paper_response_create(
                    actor=request.user,
                    service=service,
                    data=request.POST,
                    photo=request.FILES.get("sheet_photo"),
                    answered_on=answered_on,
                )
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, _("The paper questionnaire was saved. You can enter the next one."))
                return redirect("quality:paper")
    context = {"services": service_list, **_form_context(values, errors)}
    return render(request, "quality/paper.html", context, status=422 if errors else 200)


@staff_required(permissions.VIEW_REPORT)
def report_index(request: HttpRequest) -> HttpResponse:
    context = {
        "agencies": selectors.agencies_for_report(request.user),
        "institutions": selectors.institutions_for_report(request.user),
    }
    return render(request, "quality/report_index.html", context)


def requested_period(request: HttpRequest) -> str:
    period = request.GET.get("periode") or request.POST.get("period") or str(timezone.localdate().year)
    return period if periods.bounds(period) else str(timezone.localdate().year)


def nrr_rows_and_chart(result: Any) -> tuple[list[tuple[Any, Any]], str]:
    """The NRR per element as table rows and as the SVG bar chart (both empty without an index)."""
    if not result:
        return [], ""
    rows = [(e, result.unsur[e.number - 1]) for e in elements()]
    points = [(f"U{e.number} {e.name}", float(v) if v is not None else None) for e, v in rows]
    return rows, bars.horizontal(points, title=_("NRR per element"))


def _agency_report(request: PersonRequest, agency_id: int) -> tuple[Any, str, selectors.Report]:
    """The OPD in the actor's report scope (404 outside it), the period asked for, and its report."""
    agency = selectors.agency_for_report(request.user, agency_id)
    if agency is None:
        raise Http404
    period = requested_period(request)
    return agency, period, selectors.survey_report(request.user, agency=agency, period=period)


@staff_required(permissions.VIEW_REPORT)
def report(request: PersonRequest, agency_id: int) -> HttpResponse:
    agency, period, data = _agency_report(request, agency_id)
    errors: dict[str, str] = {}
    posted = 0
    if request.method == "POST":
        posted = parse_id(request.POST.get("element")) or 0
        try:
            services.followup_save(
                actor=request.user,
                agency=agency,
                period=period,
                element=posted,
                action=request.POST.get("action", ""),
                owner=request.POST.get("owner", ""),
                due_date=_date_or_none(request.POST.get("due_date", "")),
                status=request.POST.get("status", ""),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("The follow-up plan was saved."))
            return redirect(f"{request.path}?periode={period}")
    rows, chart = nrr_rows_and_chart(data.result)
    lowest = [(element(n), data.plans.get(n)) for n in data.lowest]
    context = {
        "agency": agency,
        "period": period,
        "period_label": periods.label(period),
        "data": data,
        "rows": rows,
        "chart": chart,
        "lowest": lowest,
        "errors": errors,
        "posted": posted,
        "values": request.POST if errors else {},
        "statuses": FollowUpPlan.Status.choices,
        "may_plan": selectors.may_plan(request.user, agency),
        "profile_titles": {
            "age_band": _("Age"),
            "sex": _("Sex"),
            "education": _("Education"),
            "occupation": _("Occupation"),
        },
    }
    return render(request, "quality/report.html", context, status=422 if errors else 200)


def _date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _published_standard(slug: str) -> tuple[Any, list[standards.Component]]:
    """A published service by its address name (404 otherwise) and the 14 components of its standard."""
    service = selectors.public_service(slug)
    if service is None or service.published_version is None:
        raise Http404
    row = selectors.standard_for(service)
    return service, standards.components(service, service.published_version.workflow, row)


def standard(request: HttpRequest, slug: str) -> HttpResponse:
    """The public standar pelayanan of a service (14 components) with the OPD's maklumat."""
    service, parts = _published_standard(slug)
    context = {"service": service, "components": parts, "charter": selectors.charter_for(service.agency_id)}
    return render(request, "quality/standard.html", context)


def complaint_new(request: HttpRequest) -> HttpResponse:
    """File a complaint, suggestion or compliment, with or without an account."""
    service_list, agency_list = selectors.complaint_targets()
    values: dict[str, str] = {"kind": "pengaduan"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
        service_id, agency_id = parse_id(values.get("service")), parse_id(values.get("agency"))
        service = service_list.filter(pk=service_id).first() if service_id else None
        agency = agency_list.filter(pk=agency_id).first() if agency_id else None
        try:
            complaint, receipt = services.complaint_submit(
                actor=request.user, data=request.POST, service=service, agency=agency
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return render(request, "quality/complaint_receipt.html", {"complaint": complaint, "receipt": receipt})
    context = {
        "services": service_list,
        "agencies": agency_list,
        "kinds": Complaint.Kind.choices,
        "values": values,
        "errors": errors,
    }
    return render(request, "quality/complaint_new.html", context, status=422 if errors else 200)


def complaint_track(request: HttpRequest) -> HttpResponse:
    """Follow a complaint with its receipt code: its state and the answer."""
    receipt = (request.POST.get("kode") or "").strip()
    complaint = selectors.complaint_by_receipt(receipt) if request.method == "POST" else None
    error = ""
    if request.method == "POST" and complaint is None:
        error = _("Receipt code: no message has this code. Check the code on your receipt (ADU-…).")
    context = {"complaint": complaint, "receipt": receipt, "error": error}
    return render(request, "quality/complaint_track.html", context, status=404 if error else 200)


@staff_required(permissions.VIEW_REPORT)
def report_xlsx(request: PersonRequest, agency_id: int) -> HttpResponse:
    agency, period, data = _agency_report(request, agency_id)
    body = exports.report_xlsx(data, agency.name, periods.label(period))
    response = HttpResponse(body, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="skm-{agency.pk}-{period}.xlsx"'
    return response


@staff_required(permissions.VIEW_REPORT)
def report_pdf(request: PersonRequest, agency_id: int) -> HttpResponse:
    """The OPD's SKM report in the layout of PermenPANRB 14/2017."""
    agency, period, data = _agency_report(request, agency_id)
    identity = [("Unit pelayanan (OPD)", agency.name), ("Instansi", agency.institution.name)]
    return pdf_response(pdf.report_pdf(data, identity, periods.label(period)), f"skm-{agency.pk}-{period}.pdf")


def standard_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The public standar pelayanan of a service as PDF."""
    service, parts = _published_standard(slug)
    body = pdf.standard_pdf(service, parts, selectors.charter_for(service.agency_id))
    return pdf_response(body, f"standar-pelayanan-{service.slug}.pdf")


def charter_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The OPD's maklumat pelayanan as signed by its penandatangan (PAdES; ADR 0139)."""
    service = selectors.public_service(slug)
    if service is None:
        raise Http404
    charter = selectors.charter_for(service.agency_id)
    if charter is None or not charter.signed_pdf:
        raise Http404
    with charter.signed_pdf.open("rb") as handle:
        body = handle.read()
    return pdf_response(body, f"maklumat-pelayanan-{service.agency.code or service.agency_id}.pdf")


def pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES["pdf"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
