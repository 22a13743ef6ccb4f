"""Small helpers shared by the core services."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from etam.core.actors import Actor
from etam.core.models import Role
from etam.core.permissions import active_grants


def is_super_admin(actor: Actor) -> bool:
    return any(g.role == Role.SUPER_ADMIN for g in active_grants(actor))


def require_authenticated(actor: Actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))


def reject_unknown_fields(changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        # A programming error, not user input: name it plainly.
        raise TypeError(f"cannot change field(s) {', '.join(unknown)}")


class FieldErrors:
    """Collects per-field messages and raises them together as one ValidationError."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code, params=dict(params or {})))

    def extend(self, field: str, error: ValidationError) -> None:
        self.errors.setdefault(field, []).extend(error.error_list)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


@contextmanager
def unique_or(error: Callable[[], Exception]) -> Iterator[None]:
    """Run the block in one transaction; when a unique constraint stops it (a concurrent request
    took the value after this one's checks passed), raise ``error()`` instead: the constraint decides."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise error() from None
