"""A row's field values: ``assign_given`` sets the fields a form or payload gave, and
``stored_values`` reads them as stored for an audit event's before/after (a foreign key as its
id, a date or a datetime as ISO text; ``core.changes.snapshot`` keeps the Python values)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def assign_given(obj: models.Model, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    """Set each of ``fields`` that ``data`` holds on ``obj``; the others keep their values."""
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])
