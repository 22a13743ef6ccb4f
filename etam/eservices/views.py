"""Citizen and public pages. All work without JavaScript; every form keeps what was typed."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from etam.core import pageholes, ratelimit
from etam.core.actors import PersonRequest
from etam.eservices import definitions, documents, formengine, hooks, selectors, services, submission_form
from etam.eservices.models import Application, Draft, IssuedDocument, Sector, Service
from etam.eservices.workflow import Workflow, allowed_actions, localise

PAGE_SIZE = 20
LOOKUP_LIMIT = 20  # anonymous status lookups per client per 15 minutes


def paginated(request: HttpRequest, items: Any, size: int = PAGE_SIZE) -> tuple[Page, str]:
    """A page of ``items`` (``?hal=``) and the query string without ``hal`` for the page links."""
    page = Paginator(items, size).get_page(request.GET.get("hal"))
    query = request.GET.copy()
    query.pop("hal", None)
    return page, query.urlencode()


def _signed_in(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated)


# ======================================================================================
# Catalogue


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    sector = request.GET.get("sektor", "")
    institution = request.GET.get("instansi", "")
    agency = request.GET.get("opd", "")
    if sector not in Sector.values:
        sector = ""
    results = selectors.catalogue(q=q, sector=sector, institution=institution, agency=agency)
    page, query = paginated(request, results)
    institutions, agencies = selectors.catalogue_filters(institution)
    return render(
        request,
        "eservices/catalogue.html",
        {
            "page": page,
            "q": q,
            "sector": sector,
            "institution": institution,
            "agency": agency,
            "sectors": Sector.choices,
            "institutions": institutions,
            "agencies": agencies,
            "query": query,
        },
    )


@require_GET
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = selectors.service_by_slug(slug)
    start = reverse("eservices:fill_start", args=[service.slug])
    return render(
        request,
        "eservices/service_detail.html",
        {
            "service": service,
            "summary": selectors.completion_summary(service),
            "start_url": start if _signed_in(request) else f"{reverse('login')}?next={start}",
        },
    )


@require_GET
def schema(request: HttpRequest, name: str) -> JsonResponse:
    try:
        document = definitions.schema(name)
    except KeyError:
        raise Http404 from None
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})


@require_GET
def region_children(request: HttpRequest, code: str) -> JsonResponse:
    """Children of a region, for the optional JavaScript enhancement of the wilayah picker."""
    levels = {"64": "kabupaten_kota", 5: "kecamatan", 8: "desa_kelurahan"}
    level = levels.get(code) or levels.get(len(code))
    if level is None:
        raise Http404
    rows = formengine.region_options(level, code)
    response = JsonResponse({"parent": code, "children": [{"code": c, "name": n} for c, n in rows]})
    response["Cache-Control"] = "public, max-age=86400"
    return response


# ======================================================================================
# Filling a form


def _login_required(request: HttpRequest) -> HttpResponse | None:
    if not _signed_in(request):
        return redirect_to_login(request.get_full_path())
    return None


def _service_and_draft(request: PersonRequest, slug: str) -> tuple[Service, Draft]:
    """The public service and the signed-in citizen's draft of it (made on first use)."""
    service = selectors.service_by_slug(slug)
    return service, services.draft_for(actor=request.user, service=service)


def _page_ids(form: dict[str, Any]) -> list[str]:
    return [page["id"] for page in form["pages"]]


@never_cache
def fill_start(request: PersonRequest, slug: str) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    _service, draft = _service_and_draft(request, slug)
    answers = (draft.data or {}).get("answers", {})
    visible = formengine.visible_pages(draft.version.form, answers)
    page = draft.page if draft.page in visible else visible[0]
    return redirect("eservices:fill", slug=slug, page=page + 1)


def _rename_group_raw(raw: dict[str, Any], group: str, removed: int) -> dict[str, Any]:
    prefix = f"{group}{formengine.SEP}"
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key.startswith(prefix) and key[len(prefix) :].split(formengine.SEP)[0].isdigit():
            index_text, _, rest = key[len(prefix) :].partition(formengine.SEP)
            index = int(index_text)
            if index == removed:
                continue
            if index > removed:
                key = f"{prefix}{index - 1}{formengine.SEP}{rest}"
        out[key] = value
    if f"{prefix}count" in out:
        out[f"{prefix}count"] = str(max(1, int(out[f"{prefix}count"]) - 1))
    return out


