"""What the layout needs on every page: menu entries that resolve, and the shell's URLs.

Login and logout views belong to the core module; the shell links to them by URL name
when they are installed and falls back to their documented paths (``/masuk/``,
``/keluar/``) so that a page still renders while a module is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from etam.core.staff_access import is_staff_user as is_staff_user  # re-export: the shared check
from etam.web.navigation import NavEntry

LOGIN_PATH = "/masuk/"
LOGOUT_PATH = "/keluar/"
API_DOCS_PATH = "/api/v1/docs"


@dataclass(frozen=True)
class MenuLink:
    label: str | Promise
    url: str
    description: str | Promise
    current: bool


def _reverse_or(names: Iterable[str], fallback: str) -> str:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return fallback


def login_url() -> str:
    try:
        return resolve_url(settings.LOGIN_URL)
    except NoReverseMatch:
        return _reverse_or(["core:login", "login"], LOGIN_PATH)


def logout_url() -> str:
    return _reverse_or(["core:logout", "logout"], LOGOUT_PATH)


def shell_urls() -> dict[str, str]:
    return {
        "login": login_url(),
        "logout": logout_url(),
        "staff": _reverse_or(["web:staff_dashboard"], "/staf/"),
        "set_language": _reverse_or(["set_language"], "/i18n/setlang/"),
        "api_docs": API_DOCS_PATH,
        # A signed-in citizen's own pages (issue 15): their applications and their account.
        "my_applications": _reverse_or(["eservices:my_applications"], "/permohonan/"),
        "account": _reverse_or(["account"], "/akun/"),
        "outbox": _reverse_or(["offline:outbox"], "/luring/kotak-keluar/"),
    }


def menu_links(entries: Iterable[NavEntry], current_path: str = "") -> list[MenuLink]:
    """The entries whose URL resolves, marked ``current`` when the request is under them.

    An entry whose URL name does not resolve (module not wired yet) is left out rather
    than breaking every page.
    """
    links = []
    for entry in entries:
        try:
            url = entry.url
        except NoReverseMatch:
            continue
        current = current_path == url or (url != "/" and current_path.startswith(url))
        links.append(MenuLink(label=entry.label, url=url, description=entry.description, current=current))
    return links
