"""Scope of a row for the permission engine (``etam.core.permissions.Scoped``).

A model names where its instansi and OPD ids live as attribute paths instead of
writing the two properties again: ``scope_institution_path = "agency.institution_id"``.
A model with no OPD leaves ``scope_agency_path`` at ``None``. The mixin has no fields,
so it needs no migration.
"""

from __future__ import annotations

from operator import attrgetter
from typing import ClassVar, cast


class ScopedByPath:
    scope_institution_path: ClassVar[str]
    scope_agency_path: ClassVar[str | None] = None

    @property
    def scope_institution_id(self) -> int:
        return cast(int, attrgetter(self.scope_institution_path)(self))

    @property
    def scope_agency_id(self) -> int | None:
        if self.scope_agency_path is None:
            return None
        return cast("int | None", attrgetter(self.scope_agency_path)(self))
