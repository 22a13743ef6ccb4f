from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import get_callable
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, requires_csrf_token
from django.views.decorators.http import require_POST

from etam.core import readiness, selectors
from etam.core.staff_access import is_staff_user, staff_gate
from etam.web import shell
from etam.web.dashboard import widgets_for
from etam.web.navigation import PUBLIC_NAV, staff_entries_for


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"modules": shell.menu_links(PUBLIC_NAV)})


@never_cache
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    """The staff area's landing page: the user's role grants, their menu as cards, and
    the widgets the modules registered (etam.web.dashboard)."""
    if (response := staff_gate(request, allowed=is_staff_user)) is not None:
        return response
    grants = selectors.own_active_grants(request.user)
    context = {
        "grants": grants,
        "entries": shell.menu_links(staff_entries_for(request.user)),
        "widgets": widgets_for(request),
    }
    return render(request, "web/staff_dashboard.html", context)


def _same_site_post(request: HttpRequest) -> bool:
    """The post came from a page of this site, by the headers a browser sends with it: Origin
    (every current browser on a POST), else Sec-Fetch-Site, else Referer."""
    ours = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin in ours
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    referer = urlsplit(request.headers.get("Referer", ""))
    # No header names a site (an old browser that also hides its Referer): the only effect of
    # this view is the visitor's own language cookie.
    return not referer.netloc or f"{referer.scheme}://{referer.netloc}" in ours


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch without a CSRF token (docs/adr/0167): the header's form then
    carries nothing of the visitor's, so an anonymous public page is the same for everyone and
    a shared cache may keep it. A post from another site is still refused (403, the CSRF page):
    its Origin (or Sec-Fetch-Site, or Referer) must be this site. Django's view does the rest:
    only a supported language, ``next`` only to this site, the choice kept in the cookie."""
    if not _same_site_post(request):
        failure = get_callable(settings.CSRF_FAILURE_VIEW)
        return failure(request, reason="Origin checking failed - the language switch was posted from another site.")
    return i18n.set_language(request)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive. Touches nothing else, so a slow database cannot fail it."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: every component answers (database, cache, queue, storage) and no
    migration is pending. ``database`` at the top level stays for probes written against
    the first version of this endpoint."""
    report = readiness.check_all()
    components = report["components"]
    body: dict[str, object] = {
        "status": "ok" if report["ready"] else "unavailable",
        "database": "ok" if components["database"]["status"] == "ok" else "unreachable",
        "pending_migrations": report["pending_migrations"],
        "components": components,
    }
    return JsonResponse(body, status=200 if report["ready"] else 503)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """Django's own 500 view, with the request's CSP nonce for the page's inline <style>.

    Like Django's, it renders without context processors (the error may be in one of them
    or in the database), so the nonce is passed in on its own (docs/adr/0078)."""
    template = loader.get_template("500.html")
    nonce = getattr(request, "csp_nonce", "")
    return HttpResponseServerError(template.render({"csp_nonce": str(nonce) if nonce is not None else ""}))
