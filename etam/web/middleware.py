from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


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
