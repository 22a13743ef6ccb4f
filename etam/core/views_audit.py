"""The audit viewer for admins (/staf/audit/): filter, page through, read before/after.

What a viewer sees comes from ``audit.audit_events_for`` (super admin: everything; admin
instansi: their instansi's events, OPDs included; admin OPD: their OPD's).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from etam.core import audit
from etam.core.forms import date_input
from etam.core.models import AuditEvent
from etam.core.permissions import has_perm
from etam.core.staff_access import staff_required

PAGE_SIZE = 50


def _search_text(label: Any, help_text: Any, too_long: Any, max_length: int = 80) -> forms.CharField:
    """An optional search box whose too-long message names the field."""
    return forms.CharField(
        label=label, required=False, max_length=max_length, help_text=help_text, error_messages={"max_length": too_long}
    )


class AuditFilterForm(forms.Form):
    action = _search_text(
        gettext_lazy("Action"),
        gettext_lazy("From the start of the name, e.g. core. or core.api_token"),
        gettext_lazy("Action: at most %(limit_value)d characters."),
    )
    object_type = _search_text(
        gettext_lazy("Object type"),
        gettext_lazy("From the start of the name, e.g. core.agency"),
        gettext_lazy("Object type: at most %(limit_value)d characters."),
    )
    actor = _search_text(
        gettext_lazy("Who"),
        gettext_lazy("Part of the name or email of the person"),
        gettext_lazy("Who: at most %(limit_value)d characters."),
        max_length=200,
    )
    date_from = date_input(
        gettext_lazy("From date"), gettext_lazy("From date: use the form YYYY-MM-DD, e.g. 2025-01-31.")
    )
    date_to = date_input(gettext_lazy("To date"), gettext_lazy("To date: use the form YYYY-MM-DD, e.g. 2025-01-31."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("To date: must be on or after the from date (%(start)s).") % {"start": start})
        return data


def _changes_rows(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    changes: dict[str, Any] = event.changes if isinstance(event.changes, dict) else {}
    raw_before, raw_after = changes.get("before"), changes.get("after")
    before: dict[str, Any] = raw_before if isinstance(raw_before, dict) else {}
    after: dict[str, Any] = raw_after if isinstance(raw_after, dict) else {}
    if not before and not after:
        return [(key, "", value) for key, value in sorted(changes.items())]
    return [(key, before.get(key), after.get(key)) for key in sorted(set(before) | set(after))]


@never_cache
@staff_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "core.view_audit"):
        raise PermissionDenied(_("You do not have permission to read the audit trail."))
    form = AuditFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():  # an invalid filter shows its errors and no page
        filters = form.cleaned_data if form.is_bound else {}
        events = audit.audit_events_for(request.user, **{k: v for k, v in filters.items() if v})
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    rows = [(event, _changes_rows(event)) for event in page] if page is not None else []
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )
