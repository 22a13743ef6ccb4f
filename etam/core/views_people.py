"""Staff pages for staff accounts and their role grants (namespace ``core``).

A selector finds the person (outside the actor's scope they do not exist: 404), a
service changes them (without the permission it refuses: 403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from etam.core import selectors, services
from etam.core.actors import Actor, PersonRequest
from etam.core.formerrors import call_service, flash_service, service_form_page
from etam.core.forms import (
    GrantForm,
    StaffCreateForm,
    StaffEditForm,
)
from etam.core.models import Role, User
from etam.core.permissions import has_perm
from etam.core.staff_access import staff_form_view, staff_required

GRANT_ERROR_MAP = {"agency": "scope", "institution": "scope"}


# --- staff: people and role grants -----------------------------------------------------------


def _grant_form_kwargs(actor: Actor) -> dict[str, Any]:
    """Choices for a grant form: the roles and scopes the actor may grant in."""
    return {
        "roles": services.grantable_roles(actor),
        "institutions": selectors.institutions_with_perm(actor, "core.manage_grants"),
        "agencies": selectors.agencies_visible_to(actor, perm="core.manage_grants").filter(is_active=True),
    }


@never_cache
@staff_required
def staff_list_view(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "core.view_staff"):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    people = selectors.staff_list(request.user)
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    context = {
        "people": people,
        "query": query,
        "can_create": bool(services.grantable_roles(request.user)),
    }
    return render(request, "core/staff_list.html", context)


@sensitive_post_parameters("password")
@staff_form_view
def staff_create_view(request: PersonRequest) -> HttpResponse:
    kwargs = _grant_form_kwargs(request.user)
    if not kwargs["roles"]:
        raise PermissionDenied
    form = StaffCreateForm(request.POST or None, **kwargs)

    def create() -> User:
        institution, agency = form.scope_objects()
        data = form.cleaned_data
        return services.staff_user_create(
            actor=request.user,
            **{f: data[f] for f in ("full_name", "email", "phone", "password", "role")},
            institution=institution,
            agency=agency,
        )

    return service_form_page(
        request,
        form,
        create,
        _("The staff account has been created."),
        template="core/staff_form.html",
        context={},
        on_success=lambda person: redirect("core:staff_detail", pk=person.pk),
        field_map=GRANT_ERROR_MAP,
    )


@staff_form_view
def staff_detail_view(request: PersonRequest, pk: int) -> HttpResponse:
    """A person, the grants the actor may see, and (POST) a new grant."""
    person = get_object_or_404(selectors.users_visible_to(request.user), pk=pk)
    kwargs = _grant_form_kwargs(request.user)
    # Nobody but the super admin grants themselves a role: no form on one's own page.
    may_add = bool(kwargs["roles"]) and (person.pk != request.user.pk or Role.SUPER_ADMIN in kwargs["roles"])
    form = GrantForm(request.POST or None, **kwargs) if may_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            institution, agency = form.scope_objects()
            ok, _result = call_service(
                request,
                form,
                lambda: services.role_grant_create(
                    actor=request.user,
                    user=person,
                    role=form.cleaned_data["role"],
                    institution=institution,
                    agency=agency,
                ),
                _("The role has been granted."),
                field_map=GRANT_ERROR_MAP,
            )
            if ok:
                return redirect("core:staff_detail", pk=person.pk)
    grants = selectors.grants_visible_to(request.user).filter(user=person).order_by("revoked_at", "role", "id")
    revocable = {
        g.pk
        for g in grants
        if g.revoked_at is None and services.may_grant(request.user, g.role, institution=g.institution, agency=g.agency)
    }
    can_manage = services.may_manage_account(request.user, person)
    context = {
        "person": person,
        "grants": grants,
        "form": form,
        "revocable": revocable,
        "roles": dict(Role.choices),
        "can_manage": can_manage,
        "can_change_status": can_manage and person.pk != request.user.pk,
    }
    return render(request, "core/staff_detail.html", context)


@staff_required
@require_POST
def grant_revoke_view(request: PersonRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(selectors.grants_visible_to(request.user), pk=pk)
    flash_service(
        request,
        lambda: services.role_grant_revoke(actor=request.user, grant=grant),
        lambda: _("The role has been revoked."),
    )
    return redirect("core:staff_detail", pk=grant.user_id)


@staff_form_view
def staff_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a staff member's name, email and phone number."""
    person = get_object_or_404(selectors.users_visible_to(request.user).filter(kind=User.Kind.STAFF), pk=pk)
    if not services.may_manage_account(request.user, person):
        raise PermissionDenied
    initial = {"full_name": person.full_name, "email": person.email or "", "phone": person.phone or ""}
    form = StaffEditForm(request.POST or None, initial=initial)
    return service_form_page(
        request,
        form,
        lambda: services.staff_user_update(
            actor=request.user, user=person, **{f: form.cleaned_data[f] for f in ("full_name", "email", "phone")}
        ),
        _("The staff account has been saved."),
        template="core/staff_edit.html",
        context={"person": person},
        on_success=lambda _result: redirect("core:staff_detail", pk=person.pk),
    )


@staff_required
@require_POST
def staff_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``) a staff account."""
    person = get_object_or_404(selectors.users_visible_to(request.user).filter(kind=User.Kind.STAFF), pk=pk)
    activate = request.POST.get("active") == "1"
    operation = services.staff_user_reactivate if activate else services.staff_user_deactivate
    flash_service(
        request,
        lambda: operation(actor=request.user, user=person),
        lambda: (
            _("The account is active again.")
            if activate
            else _("The account is inactive: the person can no longer sign in or use API tokens.")
        ),
    )
    return redirect("core:staff_detail", pk=person.pk)
