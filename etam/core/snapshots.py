"""The stored values of a row's fields for an audit event's before/after: a foreign key as its
id, a date or a datetime as ISO text (``core.changes.snapshot`` keeps the Python values)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import models


def stored_values(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """``{name: value}`` for each model field named in ``fields``."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)  # type: ignore[union-attr]  # a concrete field, never a relation's reverse
        if isinstance(value, date):  # a datetime is a date too
            value = value.isoformat()
        out[name] = value
    return out
