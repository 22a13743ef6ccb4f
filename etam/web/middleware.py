from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

STAFF_PREFIX = "/staf/"


class IndonesianFirstMiddleware:
    """Pages speak Bahasa Indonesia unless the visitor chose another language.

    Django's LocaleMiddleware also follows the browser's Accept-Language, which would
    show English to every phone set to English. For HTML pages only an explicit choice
    (the language cookie set by the switch in the header) counts; the JSON API under
    /api/ keeps Accept-Language for machine clients. Placed right after LocaleMiddleware.
    See docs/adr/0011-indonesian-first-language-choice.md.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in self.supported and not request.path.startswith("/api/"):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Pages that may show personal data are never stored by a browser or the service worker.

    - Staff pages (``/staf/``) that did not choose their own Cache-Control get Django's
      never-cache headers (``no-store``): they list citizens, cases and accounts. The blank
      assisted-entry forms choose ``private, no-cache`` themselves, so the service worker
      may keep them for blank spots.
    - Any page that showed a one-time message (it may name a citizen or carry a receipt
      secret) is made ``no-store`` as well.
    The service worker never keeps a ``no-store`` answer (docs/adr/0079). Placed right after
    MessageMiddleware, so it sees the messages before they are consumed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(STAFF_PREFIX) and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        storage = getattr(request, "_messages", None)
        if storage is not None and getattr(storage, "used", False) and len(storage):
            patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
        return response
