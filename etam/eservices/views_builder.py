"""The service composer (staff): pages and fields, workflow table, document template,
preview and publish, on the service's draft version. Plain HTML forms, no JavaScript.

Every change goes through ``services.version_update`` (permission, JSON Schema
validation, audit event); the composer only builds the new definition (``builder.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from etam.core.actors import PersonRequest
from etam.eservices import builder, definitions, formengine, hooks, selectors, services
from etam.eservices.models import Service, ServiceVersion
from etam.eservices.views_staff import _staff_only
from etam.eservices.workflow import localise


def _service_and_draft(request: HttpRequest, pk: int) -> tuple[Service, ServiceVersion | None]:
    service = selectors.managed_service(request.user, pk)
    draft = selectors.draft_version(service)
    return service, draft


def _require_draft(request: HttpRequest, pk: int) -> tuple[Service, ServiceVersion]:
    service, draft = _service_and_draft(request, pk)
    if draft is None:
        raise Http404
    return service, draft


def _draft_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the composer's pages of a draft: managers only (the service's OPD), the
    service and its draft version passed in place of ``pk`` (404 without a draft)."""

    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        if (response := _staff_only(request, services.PERM_MANAGE)) is not None:
            return response
        service, draft = _require_draft(request, pk)
        return view(request, service, draft, **kwargs)

    return wrapped


def _back(request: HttpRequest, service: Service, message: str, anchor: str = "") -> HttpResponse:
    """After a saved change: say so and go back to the composer's overview (at ``anchor``)."""
    messages.success(request, message)
    return redirect(reverse("eservices:compose", args=[service.pk]) + anchor)


def _form_page(
    request: HttpRequest,
    service: Service,
    draft: ServiceVersion,
    form: Any,
    rest: list[definitions.DefinitionError],
    heading: str,
    **extra: Any,
) -> HttpResponse:
    """The one-form composer page (page, field, document template) with the definition
    errors no form field took."""
    context = {"service": service, "draft": draft, "form": form, "definition_errors": rest, "heading": heading}
    return render(request, "eservices/staff/compose_form.html", {**context, **extra})


def _save(
    request: HttpRequest,
    draft: ServiceVersion,
    change: str,
    *,
    form: Any = None,
    workflow: Any = None,
    template: Any = None,
) -> list[definitions.DefinitionError] | None:
    """None when saved; otherwise the definition errors (nothing was changed)."""
    try:
        services.version_update(
            actor=request.user,
            version=draft,
            form=draft.form if form is None else form,
            workflow=draft.workflow if workflow is None else workflow,
            document_template=draft.document_template if template is None else template,
            change=change,
        )
    except definitions.InvalidDefinition as invalid:
        return invalid.errors
    except ValidationError as exc:
        return [definitions.DefinitionError("", m) for m in exc.messages]
    return None


def _starter(service: Service) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    form = {
        "pages": [
            {
                "id": "halaman_1",
                "title": _("Applicant"),
                "fields": [{"name": "nama", "type": "text", "label": _("Full name"), "holder_name": True}],
            }
        ]
    }
    template = {"title": service.output_document or service.name, "body": ["{holder}"]}
    return form, definitions.default_workflow(), template


