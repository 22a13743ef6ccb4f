"""What the governance views share: a required choice, a paged list, and a form page backed by
one service call (``core.formerrors.service_form_page``). A selector lookup as a 404 is
``core.lookups.or_404``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from etam.core.formerrors import service_form_page

T = TypeVar("T")
PAGE_SIZE = 50


def chosen(data: dict[str, Any], name: str, message: str) -> Any:
    """``data[name]``, a choice the form leaves optional; unset, a ValidationError on that field."""
    if data.get(name) is None:
        raise ValidationError({name: [message]})
    return data[name]


def page_of(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("halaman"))


def form_page(
    request: HttpRequest,
    form: Any,
    action: Callable[[Any], Any],
    *,
    title: Any,
    success: Any,
    back: str = "",
    to: Callable[[Any], str] | None = None,
) -> HttpResponse:
    """The generic governance form page: ``action(cleaned_data)`` on a valid POST, then
    ``to(result)``, or back to ``back`` when no ``to`` is given."""
    return service_form_page(
        request,
        form,
        lambda: action(form.cleaned_data),
        success,
        template="governance/form.html",
        context={"title": title, "back": back},
        on_success=lambda result: redirect(to(result) if to else back),
    )
