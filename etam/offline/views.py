"""Pages of the blank-spot module. Every form here also works with JavaScript off (it then
posts to the server like any form); the scripts only add the device outbox."""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from etam.core.actors import PersonRequest
from etam.core.staff_access import staff_gate
from etam.eservices import formengine
from etam.eservices import selectors as eservices_selectors
from etam.eservices.models import Service
from etam.eservices.submission_form import FormData
from etam.offline import selectors, services
from etam.offline.models import AssistedSubmission

STATIC_DIR = Path(__file__).resolve().parent / "static" / "offline"
SCRIPTS = ("outbox.js", "sw.js")


@lru_cache(maxsize=1)
def _assets_version() -> str:
    """The version in the service worker's cache names: the offline scripts and, where the
    static files are deployed with a manifest (production), the manifest's hash, so every
    deployment that changes a static file starts clean caches (docs/adr/0079)."""
    digest = hashlib.sha256()
    for name in SCRIPTS:
        digest.update((STATIC_DIR / name).read_bytes())
    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "") or "").encode())
    return digest.hexdigest()[:12]


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site root so its scope is the whole site."""
    body = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    body = body.replace("__VERSION__", _assets_version())
    body = body.replace("__CORE__", static("offline/outbox.js"))
    body = body.replace("__LOGOUT__", reverse("logout"))
    body = body.replace("__SET_LANGUAGE__", reverse("set_language"))
    body = body.replace("__LANGUAGE_COOKIE__", settings.LANGUAGE_COOKIE_NAME)
    body = body.replace(
        "__PRECACHE__",
        json.dumps(
            [
                static("offline/outbox.js"),
                static("eservices/rules.js"),
                reverse("offline:outbox"),
                reverse("offline:regions"),
                reverse("offline:manifest"),
            ]
        ),
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "Etam · SPBE Kalimantan Timur",
        "short_name": "Etam",
        "lang": "id",
        "start_url": reverse("eservices:catalogue"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#06403c",
        "icons": [{"src": static("etam/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def regions(request: HttpRequest) -> JsonResponse:
    """The whole Kaltim wilayah tree in one small file, so the address picker works
    offline: {kab: [name, {kec: [name, {desa: name}]}]}."""
    rows = selectors.kaltim_regions()
    tree: dict[str, Any] = {}
    for code, name in rows:
        parts = code.split(".")
        if len(parts) == 2:
            tree[code] = [name, {}]
        elif len(parts) == 3 and code[:5] in tree:
            tree[code[:5]][1][code] = [name, {}]
        elif len(parts) == 4 and code[:5] in tree and code[:8] in tree[code[:5]][1]:
            tree[code[:5]][1][code[:8]][1][code] = name
    response = JsonResponse(tree)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def outbox(request: HttpRequest) -> HttpResponse:
    """The device's outbox; the list is drawn from IndexedDB by outbox.js."""
    return render(request, "offline/outbox.html", {})


# ======================================================================================
# The one-page form (citizen and assisted)


def _combined(form: dict[str, Any]) -> dict[str, Any]:
    return {"pages": [{"id": "semua", "title": "", "fields": [f for p in form["pages"] for f in p["fields"]]}]}


def _sections(form: dict[str, Any], result: Any | None) -> list[dict[str, Any]]:
    """Every page's fields in one form. Conditions across pages become hints (offline
    nothing can be asked of the server), and the server judges them on submit."""
    raw = result.raw if result else None
    errors = result.errors if result else {}
    counts = result.group_counts if result else None
    bound = formengine.bind_page(_combined(form), 0, result.answers if result else {}, raw, errors, counts)
    by_name = {b.name: b for b in bound}
    sections = []
    for page in form["pages"]:
        fields = [by_name[f["name"]] for f in page["fields"] if f["name"] in by_name]
        sections.append({"title": formengine.localise(page["title"]), "fields": fields})
    return sections


def _has(form: dict[str, Any], kind: str) -> bool:
    def walk(fields: list[dict[str, Any]]) -> bool:
        return any(f["type"] == kind or (f["type"] == "group" and walk(f["fields"])) for f in fields)

    return any(walk(p["fields"]) for p in form["pages"])


def _adjust_groups(form: dict[str, Any], data: FormData, post: Any) -> None:
    """The no-JavaScript buttons: add or remove an entry of a repeating group."""
    add, remove = post.get("_add", ""), post.get("_remove", "")
    for page in form["pages"]:
        for spec in page["fields"]:
            if spec["type"] != "group":
                continue
            name = spec["name"]
            count = formengine.group_count(spec, data, {})
            if add == name:
                data[f"{name}{formengine.SEP}count"] = [str(min(count + 1, spec.get("max_items", 20)))]
            elif remove.startswith(f"{name}{formengine.SEP}"):
                index = remove.rsplit(formengine.SEP, 1)[-1]
                if index.isdigit():
                    _drop_item(data, name, int(index), count)