@never_cache
def compose(request: PersonRequest, pk: int) -> HttpResponse:
    if (response := _staff_only(request, services.PERM_MANAGE)) is not None:
        return response
    service, draft = _service_and_draft(request, pk)
    errors: list[definitions.DefinitionError] = []
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op == "start" and draft is None:
            source = service.published_version or selectors.versions_of(service).first()
            form, workflow, template = (
                (source.form, source.workflow, source.document_template) if source else _starter(service)
            )
            services.version_create(
                actor=request.user, service=service, form=form, workflow=workflow, document_template=template
            )
            return _back(request, service, _("A new draft version was started."))
        if draft is None:
            raise Http404
        try:
            if op == "publish":
                try:
                    version = services.version_publish(actor=request.user, version=draft)
                except definitions.InvalidDefinition as invalid:
                    errors = invalid.errors
                except ValidationError as exc:
                    errors = [definitions.DefinitionError("", m) for m in exc.messages]
                else:
                    messages.success(request, _("Version %(n)s published.") % {"n": version.number})
                    return redirect("eservices:service_edit", pk=service.pk)
            else:
                new, change = _structural(draft.form, op, request.POST)
                errors = _save(request, draft, change, form=new) or []
                if not errors:
                    return _back(request, service, _("Change saved."), request.POST.get("anchor", ""))
        except builder.Refused:
            raise Http404 from None
    return render(
        request,
        "eservices/staff/compose.html",
        {
            "service": service,
            "draft": draft,
            "pages": builder.outline(draft.form) if draft else [],
            "definition_errors": errors,
            "workflow_states": builder.ordered_states(draft.workflow) if draft else [],
            "sections": hooks.composer_sections(request.user, service, draft) if draft else [],
        },
    )


def _structural(form: dict[str, Any], op: str, post: Any) -> tuple[dict[str, Any], str]:
    if op == "page_add":
        return builder.page_add(form, post.get("title", "").strip()[:500])
    if op in {"page_remove", "page_up", "page_down"}:
        index = post.get("page", "")
        if not index.isdigit():
            raise builder.Refused(index)
        if op == "page_remove":
            return builder.page_remove(form, int(index))
        return builder.page_move(form, int(index), -1 if op == "page_up" else 1)
    if op in {"field_remove", "field_up", "field_down"}:
        ref = builder.parse_ref(post.get("ref", ""))
        if op == "field_remove":
            return builder.field_remove(form, ref)
        return builder.field_move(form, ref, -1 if op == "field_up" else 1)
    raise builder.Refused(op)


@never_cache
@_draft_view
def compose_page(request: HttpRequest, service: Service, draft: ServiceVersion, page: int) -> HttpResponse:
    pages = draft.form.get("pages", [])
    if not 0 <= page < len(pages):
        raise Http404
    form = builder.PageForm(request.POST or None, initial=builder.PageForm.initial_for(pages[page]))
    form.set_condition_choices(builder.earlier_names(draft.form, None, page=page))
    rest: list[definitions.DefinitionError] = []
    if request.method == "POST" and form.is_valid():
        new, change = builder.page_update(draft.form, page, form.cleaned_data)
        errors = _save(request, draft, change, form=new)
        if not errors:
            return _back(request, service, _("Page saved."), f"#p{page}")
        rest = builder.place_errors(errors, form, f"form.pages[{page}]")
    return _form_page(request, service, draft, form, rest, _("Page %(n)s") % {"n": page + 1})


@never_cache
@_draft_view
def compose_field(request: HttpRequest, service: Service, draft: ServiceVersion, ref: str) -> HttpResponse:
    """Edit the field ``ref`` (``p-f`` or ``p-f-c``), or add one: ``ref`` ``p-new`` on a
    page, ``p-f-new`` inside a repeating group."""
    adding = ref.endswith("-new")
    try:
        if adding:
            parent = tuple(int(p) for p in ref[: -len("-new")].split("-"))
            if not 1 <= len(parent) <= 2:
                raise builder.Refused(ref)
            if len(parent) == 2 and builder.get_field(draft.form, parent).get("type") != "group":
                raise builder.Refused(ref)
            existing: dict[str, Any] | None = None
            position = (*parent, 10_000)
            in_group = len(parent) == 2
            initial = builder.FieldForm.initial_for(builder.new_field_spec(draft.form))
            if in_group:
                initial["visible_field"] = ""
        else:
            position = builder.parse_ref(ref)
            existing = builder.get_field(draft.form, position)
            in_group = len(position) == 3
            initial = builder.FieldForm.initial_for(existing)
    except (builder.Refused, ValueError, IndexError):
        raise Http404 from None
    form = builder.FieldForm(request.POST or None, initial=initial, in_group=in_group)
    form.set_condition_choices(builder.earlier_names(draft.form, position[:2]))
    rest: list[definitions.DefinitionError] = []
    if request.method == "POST" and form.is_valid():
        spec = form.to_spec(existing)
        if adding:
            new, change = builder.field_add(draft.form, position[:-1], spec)
            target = builder.json_path((*position[:-1], len(builder.field_list(new, (*position[:-1], 0))) - 1))
        else:
            new, change = builder.field_set(draft.form, position, spec)
            target = builder.json_path(position)
        errors = _save(request, draft, change, form=new)
        if not errors:
            return _back(request, service, _("Field saved."), f"#p{position[0]}")
        rest = builder.place_errors(errors, form, target)
    return _form_page(
        request,
        service,
        draft,
        form,
        rest,
        _("New field") if adding else _("Field %(name)s") % {"name": existing and existing["name"]},
        field_form=True,
    )


