"""Service error → form error: the one helper every HTML view uses.

Services raise ``ValidationError`` naming the field (``{"name": [...]}``) or the whole
operation (a message list). ``apply_service_errors`` puts each message on its field, so a
failed submit comes back with the typed values and one error under each field. A field the
form does not have (a model field the service checked) becomes a form-wide error rather
than a ``ValueError`` from ``Form.add_error``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

__all__ = ["apply_service_errors", "call_service", "flash_service", "service_form_page"]


def apply_service_errors(form: Any, error: ValidationError, field_map: Mapping[str, str] | None = None) -> None:
    """Attach a service's ValidationError to ``form``, field by field.

    ``field_map`` renames a service field to the form field that carries it (e.g. the
    service's ``expires_at`` is typed into the form's ``expires_on``).
    """
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.error_dict.items():
        target = field_map.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


def call_service(
    request: Any,
    form: Any,
    action: Callable[[], Any],
    success: Any = None,
    *,
    field_map: Mapping[str, str] | None = None,
) -> tuple[bool, Any]:
    """Run a service call for a valid form: ``(True, result)`` after flashing ``success``,
    or ``(False, None)`` with the service's ValidationError put on the form, field by field."""
    try:
        result = action()
    except ValidationError as exc:
        apply_service_errors(form, exc, field_map)
        return False, None
    if success:
        messages.success(request, success)
    return True, result


def service_form_page(
    request: Any,
    form: Any,
    action: Callable[[], Any],
    success: Any,
    *,
    template: str,
    context: Mapping[str, Any],
    on_success: Callable[[Any], HttpResponse],
    field_map: Mapping[str, str] | None = None,
) -> HttpResponse:
    """A form page backed by one service call: on a valid POST run ``action`` (as
    ``call_service``) and answer ``on_success(result)``; otherwise (GET, invalid form, or the
    service refused) render ``template`` with the form and ``context``."""
    if request.method == "POST" and form.is_valid():
        ok, result = call_service(request, form, action, success, field_map=field_map)
        if ok:
            return on_success(result)
    return render(request, template, {"form": form, **context})


def flash_service(request: Any, action: Callable[[], Any], success: Callable[[], Any]) -> bool:
    """Run a form-less service call (a status button): flash ``success()`` or the service's
    refusal. ``success`` is called after the action so its message can read the new state."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success())
    return True
