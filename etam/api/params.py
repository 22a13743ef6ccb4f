"""Bounded integer types for list parameters (offset, page, limit), shared by every
endpoint: a value beyond the bound is a 422 naming the field, never a database error
(an offset past int64 used to reach SQLite/PostgreSQL and answer 500; ADR 0080)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from etam.core.bounds import MAX_ID, MAX_OFFSET, MAX_PAGE

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description=f"Rows to skip (0 to {MAX_OFFSET})")]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"Page number (1 to {MAX_PAGE})")]

__all__ = ["MAX_ID", "MAX_OFFSET", "MAX_PAGE", "Id", "Offset", "PageNumber", "page_rows"]


def page_rows(qs: Any, page: int, size: int) -> list[Any]:
    """The rows of page ``page`` (from 1) of ``qs``, ``size`` to a page."""
    start = (page - 1) * size
    return list(qs[start : start + size])
