from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

STAFF_PREFIX = "/staf/"

logger = logging.getLogger(__name__)


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


class StorageUnavailableMiddleware:
    """A page whose request needed the object storage while it was unreachable answers 503.

    Instead of the generic 500 page: a short page saying that nothing was saved and to try
    again, with ``Retry-After``, as the API does with ``storage_unavailable``
    (``etam.api.errors``; Ninja answers the /api/v1/ requests before this is reached). The
    request's transaction has rolled back when this runs (ATOMIC_REQUESTS or the service's
    own ``transaction.atomic``).
    """

    RETRY_AFTER_SECONDS = 120

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from etam.core.storage_errors import storage_unavailable

        if not storage_unavailable(exception):
            return None
        logger.error("object storage unavailable on %s %s: %s", request.method, request.path, exception)
        response = render(request, "web/storage_unavailable.html", status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
