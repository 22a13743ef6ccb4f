"""A selector's lookup for a page or an API operation: what the user may not see is a 404, like
what does not exist (a scoped selector raises ``ObjectDoesNotExist`` for both)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

T = TypeVar("T")


def or_404(lookup: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``lookup(*args, **kwargs)``; ``Http404`` when it finds nothing the user may see."""
    try:
        return lookup(*args, **kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
