"""Staff pages under /staf/evaluasi/ and the public roll-up /evaluasi-spbe/ (thin: parse, call, render)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etam.core.actors import PersonRequest
from etam.core.formerrors import apply_service_errors, call_service
from etam.core.permissions import Scope, has_perm
from etam.evaluation import forms, reports, scoring, selectors, services, svgmap
from etam.evaluation import permissions as perms
from etam.evaluation.forms import posted_pk as _posted_pk
from etam.evaluation.models import STAGE_ORDER, Stage
from etam.evaluation.scores import score_evaluation, shape_of

# Framework pages and the results import live in views_frameworks; their old names stay importable here.
from etam.evaluation.views_frameworks import (  # noqa: F401
    framework_export,
    framework_list,
    framework_schema,
    import_results,
)

# ---------------------------------------------------------------- list and open


@login_required
def evaluation_list(request: PersonRequest) -> HttpResponse:
    user = request.user
    evaluations = list(selectors.evaluations_for(user).order_by("-period", "institution__region_code"))
    institutions = selectors.manageable_institutions(user)
    can_open = has_perm(user, perms.MANAGE)
    if not evaluations and not can_open and not has_perm(user, perms.CLAIM) and not has_perm(user, perms.VIEW):
        raise PermissionDenied
    form = forms.OpenEvaluationForm(request.POST or None, institutions=institutions) if can_open else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            opened, evaluation = call_service(
                request,
                form,
                lambda: services.evaluation_open(
                    actor=user,
                    institution=form.cleaned_data["institution"],
                    framework=form.cleaned_data["framework"],
                    period=form.cleaned_data["period"],
                ),
            )
            if opened:
                messages.success(request, _("Evaluation %(name)s opened.") % {"name": evaluation})
                return redirect("evaluation:assign", pk=evaluation.pk)
    return render(
        request,
        "evaluation/list.html",
        {"evaluations": evaluations, "form": form, "can_import": can_open},
    )


# ---------------------------------------------------------------- one evaluation


def _context(request: HttpRequest, pk: int, *, needs: str = "") -> dict[str, Any]:
    """The evaluation page's common context; ``needs`` names one of its flags the page requires (else 403)."""
    evaluation = selectors.evaluation_for(request.user, pk)
    user = request.user
    ctx = {
        "evaluation": evaluation,
        "sees_whole": selectors.sees_whole(user, evaluation),
        "can_manage": has_perm(user, perms.MANAGE, evaluation),
        "can_assess": has_perm(user, perms.ASSESS, evaluation),
        "stages": [(s, s.label, i <= evaluation.stage_index) for i, s in enumerate(STAGE_ORDER)],
    }
    if needs and not ctx[needs]:
        raise PermissionDenied
    return ctx


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _context(request, pk)
    evaluation = ctx["evaluation"]
    rows = selectors.indicator_rows(request.user, evaluation)
    per_opd, overall = selectors.progress(rows, len(rows))
    ctx.update({"per_opd": per_opd, "overall": overall})
    if ctx["sees_whole"]:
        scores = score_evaluation(evaluation)
        ctx["scores"] = scores
        ctx["comparison"] = selectors.comparisons(evaluation, scores.self_sheet, scores.assessed_sheet)
        a, b = scores.self_sheet.overall.index, scores.assessed_sheet.overall.index
        ctx["overall_difference"] = None if a is None or b is None else b - a
        ctx["suggestions"] = selectors.evaluation_suggestions(request.user, evaluation)
    ctx["my_agencies"] = selectors.claimable_agencies(
        request.user, {r.assignment.agency_id for r in rows if r.assignment}
    )
    ctx["reopen_form"] = forms.ReopenForm()
    return render(request, "evaluation/detail.html", ctx)