@never_cache
@require_http_methods(["GET", "POST"])
def fill(request: PersonRequest, slug: str, page: int) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    service, draft = _service_and_draft(request, slug)
    form = draft.version.form
    index = page - 1
    data = dict(draft.data or {})
    answers: dict[str, Any] = dict(data.get("answers", {}))
    visible = formengine.visible_pages(form, answers)
    if index not in visible:
        return redirect("eservices:fill", slug=slug, page=(visible[0] if index < visible[0] else visible[-1]) + 1)
    page_id = form["pages"][index]["id"]
    position = visible.index(index)
    errors: dict[str, str] = {}
    raw = (data.get("raw") or {}).get(page_id)
    counts: dict[str, int] = {}
    if request.method == "POST":
        intent = "next"
        for key in ("_back", "_choose", "_add", "_remove", "_save"):
            if key in request.POST:
                intent = key
        validate = intent == "next"
        result = formengine.process_page(
            form,
            index,
            request.POST,
            request.FILES,
            answers,
            store=services.file_store_for(request.user),
            validate=validate,
        )
        raw, counts = result.raw, dict(result.group_counts)
        if intent == "_add":
            group = request.POST.get("_add", "")
            if group in counts:
                counts[group] += 1
                raw[f"{group}{formengine.SEP}count"] = str(counts[group])
        elif intent == "_remove":
            group, _sep, removed = request.POST.get("_remove", "").rpartition(formengine.SEP)
            if group in counts and removed.isdigit():
                items = result.answers.get(group)
                if isinstance(items, list) and int(removed) < len(items):
                    items.pop(int(removed))
                raw = _rename_group_raw(raw, group, int(removed))
                counts[group] = max(1, counts[group] - 1)
        if validate and result.ok:
            services.draft_save(actor=request.user, draft=draft, answers=result.answers, page=index, raw=None)
            following = formengine.visible_pages(form, result.answers)
            later = [i for i in following if i > index]
            if later:
                return redirect("eservices:fill", slug=slug, page=later[0] + 1)
            return redirect("eservices:review", slug=slug)
        services.draft_save(actor=request.user, draft=draft, answers=result.answers, page=index, raw=raw)
        if intent == "_back":
            previous = [i for i in visible if i < index]
            return redirect("eservices:fill", slug=slug, page=(previous[-1] if previous else index) + 1)
        if intent == "_save":
            return redirect("eservices:my_applications")
        if intent in {"_choose", "_add", "_remove"}:
            anchor = request.POST.get(intent, "")
            return redirect(reverse("eservices:fill", args=[slug, page]) + (f"#f-{anchor}" if anchor else ""))
        answers, errors = result.answers, result.errors
    if request.method == "GET":  # name, NIK and phone from the account, editable (issue 15)
        answers = {**submission_form.account_prefill(form, request.user, answers), **answers}
    fields = formengine.bind_page(form, index, answers, raw, errors, counts or None)
    has_files = any(f.type == "file" or any(c.type == "file" for item in f.items for c in item) for f in fields)
    has_address = any(f.type == "address" or any(c.type == "address" for item in f.items for c in item) for f in fields)
    return render(
        request,
        "eservices/fill.html",
        {
            "service": service,
            "page": form["pages"][index],
            "page_title": localise(form["pages"][index]["title"]),
            "page_intro": localise(form["pages"][index].get("intro")),
            "fields": fields,
            "errors": errors,
            "step": position + 1,
            "steps": len(visible),
            "first": position == 0,
            "has_files": has_files,
            "has_address": has_address,
            "rules": formengine.page_payload(form, index, answers),
        },
        status=200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def review(request: PersonRequest, slug: str) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    service, draft = _service_and_draft(request, slug)
    form = draft.version.form
    answers = (draft.data or {}).get("answers", {})
    problems = formengine.validate_all(form, answers)
    errors: dict[str, str] = {}
    if request.method == "POST" and not problems:
        try:
            submission = services.application_submit(
                actor=request.user,
                service=service,
                answers=answers,
                idempotency_key=request.POST.get("kunci", "")[:80] or None,
            )
        except services.ApplicationRefused as refused:
            errors = refused.errors
        else:
            request.session[f"tanda-terima:{submission.application.tracking_number}"] = submission.receipt_secret
            return redirect("eservices:receipt", tracking_number=submission.application.tracking_number)
    elif request.method == "POST":
        # The draft was submitted already (double click after success): show the case.
        pass
    page_of = {}
    for index, page in enumerate(form["pages"]):
        for spec in page["fields"]:
            page_of[spec["name"]] = index + 1
    return render(
        request,
        "eservices/review.html",
        {
            "service": service,
            "sections": formengine.summarise(form, answers, mask=False),
            "problems": [(page_of.get(name, 1), message) for name, message in problems.items()],
            "errors": errors,
            "idempotency_key": uuid.uuid4().hex,
        },
    )


@require_POST
def discard(request: PersonRequest, slug: str) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    _service, draft = _service_and_draft(request, slug)
    services.draft_discard(actor=request.user, draft=draft)
    return redirect("eservices:service_detail", slug=slug)


# ======================================================================================
# The citizen's cases


@never_cache
def my_applications(request: HttpRequest) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    applications = selectors.applications_of(request.user)
    page, _query = paginated(request, applications)
    rows = [(a, Workflow(a.version.workflow).state_label(a.state)) for a in page]
    drafts = selectors.drafts_of(request.user)
    return render(request, "eservices/my_applications.html", {"page": page, "rows": rows, "drafts": drafts})


@never_cache
def receipt(request: HttpRequest, tracking_number: str) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    application = selectors.application_of(request.user, tracking_number)
    secret = request.session.pop(f"tanda-terima:{application.tracking_number}", None)
    if request.method == "POST":
        secret = services.receipt_secret_renew(actor=request.user, application=application)
    return render(request, "eservices/receipt.html", {"application": application, "secret": secret})


def _case_context(application: Application) -> dict[str, Any]:
    workflow = Workflow(application.version.workflow)
    events = list(selectors.public_events(application).select_related(None))
    for event in events:
        event.state_label = workflow.state_label(event.to_state) if event.to_state else ""  # type: ignore[attr-defined]
        action = workflow.actions.get(event.action)
        event.action_label = action.label_text if action else ""  # type: ignore[attr-defined]
    document = selectors.document_of(application)
    return {
        "application": application,
        "workflow": workflow,
        "state_label": workflow.state_label(application.state),
        "events": events,
        "document": document,
        "sections": formengine.summarise(application.version.form, application.all_answers(), mask=True),
    }


@never_cache
def case_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    application = selectors.application_of(request.user, tracking_number)
    actions = [a for a in allowed_actions(request.user, application) if a.by_applicant]
    links = hooks.case_links(application)
    key = _case_page_key(request, application, actions, links)
    stored = cache.get(key) if key else None
    if isinstance(stored, bytes):
        return HttpResponse(pageholes.fill(stored, request), content_type="text/html; charset=utf-8")
    context = _case_context(application)
    context["applicant_actions"] = actions
    context["case_links"] = links
    response = render(request, "eservices/case.html", context)
    if key and response.status_code == 200:
        body = pageholes.punch(response.content, pageholes.request_nonce(request))
        cache.set(key, body, settings.CASE_PAGE_CACHE_SECONDS)
    return response


def _case_page_key(request: HttpRequest, application: Application, actions: list, links: list) -> str | None:
    """The key of the kept rendering of this citizen's case page (docs/adr/0168): the person,
    language, case and everything on the page that can change (the case row, its latest event,
    its document, the actions and links offered); None when it must be rendered afresh (off, or
    a one-time message waiting to be shown)."""
    if settings.CASE_PAGE_CACHE_SECONDS <= 0 or "messages" in request.COOKIES:
        return None
    session = getattr(request, "session", None)
    if session is not None and session.get("_messages"):
        return None
    place = "|".join(
        [
            str(request.user.pk),
            getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
            str(application.pk),
            selectors.case_page_stamp(application),
            ",".join(a.name for a in actions),
            ";".join(f"{link.label}>{link.url}" for link in links),
        ]
    )
    return "casepage:v1:" + hashlib.sha256(place.encode()).hexdigest()


@never_cache
@require_http_methods(["GET", "POST"])
def revision(request: PersonRequest, tracking_number: str) -> HttpResponse:
    """Answer a revision request: the whole form on one page, prefilled, plus a message."""
    if (response := _login_required(request)) is not None:
        return response
    application = selectors.application_of(request.user, tracking_number)
    actions = [a for a in allowed_actions(request.user, application) if a.by_applicant]
    if not actions:
        return redirect("eservices:case", tracking_number=tracking_number)
    form = application.version.form
    answers = application.all_answers()
    errors: dict[str, str] = {}
    raws: dict[int, dict[str, Any]] = {}
    message = ""
    if request.method == "POST":
        message = request.POST.get("pesan", "").strip()[:2000]
        store = services.file_store_for(request.user)
        for index in formengine.visible_pages(form, answers):
            result = formengine.process_page(form, index, request.POST, request.FILES, answers, store=store)
            answers = result.answers
            raws[index] = result.raw
            errors.update(result.errors)
        if not errors:
            try:
                services.application_act(
                    actor=request.user,
                    application=application,
                    action=actions[0].name,
                    reason=message,
                    answers=answers,
                )
            except services.ApplicationRefused as refused:
                errors = refused.errors
            else:
                return redirect("eservices:case", tracking_number=tracking_number)
    pages = [
        {
            "title": localise(form["pages"][i]["title"]),
            "fields": formengine.bind_page(form, i, answers, raws.get(i), errors),
        }
        for i in formengine.visible_pages(form, answers)
    ]
    return render(
        request,
        "eservices/revision.html",
        {"application": application, "pages": pages, "errors": errors, "message": message, "action": actions[0]},
    )


@never_cache
def file_download(request: HttpRequest, tracking_number: str, file_id: int) -> FileResponse:
    application = selectors.application_with_files(request.user, tracking_number)
    upload = selectors.file_for(request.user, application, file_id)
    response = FileResponse(
        upload.file.open("rb"), as_attachment=True, filename=upload.original_name, content_type=upload.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def document_download(request: HttpRequest, tracking_number: str) -> FileResponse:
    application = selectors.application_with_files(request.user, tracking_number)
    document = selectors.issued_document_of(application)
    if document is None or not document.file:
        raise Http404
    filename = f"{document.number.replace('/', '-')}.pdf"
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# ======================================================================================
# Anonymous status and verification


def _rate_limited(request: HttpRequest, purpose: str, limit: int) -> bool:
    """Per client address (``TRUSTED_PROXY_COUNT``), an atomic counter per 15 minutes."""
    return not ratelimit.hit_address(request, f"eservices:{purpose}", limit, 15 * 60).allowed


@never_cache
@require_http_methods(["GET", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"tracking_number": "", "errors": {}}
    if request.method == "POST":
        number = request.POST.get("nomor", "").strip().upper()[:40]
        secret = request.POST.get("kode", "").strip()[:40]
        context["tracking_number"] = number
        if _rate_limited(request, "lookup", LOOKUP_LIMIT):
            context["errors"]["nomor"] = _("Too many attempts. Wait 15 minutes and try again.")
            return render(request, "eservices/status_lookup.html", context, status=429)
        if not number:
            context["errors"]["nomor"] = _("Tracking number: enter the number on your receipt.")
        if not secret:
            context["errors"]["kode"] = _("Receipt code: enter the code on your receipt, e.g. K7QM-3XPA-9TRD.")
        if not context["errors"]:
            application = selectors.status_lookup(number, secret)
            if application is None:
                context["errors"]["kode"] = _(
                    "Tracking number and receipt code do not match any application. Check both and try again."
                )
            else:
                workflow = Workflow(application.version.workflow)
                context["found"] = application
                context["state_label"] = workflow.state_label(application.state)
                context["events"] = [
                    (e.at, workflow.state_label(e.to_state) if e.to_state else e.get_kind_display())
                    for e in selectors.public_events(application)
                ]
    return render(request, "eservices/status_lookup.html", context)


@require_GET
def verify_document(request: HttpRequest, code: str) -> HttpResponse:
    document = selectors.document_by_code(code)
    if document is None or document.status != IssuedDocument.Status.ISSUED:
        return render(request, "eservices/verify.html", {"code": code, "document": None}, status=404)
    from etam.eservices.verification import verify_record

    return render(
        request, "eservices/verify.html", {"code": code, "document": document, "result": verify_record(document)}
    )


@require_GET
def demo_crl(request: HttpRequest, name: str) -> HttpResponse:
    """The CRLs of the local demo PKI (the distribution points its certificates name);
    404 when Etam signs through a remote service (its CA publishes its own)."""
    from etam.eservices.signing.signer import LocalSigner, get_signer

    signer = get_signer()
    if not isinstance(signer, LocalSigner) or name not in ("root", "intermediate"):
        raise Http404
    response = HttpResponse(signer.pki.crl(name), content_type="application/pkix-crl")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def public_keys(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        {"format": "etam.document-keys/1", "payload_prefix": documents.PAYLOAD_PREFIX, "keys": documents.public_keys()},
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_http_methods(["GET", "POST"])
def verify_check(request: HttpRequest) -> HttpResponse:
    """Check an uploaded PDF or a pasted QR text."""
    from etam.eservices.verification import verify_submission

    context: dict[str, Any] = {"qr": ""}
    if request.method == "POST":
        if _rate_limited(request, "verify", 60):
            raise PermissionDenied
        context["qr"] = request.POST.get("qr", "")[:2000]
        upload = request.FILES.get("pdf")
        if upload is not None and (upload.size or 0) > 20 * 1024 * 1024:
            context["error"] = _("PDF: the file is larger than 20 MB.")
        elif upload is None and not context["qr"].strip():
            context["error"] = _("Choose the PDF to check, or paste the text of the QR code.")
        else:
            pdf = upload.read() if upload is not None else None
            context["result"] = verify_submission(qr=context["qr"] or None, pdf=pdf)
    return render(request, "eservices/verify_check.html", context)


def render_json(data: Any) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/json")
