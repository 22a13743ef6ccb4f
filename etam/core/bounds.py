"""Bounds for numbers taken from requests (ids, offsets, page numbers), shared by the JSON
API (etam.api.params), the CKAN actions and the HTML pages (ADR 0080)."""

from __future__ import annotations

# Database ids are signed 64-bit; a bigger number names nothing, but reached SQLite as an
# OverflowError (500) through foreign-key lookups, which Django does not range-check.
MAX_ID = 2**63 - 1
# Far beyond any list Etam serves, far inside a 64-bit integer.
MAX_OFFSET = 1_000_000
MAX_PAGE = 100_000


def parse_id(value: str | int | None) -> int | None:
    """A database id from an HTML query string, or None when it is not one (never an error)."""
    try:
        number = int(str(value)[:20]) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and 1 <= number <= MAX_ID else None


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