@login_required
def indicator_list(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _context(request, pk)
    ctx["rows"] = selectors.indicator_rows(request.user, ctx["evaluation"])
    return render(request, "evaluation/indicators.html", ctx)


@login_required
def indicator_detail(request: PersonRequest, pk: int, number: int) -> HttpResponse:
    ctx = _context(request, pk)
    evaluation = ctx["evaluation"]
    user = request.user
    row = next((r for r in selectors.indicator_rows(user, evaluation) if r.indicator.number == number), None)
    if row is None:
        raise Http404
    indicator = row.indicator
    agency_id = row.assignment.agency_id if row.assignment else None
    can_claim = (
        agency_id is not None
        and has_perm(user, perms.CLAIM, Scope(evaluation.institution_id, agency_id))
        and evaluation.stage == Stage.SELF
    )
    claim_form = forms.ClaimForm(
        initial={"level": row.claim.level, "fact": row.claim.fact, "analysis": row.claim.analysis}
        if row.claim
        else None
    )
    evidence_form = forms.EvidenceForm()
    assessment_form = forms.AssessmentForm()
    action = request.POST.get("action") if request.method == "POST" else None
    done = ""  # the success message, once the action's service call went through
    try:
        if action == "claim":
            if not can_claim:
                raise PermissionDenied
            claim_form = forms.ClaimForm(request.POST)
            if claim_form.is_valid():
                fields = {k: claim_form.cleaned_data[k] for k in ("level", "fact", "analysis")}
                if call_service(
                    request,
                    claim_form,
                    lambda: (
                        services.claim_update(actor=user, claim=row.claim, **fields)
                        if row.claim
                        else services.claim_create(actor=user, evaluation=evaluation, indicator=indicator, **fields)
                    ),
                )[0]:
                    done = _("Claim saved.")
        elif action == "evidence":
            if not can_claim or row.claim is None:
                raise PermissionDenied
            evidence_form = forms.EvidenceForm(request.POST, request.FILES)
            if evidence_form.is_valid():
                data = evidence_form.cleaned_data
                upload = data.get("file")
                claim = row.claim
                if call_service(
                    request,
                    evidence_form,
                    lambda: services.evidence_add(
                        actor=user,
                        claim=claim,
                        level=data["level"],
                        title=data["title"],
                        upload=upload.file if upload else None,
                        filename=upload.name if upload else "",
                        url=data["url"],
                    ),
                )[0]:
                    done = _("Evidence added.")
        elif action == "remove_evidence":
            if not can_claim or row.claim is None:
                raise PermissionDenied
            item = selectors.claim_evidence(user, row.claim, _posted_pk(request.POST.get("evidence")))
            services.evidence_remove(actor=user, item=item)
            done = _("Evidence removed.")
        elif action == "assess":
            if not ctx["can_assess"]:
                raise PermissionDenied
            assessment_form = forms.AssessmentForm(request.POST)
            if (
                assessment_form.is_valid()
                and call_service(
                    request,
                    assessment_form,
                    lambda: services.assessment_set(
                        actor=user,
                        evaluation=evaluation,
                        indicator=indicator,
                        level=assessment_form.cleaned_data["level"],
                        notes=assessment_form.cleaned_data["notes"],
                    ),
                )[0]
            ):
                done = _("Assessment saved.")
        elif action is not None:
            raise Http404
        if done:
            messages.success(request, done)
            return redirect("evaluation:indicator", pk=pk, number=number)
    except ValidationError as exc:  # stage errors from evidence removal
        for message in exc.messages:
            messages.error(request, message)
    criteria = list(indicator.scale.criteria.all())
    ctx.update(
        {
            "row": row,
            "indicator": indicator,
            "criteria": criteria,
            "can_claim": can_claim,
            "claim_form": claim_form,
            "evidence_form": evidence_form,
            "assessment_form": assessment_form,
            "suggestions": selectors.indicator_suggestions(user, evaluation, indicator),
            "assessment_stages": [
                (s.label, row.assessments.get(s.value), row.assessment_notes.get(s.value, "")) for s in STAGE_ORDER[1:]
            ],
        }
    )
    return render(request, "evaluation/indicator.html", ctx, status=400 if action and request.method == "POST" else 200)


@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _context(request, pk, needs="can_manage")
    evaluation = ctx["evaluation"]
    agencies = selectors.assignable_agencies(request.user, evaluation)
    shape = shape_of(evaluation.framework)
    current = dict(evaluation.assignments.values_list("indicator_id", "agency_id"))
    errors: dict[str, str] = {}
    posted: dict[int, int | None] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "defaults":
                n = services.assignment_apply_defaults(actor=request.user, evaluation=evaluation)
                messages.success(request, _("%(n)s indicators assigned to their typical OPD.") % {"n": n})
                return redirect("evaluation:assign", pk=pk)
            for indicator in shape.indicators.values():
                raw = request.POST.get(f"indicator_{indicator.pk}", "")
                try:
                    posted[indicator.pk] = int(raw) if raw else None
                except ValueError:
                    errors[f"indicator_{indicator.pk}"] = _("Choose an OPD from the list.")
            if not errors:
                n = services.assignment_set(actor=request.user, evaluation=evaluation, owners=posted)
                messages.success(request, _("%(n)s assignments changed.") % {"n": n})
                return redirect("evaluation:assign", pk=pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
            else:
                errors["__all__"] = exc.messages[0]
    chosen = posted if request.method == "POST" else current
    ctx.update(
        {
            "agencies": agencies,
            "rows": [
                (i, chosen.get(i.pk), errors.get(f"indicator_{i.pk}"), loader_owner(i.default_owner))
                for i in shape.indicators.values()
            ],
            "form_error": errors.get("__all__", ""),
        }
    )
    return render(request, "evaluation/assign.html", ctx, status=400 if errors else 200)


def loader_owner(key: str) -> str:
    from etam.evaluation.loader import OWNER_PATTERNS

    return OWNER_PATTERNS.get(key, ("",))[0].title() if key else ""


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _context(request, pk)
    evaluation = ctx["evaluation"]
    agency = selectors.submit_agency(request.user, _posted_pk(request.GET.get("opd") or request.POST.get("opd")))
    form = forms.SubmitForm(request.POST or None)
    gaps: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            n = services.assignment_submit(
                actor=request.user,
                evaluation=evaluation,
                agency=agency,
                acknowledge_gaps=form.cleaned_data["acknowledge_gaps"],
            )
        except services.EvidenceGapWarning as exc:
            gaps = exc.claims
            apply_service_errors(form, exc)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s claims submitted.") % {"n": n})
            return redirect("evaluation:detail", pk=pk)
    rows = [
        r
        for r in selectors.indicator_rows(request.user, evaluation)
        if r.assignment and r.assignment.agency_id == agency.pk
    ]
    ctx.update({"agency": agency, "form": form, "rows": rows, "gaps": gaps})
    return render(request, "evaluation/submit.html", ctx, status=400 if form.errors else 200)


def _act_then_detail(
    request: HttpRequest, pk: int, act: Callable[[], Any], success: Callable[[Any], str]
) -> HttpResponse:
    """One POST button on the evaluation page: a refusal becomes an error message; either way, back to the page."""
    try:
        result = act()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success(result))
    return redirect("evaluation:detail", pk=pk)


def _evaluation_action(
    request: HttpRequest, pk: int, service: Callable[..., Any], success: Callable[[Any, Any], str]
) -> HttpResponse:
    """A POST button that runs ``service(actor=, evaluation=)`` on the evaluation (see _act_then_detail)."""
    evaluation = selectors.evaluation_for(request.user, pk)
    return _act_then_detail(
        request,
        pk,
        lambda: service(actor=request.user, evaluation=evaluation),
        lambda result: success(evaluation, result),
    )


@login_required
@require_POST
def advance(request: HttpRequest, pk: int) -> HttpResponse:
    done = lambda evaluation, _result: _("Stage is now: %(stage)s.") % {"stage": evaluation.get_stage_display()}  # noqa: E731
    return _evaluation_action(request, pk, services.evaluation_advance, done)


@login_required
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _context(request, pk, needs="can_manage")
    evaluation = ctx["evaluation"]
    form = forms.ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reopened, _result = call_service(
            request,
            form,
            lambda: services.evaluation_reopen(
                actor=request.user, evaluation=evaluation, reason=form.cleaned_data["reason"]
            ),
            _("The evaluation was reopened; it is back at the site visit stage."),
        )
        if reopened:
            return redirect("evaluation:detail", pk=pk)
    ctx["form"] = form
    return render(request, "evaluation/reopen.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def suggestions_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    done = lambda _evaluation, created: _("%(n)s suggestions from the platform.") % {"n": len(created)}  # noqa: E731
    return _evaluation_action(request, pk, services.suggestions_refresh, done)


@login_required
@require_POST
def suggestion_decide(request: PersonRequest, pk: int, suggestion_id: int) -> HttpResponse:
    evaluation = selectors.evaluation_for(request.user, pk)
    suggestion = selectors.suggestion_for(request.user, evaluation, suggestion_id)
    return _act_then_detail(
        request,
        pk,
        lambda: services.suggestion_decide(
            actor=request.user,
            suggestion=suggestion,
            accept=request.POST.get("decision") == "accept",
            note=request.POST.get("note", ""),
        ),
        lambda _done: _("Suggestion decided."),
    )


@login_required
def gap_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _context(request, pk, needs="sees_whole")
    evaluation = ctx["evaluation"]
    scores = score_evaluation(evaluation)
    shape = scores.shape
    basis = "assessed" if scores.levels.assessed_levels else "self"
    if request.GET.get("dasar") in ("assessed", "self"):
        basis = request.GET["dasar"]
    levels = scores.levels.assessed_levels if basis == "assessed" else scores.levels.self_levels
    sheet = scores.assessed_sheet if basis == "assessed" else scores.self_sheet
    gains = scoring.gains(shape.specs, levels)
    target_text = request.GET.get("target", "")
    bands = sorted(shape.bands, key=lambda b: b.min_value)
    target: Decimal | None = None
    target_error = ""
    if target_text:
        try:
            target = Decimal(target_text.replace(",", "."))
            if not Decimal("1") <= target <= Decimal("5"):
                raise InvalidOperation
        except InvalidOperation:
            target_error = _("Target: an index from 1.00 to 5.00 is expected, e.g. 4.20.")
            target = None
    else:
        above = [b.min_value for b in bands if sheet.overall.index is not None and b.min_value > sheet.overall.index]
        target = above[0] if above else None
    simulation = None
    if target is not None:
        if sheet.complete:
            simulation = scoring.simulate_target(shape.specs, levels, target)
        else:
            target_error = _("The simulation needs a level for every indicator; %(n)s are missing.") % {
                "n": len(sheet.missing)
            }
    ctx.update(
        {
            "basis": basis,
            "sheet": sheet,
            "gains": [
                (g, shape.indicators[g.number], g.gain_per_level.quantize(Decimal("0.0001"))) for g in gains[:15]
            ],
            "target": target,
            "target_text": target_text,
            "target_error": target_error,
            "bands": bands,
            "simulation": simulation,
            "raises": [(r, shape.indicators[r.number]) for r in simulation.raises] if simulation else [],
            "reached": scoring.round_index(simulation.reached) if simulation else None,
            "reached_predicate": scoring.predicate_for(scoring.round_index(simulation.reached), shape.bands)
            if simulation
            else None,
        }
    )
    return render(request, "evaluation/gap.html", ctx)


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = _context(request, pk, needs="sees_whole")
    results = selectors.history_for(ctx["evaluation"])
    previous = None
    rows: list[tuple[Any, Decimal | None]] = []
    for r in results:
        change = None if previous is None or r.index is None or previous.index is None else r.index - previous.index
        rows.append((r, change))
        previous = r
    ctx["rows"] = rows
    return render(request, "evaluation/history.html", ctx)


@login_required
def report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    evaluation = selectors.evaluation_for(request.user, pk)
    if fmt == "pdf":
        body, content_type = reports.report_pdf(request.user, evaluation), "application/pdf"
    elif fmt == "xlsx":
        body, content_type = reports.report_xlsx(request.user, evaluation), reports.ev.ALLOWED_KINDS["xlsx"]
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{reports.report_filename(evaluation, fmt)}"'
    return response


@login_required
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    item = selectors.evidence_file_for(request.user, evidence_id)
    if not item.file:
        raise Http404
    extension = (item.file.name or "").rsplit(".", 1)[-1]
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=f"bukti-{item.claim.indicator.number}-{item.pk}.{extension}",
        content_type=item.content_type,
    )


# ---------------------------------------------------------------- public roll-up


def rollup(request: HttpRequest) -> HttpResponse:
    try:
        period = int(request.GET.get("tahun", ""))
    except ValueError:
        period = None
    data = selectors.rollup(period)
    boundaries = selectors.kabkota_boundaries()
    areas = []
    rows = []
    province = None
    for institution, result in data.rows:
        if institution.region_code == "64":
            province = (institution, result)
            continue
        rows.append((institution, result))
        boundary = boundaries.get(institution.region_code)
        if boundary is None:
            continue
        predicate = result.predicate if result else None
        title = (
            f"{institution.name}: {result.index} ({predicate})"
            if result and result.index is not None
            else (f"{institution.name}: {_('no result')}")
        )
        areas.append(
            svgmap.Area(
                code=institution.region_code,
                geometry=boundary.geometry,
                title=title,
                fill=svgmap.PREDICATE_COLOURS.get(predicate or "", svgmap.NO_DATA),
            )
        )
    for code, boundary in boundaries.items():  # kab/kota with no instansi row yet
        if not any(a.code == code for a in areas):
            areas.append(svgmap.Area(code=code, geometry=boundary.geometry, title=code, fill=svgmap.NO_DATA))
    trend_rows = [
        (institution, [data.trend.get(institution.pk, {}).get(p) for p in data.periods])
        for institution, _r in data.rows
        if institution.pk in data.trend
    ]
    return render(
        request,
        "evaluation/rollup.html",
        {
            "data": data,
            "rows": rows,
            "province": province,
            "map_svg": svgmap.choropleth(areas, label=_("Map of SPBE index predicates per regency/city")),
            "colours": list(svgmap.PREDICATE_COLOURS.items()),
            "no_data_colour": svgmap.NO_DATA,
            "trend_rows": trend_rows,
            "domain_numbers": sorted(data.domain_names),
        },
    )
