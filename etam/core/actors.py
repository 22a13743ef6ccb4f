"""Who acts: the types every service, selector and permission check takes.

``Actor`` is whoever makes a request: a signed-in ``User`` (a token-authenticated
request's user is a ``User`` too, carrying ``_etam_token_grants`` and ``_etam_api_token``,
which ``core.permissions`` and ``core.audit`` read with ``getattr``) or an anonymous
visitor. ``Person`` is a signed-in user: services that store the actor on a row
(``created_by``, ``owner``, ``actor`` of an event) take a ``Person``, and views behind
``login_required`` type their request as ``PersonRequest`` to pass ``request.user`` on.

The system (demo loaders, management commands, background tasks) acts as ``None``:
``core.audit.record`` labels it "sistem" and ``core.permissions`` grants it nothing. A
function the system may call takes ``actor: Actor | None``; one only a person may call
takes ``actor: Actor`` (or ``Person``).
"""

from __future__ import annotations

from typing import Any, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from etam.core.models.people import User

Actor: TypeAlias = User | AnonymousUser
Person: TypeAlias = User


class PersonRequest(HttpRequest):
    """A request behind ``login_required``: its user is signed in (for the type checker only)."""

    user: User


def stored_person(actor: Any) -> User | None:
    """The actor as the ``User`` a row stores (``created_by``, ``reviewed_by``, ...): ``None`` for the
    system, an anonymous visitor or anything without a saved id. One spelling for every service."""
    return actor if isinstance(actor, User) and actor.pk is not None else None