def _drop_item(data: FormData, name: str, index: int, count: int) -> None:
    prefix = f"{name}{formengine.SEP}"
    moved: dict[str, list[str]] = {}
    for key in list(data):
        if not key.startswith(prefix) or key == f"{prefix}count":
            continue
        rest = key[len(prefix) :]
        position, _sep, child = rest.partition(formengine.SEP)
        if not position.isdigit():
            continue
        values = data.pop(key)
        i = int(position)
        if i == index:
            continue
        moved[f"{prefix}{i - 1 if i > index else i}{formengine.SEP}{child}"] = values
    data.update(moved)
    data[f"{prefix}count"] = [str(max(count - 1, 1))]


def _render_form(
    request: HttpRequest,
    service: Service,
    *,
    assisted: bool,
    result: Any = None,
    assisted_values: Any = None,
    status: int = 200,
    citizen_errors: dict[str, str] | None = None,
    form_error: str = "",
) -> HttpResponse:
    version = service.published_version
    assert version is not None
    form = version.form
    all_errors = dict(result.errors) if result is not None else {}
    values = assisted_values or {}
    context = {
        "service": service,
        "version": version,
        "sections": _sections(form, result),
        "errors": all_errors,
        "has_files": _has(form, "file"),
        "has_address": _has(form, "address"),
        "assisted": assisted,
        "citizen": {
            "nama": values.get("_warga_nama", ""),
            "nik": values.get("_warga_nik", ""),
            "telepon": values.get("_warga_telepon", ""),
            "tempat": values.get("_tempat", ""),
            "consent": values.get("_persetujuan") == "1",
        },
        "citizen_errors": citizen_errors or {},
        "form_error": form_error,
        "consent_text": services.consent_text(),
        "item_key": str(uuid.uuid4()),
        "file_limit_kb": request_file_limit_kb(),
        "file_limit": formengine.human_size(request_file_limit_kb()),
        "action": request.path,
        "base_template": "staff/base.html" if assisted else "base.html",
        "rules": formengine.whole_form_payload(form, extra=_citizen_fields() if assisted else None),
    }
    response = render(request, "offline/form.html", context, status=status)
    return offline_cache_headers(request, response)


def _citizen_fields() -> list[dict[str, Any]]:
    """The assisted citizen's name, NIK and phone, checked on the device like form fields
    (NIK or phone may be left out; the server asks for one of them)."""
    return [
        {"name": "_warga_nama", "type": "text", "label": _("Citizen's full name")},
        {"name": "_warga_nik", "type": "nik", "label": _("Citizen's NIK"), "required": False},
        {"name": "_warga_telepon", "type": "phone", "label": _("Citizen's mobile number"), "required": False},
    ]


def offline_cache_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A blank page the service worker may keep for blank spots gets ``private, no-cache``
    (revalidated, never in a shared cache); the same page carrying anything else (a message
    naming a citizen, the values and errors of a refused post) is ``no-store``, which the
    service worker never keeps (docs/adr/0079)."""
    blank = request.method == "GET" and response.status_code == 200 and not len(messages.get_messages(request))
    if blank:
        patch_cache_control(response, private=True, no_cache=True, max_age=0)
    else:
        patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    return response


def request_file_limit_kb() -> int:
    return int(settings.ESERVICES_UPLOAD_MAX_BYTES // 1024)


def _open_service(slug: str) -> Service:
    service = (
        eservices_selectors.public_services()
        .select_related("published_version", "agency__institution")
        .filter(slug=slug)
        .first()
    )
    if service is None or not service.is_open:
        raise Http404
    return service


def _inline_files(request: HttpRequest) -> dict[str, tuple[str, bytes]]:
    out = {}
    for name in request.FILES:
        upload = request.FILES.get(name)
        if upload is not None and upload.size and upload.size <= services.UPLOAD_MAX_BYTES:
            out[name] = (upload.name or "berkas", upload.read())
    return out


def _handle_post(request: PersonRequest, service: Service, *, assisted: bool) -> HttpResponse:
    data = FormData.from_querydict(request.POST)
    version = service.published_version
    assert version is not None
    assisted_raw = None
    if assisted:
        assisted_raw = {
            "citizen_name": request.POST.get("_warga_nama", ""),
            "nik": request.POST.get("_warga_nik", ""),
            "phone": request.POST.get("_warga_telepon", ""),
            "place": request.POST.get("_tempat", ""),
            "consent": request.POST.get("_persetujuan") == "1",
            "consent_text": services.consent_text(),
        }
    if any(k in request.POST for k in ("_add", "_remove", "_choose")):
        _adjust_groups(version.form, data, request.POST)
        from etam.eservices.submission_form import process_all

        result = process_all(version.form, data, {}, store=None, validate=False)
        return _render_form(request, service, assisted=assisted, result=result, assisted_values=request.POST)
    try:
        intake = services.application_intake(
            actor=request.user,
            service_id=service.pk,
            version_number=int(request.POST.get("_version") or version.number),
            fields=data,
            idempotency_key=request.POST.get("_key"),
            inline_files=_inline_files(request),
            assisted=assisted_raw,
            channel=AssistedSubmission.Channel.ONLINE,
        )
    except services.Refused as refused:
        from etam.eservices.submission_form import process_all

        result = process_all(version.form, data, {}, store=None, validate=False)
        result.errors = {k: v for k, v in refused.fields.items() if not k.startswith("assisted.")}
        citizen = {k[len("assisted.") :]: v for k, v in refused.fields.items() if k.startswith("assisted.")}
        return _render_form(
            request,
            service,
            assisted=assisted,
            result=result,
            assisted_values=request.POST,
            status=refused.status if refused.status in (409, 413) else 422,
            citizen_errors=citizen,
            form_error="" if refused.fields else refused.message,
        )
    number = intake.application.tracking_number
    if assisted:
        messages.success(
            request,
            _(
                "Received: %(name)s, tracking number %(number)s (receipt secret %(secret)s). The form is ready "
                "for the next citizen."
            )
            % {
                "name": intake.assisted.citizen_name if intake.assisted else "",
                "number": number,
                "secret": intake.receipt_secret,
            },
        )
        return redirect(request.path)
    request.session[f"tanda-terima:{number}"] = intake.receipt_secret
    return redirect("eservices:receipt", tracking_number=number)


@require_http_methods(["GET", "POST"])
def offline_form(request: PersonRequest, slug: str) -> HttpResponse:
    """A service's whole form on one page: cached by the service worker once opened, it
    can be filled and sent with the network off (the outbox sends it later)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    service = _open_service(slug)
    if request.method == "POST":
        return _handle_post(request, service, assisted=False)
    return _render_form(request, service, assisted=False)


