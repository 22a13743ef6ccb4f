from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from etam.web import shell as shell_helpers
from etam.web.navigation import PUBLIC_NAV


def shell(request: HttpRequest) -> dict[str, Any]:
    """Context for the layout. The staff check is lazy: public pages seen by anonymous
    visitors never query role grants."""
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "shell_public_nav": shell_helpers.menu_links(PUBLIC_NAV, request.path),
        "shell_urls": shell_helpers.shell_urls(),
        "shell_is_staff": SimpleLazyObject(lambda: shell_helpers.is_staff_user(getattr(request, "user", None))),
    }
