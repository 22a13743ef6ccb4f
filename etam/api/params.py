"""Bounded integer types for list parameters (offset, page, limit), shared by every
endpoint: a value beyond the bound is a 422 naming the field, never a database error
(an offset past int64 used to reach SQLite/PostgreSQL and answer 500; ADR 0080)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# Far beyond any list Etam serves, far inside a 64-bit integer.
MAX_OFFSET = 1_000_000
MAX_PAGE = 100_000

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description=f"Rows to skip (0 to {MAX_OFFSET})")]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"Page number (1 to {MAX_PAGE})")]


def clamp_page(value: str | int | None, *, last: int | None = None) -> int:
    """An HTML page number from the query string: anything unreadable is page 1, anything
    past the bound (or past ``last``) is the last page; never an error."""
    try:
        number = int(str(value)[:12]) if value not in (None, "") else 1
    except ValueError:
        number = 1
    number = max(1, min(number, MAX_PAGE))
    if last is not None:
        number = min(number, max(1, last))
    return number