def _require_assist(request: HttpRequest) -> HttpResponse | None:
    message = _("Only officers with the assisted-entry role may open this page.")
    return staff_gate(request, allowed=services.can_assist, message=message)


@require_http_methods(["GET", "POST"])
def assisted_form(request: PersonRequest, slug: str) -> HttpResponse:
    if (response := _require_assist(request)) is not None:
        return response
    service = _open_service(slug)
    if request.method == "POST":
        return _handle_post(request, service, assisted=True)
    return _render_form(request, service, assisted=True)


def device(request: HttpRequest) -> HttpResponse:
    """Mode petugas without a signal: the services to enter, the batch on this device (drawn
    by outbox.js), sending and export of a bundle. Nothing from the server about citizens,
    so the service worker may keep it for blank spots; what the server received is on the
    assisted page, which is never kept (docs/adr/0079)."""
    if (response := _require_assist(request)) is not None:
        return response
    open_services = list(
        eservices_selectors.public_services()
        .filter(status=Service.Status.ACTIVE, published_version__isnull=False)
        .select_related("agency")
        .order_by("name")[:200]
    )
    response = render(request, "offline/device.html", {"services": open_services})
    return offline_cache_headers(request, response)


@never_cache
def assisted(request: HttpRequest) -> HttpResponse:
    """Mode petugas: the batch on this device (drawn by outbox.js), what the server already
    received from this officer, the services to enter, export of a bundle."""
    if (response := _require_assist(request)) is not None:
        return response
    received = list(selectors.assisted_by(request.user)[:50])
    rows = [selectors.assisted_row(r) for r in received]
    open_services = list(
        eservices_selectors.public_services()
        .filter(status=Service.Status.ACTIVE, published_version__isnull=False)
        .select_related("agency")
        .order_by("name")[:200]
    )
    keys = list(selectors.device_keys_of(request.user)[:20])
    return render(
        request,
        "offline/assisted.html",
        {"received": rows, "services": open_services, "device_keys": keys},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def bundle_import(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.can_import(request.user):
        raise PermissionDenied(_("You do not have permission to import bundles."))
    context: dict[str, Any] = {"report": None, "error": ""}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("bundel")
        if upload is None:
            context["error"] = _("Bundle file: choose the .etam file the officer exported.")
            status = 422
        elif (upload.size or 0) > services.BUNDLE_MAX_BYTES:
            context["error"] = _("The bundle is larger than 64 MB; export it in smaller parts.")
            status = 413
        else:
            try:
                context["report"] = services.bundle_import(actor=request.user, raw=upload.read())
            except services.BundleRejected as rejected:
                context["error"] = rejected.message
                status = 422
    context["history"] = list(selectors.bundles_imported_by(request.user)[:20])
    return render(request, "offline/bundle_import.html", context, status=status)


@require_http_methods(["POST"])
def device_key_revoke(request: HttpRequest, key_id: str) -> HttpResponse:
    if (response := _require_assist(request)) is not None:
        return response
    key = get_object_or_404(selectors.device_keys_of(request.user), key_id=key_id)
    services.device_key_revoke(actor=request.user, key=key)
    messages.success(request, _("Device withdrawn: bundles it signs are no longer accepted."))
    return redirect("offline:assisted")