@never_cache
@_draft_view
def compose_workflow(request: HttpRequest, service: Service, draft: ServiceVersion) -> HttpResponse:
    head_initial, states_initial, actions_initial = builder.workflow_initial(draft.workflow)
    data = request.POST or None
    head = builder.WorkflowHeadForm(data, initial=head_initial)
    states = builder.StateFormSet(data, initial=states_initial, prefix="state")
    actions = builder.ActionFormSet(data, initial=actions_initial, prefix="action")
    rest: list[definitions.DefinitionError] = []
    if request.method == "POST" and all([head.is_valid(), states.is_valid(), actions.is_valid()]):
        workflow, state_forms, action_forms = builder.workflow_from(head, states, actions)
        errors = _save(request, draft, "workflow_update", workflow=workflow)
        if not errors:
            return _back(request, service, _("Workflow saved."))
        errors = builder.place_errors(errors, head, "workflow.initial")
        for index, action_form in enumerate(action_forms):
            errors = builder.place_errors(
                errors,
                action_form,
                f"workflow.actions[{index}]",
            )
        for state_form in state_forms:
            errors = builder.place_errors(errors, state_form, f"workflow.states.{state_form.cleaned_data['code']}")
        rest = errors
    return render(
        request,
        "eservices/staff/compose_workflow.html",
        {
            "service": service,
            "draft": draft,
            "head": head,
            "states": states,
            "actions": actions,
            "definition_errors": rest,
        },
    )


@never_cache
@_draft_view
def compose_document(request: HttpRequest, service: Service, draft: ServiceVersion) -> HttpResponse:
    form = builder.DocumentForm(request.POST or None, initial=builder.DocumentForm.initial_for(draft.document_template))
    rest: list[definitions.DefinitionError] = []
    if request.method == "POST" and form.is_valid():
        errors = _save(request, draft, "document_template_update", template=form.to_template())
        if not errors:
            return _back(request, service, _("Document template saved."))
        rest = builder.place_errors(errors, form, "document_template", builder.TEMPLATE_KEYS)
    return _form_page(request, service, draft, form, rest, _("Output document"))


@never_cache
@_draft_view
def compose_preview(request: HttpRequest, service: Service, draft: ServiceVersion, page: int) -> HttpResponse:
    """The draft's page as the citizen sees it (all pages reachable; conditions hinted)."""
    pages = draft.form.get("pages", [])
    index = page - 1
    if not 0 <= index < len(pages):
        raise Http404
    fields = formengine.bind_page(draft.form, index, {})
    spec = pages[index]
    condition = spec.get("visible_if")
    return render(
        request,
        "eservices/staff/compose_preview.html",
        {
            "service": service,
            "draft": draft,
            "page_title": localise(spec["title"]),
            "page_intro": localise(spec.get("intro")),
            "fields": fields,
            "step": page,
            "steps": len(pages),
            "previous": page - 1 if page > 1 else None,
            "next": page + 1 if page < len(pages) else None,
            "condition": condition,
        },
    )
