"""Menu entries contributed by the modules.

Each module registers its public and staff entries from its ``AppConfig.ready`` so the
shell never imports module code. A staff entry names the permission that shows it; the
view behind it checks again (the menu is a courtesy, not the check).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

from etam.core.actors import Actor


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    order: int = 100
    permission: str | None = None  # staff entries: shown if the user has it anywhere
    description: str | Promise = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


PUBLIC_NAV: list[NavEntry] = []
STAFF_NAV: list[NavEntry] = []


def register_public(entry: NavEntry) -> None:
    if entry not in PUBLIC_NAV:
        PUBLIC_NAV.append(entry)
        PUBLIC_NAV.sort(key=lambda e: e.order)


def register_staff(entry: NavEntry) -> None:
    if entry not in STAFF_NAV:
        STAFF_NAV.append(entry)
        STAFF_NAV.sort(key=lambda e: e.order)


# A menu row: (label, url_name, order[, permission[, description]]), NavEntry's fields in order.
MenuRow = tuple[Any, ...]


def register_menu(*, public: Iterable[MenuRow] = (), staff: Iterable[MenuRow] = ()) -> None:
    """Register a module's public and staff menu entries (from its ``AppConfig``)."""
    for row in public:
        register_public(NavEntry(*row))
    for row in staff:
        register_staff(NavEntry(*row))


def staff_entries_for(user: Actor) -> list[NavEntry]:
    from etam.core.permissions import has_perm

    return [e for e in STAFF_NAV if e.permission is None or has_perm(user, e.permission)]
