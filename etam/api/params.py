"""Bounded integer types for list parameters (offset, page, limit), shared by every
endpoint: a value beyond the bound is a 422 naming the field, never a database error
(an offset past int64 used to reach SQLite/PostgreSQL and answer 500; ADR 0080)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import Field

from etam.core.bounds import MAX_ID, MAX_OFFSET, MAX_PAGE

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description=f"Rows to skip (0 to {MAX_OFFSET})")]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"Page number (1 to {MAX_PAGE})")]

__all__ = ["MAX_ID", "MAX_OFFSET", "MAX_PAGE", "Id", "Offset", "PageNumber", "offset_page", "page_rows"]


def page_rows(qs: Any, page: int, size: int) -> list[Any]:
    """The rows of page ``page`` (from 1) of ``qs``, ``size`` to a page."""
    start = (page - 1) * size
    return list(qs[start : start + size])


def offset_page(qs: Any, offset: int, limit: int, row: Callable[[Any], Any] = lambda r: r) -> dict[str, Any]:
    """The ``{"count": ..., "results": [...]}`` answer of an offset/limit list: the ``limit`` rows
    of ``qs`` from ``offset``, each through ``row``, and the count of all of ``qs`` (the lists of
    e-services and of the offline channel answer this shape)."""
    rows = list(qs[offset : offset + limit])
    return {"count": qs.count(), "results": [row(r) for r in rows]}
