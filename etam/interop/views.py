"""Pages of the interoperability node: the public catalogue; for staff, services, consumer systems
with their keys, agreements, the exchange log and the health of the systems Etam calls."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etam.core.actors import PersonRequest
from etam.core.formerrors import apply_service_errors, flash_service, service_form_page
from etam.core.lookups import or_404
from etam.core.staff_access import staff_required
from etam.interop import openapi, selectors, services
from etam.interop import permissions as perms
from etam.interop.forms import AgreementRequestForm, ConsumerForm, DecisionForm, ExchangeFilterForm, ServiceForm
from etam.interop.models import Agreement


# -- public -------------------------------------------------------------------------------
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "interop/catalogue.html", {"services": selectors.public_services()})


def catalogue_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = or_404(selectors.public_service, code)
    return render(
        request, "interop/catalogue_detail.html", {"service": service, "document": openapi.document_for(service)}
    )


# -- providers ----------------------------------------------------------------------------
@staff_required(perms.MANAGE_SERVICE, perms.MANAGE_CONSUMER)
def service_list(request: PersonRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "interop/service_list.html",
        {
            "services": selectors.services_visible_to(user),
            "can_register": selectors.agencies_for(user, perms.MANAGE_SERVICE).exists(),
            "pending": selectors.agreements_visible_to(user, status=Agreement.Status.REQUESTED),
            "health": selectors.connector_health(),
        },
    )


@staff_required(perms.MANAGE_SERVICE)
def service_create(request: PersonRequest) -> HttpResponse:
    user = request.user
    form = ServiceForm(
        request.POST or None, agencies=selectors.agencies_for(user, perms.MANAGE_SERVICE), hosts=selectors.hosts()
    )

    def action() -> Any:
        data = dict(form.cleaned_data)
        return services.service_register(actor=user, agency=data.pop("agency"), code=data.pop("code"), **data)

    return service_form_page(
        request,
        form,
        action,
        _("Service registered."),
        template="interop/form.html",
        context={"title": _("Register a data-exchange service")},
        on_success=lambda service: redirect("interop:service_detail", service.pk),
    )


@staff_required(perms.MANAGE_SERVICE, perms.MANAGE_CONSUMER)
def service_detail(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    service = or_404(selectors.service_get, user, pk)
    can_manage = selectors.can_manage_service(user, service)
    consumers = selectors.consumers_visible_to(user)
    form = AgreementRequestForm(services=selectors.services_visible_to(user).filter(pk=service.pk))
    return render(
        request,
        "interop/service_detail.html",
        {
            "service": service,
            "can_manage": can_manage,
            "agreements": selectors.agreements_visible_to(user).filter(service=service) if can_manage else [],
            "consumers": consumers,
            "request_form": form,
            "decision_form": DecisionForm(),
        },
    )


@require_POST
@staff_required(perms.MANAGE_SERVICE)
def service_publish(request: PersonRequest, pk: int) -> HttpResponse:
    service = or_404(selectors.service_get, request.user, pk)
    flash_service(
        request,
        lambda: services.service_publish_to_splp(actor=request.user, service=service),
        lambda: _("Published on SPLP."),
    )
    return redirect("interop:service_detail", service.pk)


@require_POST
@staff_required(perms.MANAGE_SERVICE)
def agreement_decide(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    agreement = or_404(selectors.agreement_get, user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else ''}: {' '.join(str(e) for e in errors)}",
            )
    else:
        flash_service(
            request,
            lambda: services.agreement_decide(
                actor=user,
                agreement=agreement,
                approve=form.cleaned_data["approve"],
                reason=form.cleaned_data["reason"],
                quota_per_day=form.cleaned_data["quota_per_day"],
            ),
            lambda: _("Agreement decided."),
        )
    return redirect("interop:service_detail", agreement.service_id)


@require_POST
@staff_required(perms.MANAGE_SERVICE, perms.MANAGE_CONSUMER)
def agreement_revoke(request: PersonRequest, pk: int) -> HttpResponse:
    agreement = or_404(selectors.agreement_get, request.user, pk)
    flash_service(
        request,
        lambda: services.agreement_revoke(
            actor=request.user, agreement=agreement, reason=request.POST.get("reason", "")
        ),
        lambda: _("Agreement revoked."),
    )
    if request.POST.get("next") == "consumer":
        return redirect("interop:consumer_detail", agreement.consumer_id)
    return redirect("interop:service_detail", agreement.service_id)


# -- consumers ----------------------------------------------------------------------------
@staff_required(perms.MANAGE_CONSUMER)
def consumer_list(request: PersonRequest) -> HttpResponse:
    user = request.user
    consumers = selectors.consumers_visible_to(user)
    return render(
        request,
        "interop/consumer_list.html",
        {
            "consumers": consumers,
            "agreements": selectors.agreements_visible_to(user).filter(consumer__in=consumers),
        },
    )


@staff_required(perms.MANAGE_CONSUMER)
def consumer_create(request: PersonRequest) -> HttpResponse:
    user = request.user
    form = ConsumerForm(request.POST or None, agencies=selectors.agencies_for(user, perms.MANAGE_CONSUMER))

    def action() -> Any:
        return services.consumer_register(actor=user, **form.cleaned_data)

    return service_form_page(
        request,
        form,
        action,
        _("Consumer system registered. Issue it a key, then ask for agreements."),
        template="interop/form.html",
        context={"title": _("Register a consumer system")},
        on_success=lambda consumer: redirect("interop:consumer_detail", consumer.pk),
    )


@staff_required(perms.MANAGE_CONSUMER)
def consumer_detail(request: PersonRequest, pk: int) -> HttpResponse:
    user = request.user
    consumer = or_404(selectors.consumer_get, user, pk)
    form = AgreementRequestForm(
        request.POST or None, services=selectors.services_visible_to(user).filter(status="aktif")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_request(actor=user, consumer=consumer, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Agreement requested."))
            return redirect("interop:consumer_detail", consumer.pk)
    return render(
        request,
        "interop/consumer_detail.html",
        {
            "consumer": consumer,
            "keys": selectors.consumer_keys(consumer),
            "agreements": selectors.agreements_visible_to(user).filter(consumer=consumer),
            "form": form,
            "new_key": request.session.pop("interop_new_key", None),
        },
    )


@require_POST
@staff_required(perms.MANAGE_CONSUMER)
def consumer_key_issue(request: PersonRequest, pk: int) -> HttpResponse:
    consumer = or_404(selectors.consumer_get, request.user, pk)
    _key, raw = services.consumer_key_issue(actor=request.user, consumer=consumer)
    # Shown once, on the next page; never stored anywhere else.
    request.session["interop_new_key"] = raw
    return redirect("interop:consumer_detail", consumer.pk)


@require_POST
@staff_required(perms.MANAGE_CONSUMER)
def consumer_key_revoke(request: PersonRequest, pk: int) -> HttpResponse:
    key = or_404(selectors.consumer_key_get, request.user, pk)
    flash_service(
        request,
        lambda: services.consumer_key_revoke(actor=request.user, key=key),
        lambda: _("Key revoked: calls with it are refused from now on."),
    )
    return redirect("interop:consumer_detail", key.consumer_id)


# -- the log ------------------------------------------------------------------------------
@staff_required(perms.VIEW_EXCHANGES)
def exchange_list(request: PersonRequest) -> HttpResponse:
    form = ExchangeFilterForm(request.GET or None)
    filters = selectors.ExchangeFilter(**form.cleaned_data) if form.is_valid() else selectors.ExchangeFilter()
    page = Paginator(selectors.exchanges_visible_to(request.user, filters), 50).get_page(request.GET.get("page"))
    return render(request, "interop/exchange_list.html", {"form": form, "page": page})
