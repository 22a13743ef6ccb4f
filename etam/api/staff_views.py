"""A minimal staff page to issue and revoke one's own API tokens (/staf/token-api/)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from etam.core import selectors, tokens
from etam.core.actors import PersonRequest
from etam.core.formerrors import apply_service_errors
from etam.core.forms import date_input
from etam.core.models import RoleGrant
from etam.core.staff_access import staff_form_view, staff_required


class GrantChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: RoleGrant) -> str:
        return str(obj)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=tokens.NAME_MAX_LENGTH,
        help_text=gettext_lazy("What the token is for, e.g. “Sinkronisasi Satu Data”."),
        error_messages={
            "required": gettext_lazy("Name: required, e.g. “Sinkronisasi Satu Data”."),
            "max_length": gettext_lazy("Name: at most %(limit_value)d characters."),
        },
    )
    grants = GrantChoiceField(
        label=gettext_lazy("Roles the token acts with"),
        queryset=None,  # set per user in __init__
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only roles you hold now. Leave all unticked for a token without any role."),
        error_messages={"invalid_choice": gettext_lazy("Roles: choose only roles you hold now.")},
    )
    expires_on = date_input(
        gettext_lazy("Valid until (inclusive)"),
        gettext_lazy("Valid until: use the form YYYY-MM-DD, e.g. 2026-06-30."),
        help_text=gettext_lazy("Empty: until revoked."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grants"].queryset = selectors.own_active_grants(user)  # type: ignore[attr-defined]

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if not day:
            return None
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _page(request: PersonRequest, form: TokenForm, issued: tokens.IssuedToken | None = None) -> HttpResponse:
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens.api_tokens_for(request.user), "issued": issued},
        status=201 if issued else (422 if form.is_bound and form.errors else 200),
    )


@staff_form_view
def token_list(request: PersonRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, TokenForm(user=request.user))
    form = TokenForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form)
    try:
        issued = tokens.api_token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            grants=list(form.cleaned_data["grants"]),
            expires_at=form.expires_at(),
        )
    except ValidationError as exc:
        apply_service_errors(form, exc, {"expires_at": "expires_on"})
        return _page(request, form)
    # The key is shown in this answer only; a fresh, empty form below it.
    return _page(request, TokenForm(user=request.user), issued)


@staff_required
@require_POST
def token_revoke(request: PersonRequest, token_id: int) -> HttpResponse:
    token = tokens.api_token_of(request.user, token_id)
    tokens.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked; it no longer works.") % {"name": token.name})
    return HttpResponseRedirect(reverse("api_tokens:list"))
