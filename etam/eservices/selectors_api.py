"""Reads of the eservices API (``etam.eservices.api``) that are not catalogue queries."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from etam.core.permissions import Scope, has_perm
from etam.eservices import selectors
from etam.eservices.models import Application, Service
from etam.eservices.services import PERM_VIEW


def open_service(service_id: int) -> Service | None:
    """The open service with its published version, OPD and instansi — what the submit
    path reads — or None. One query per request and no copy kept between requests, so a
    service closed or renamed on another web node is seen at once."""
    return (
        selectors.public_services()
        .select_related("published_version", "agency__institution")
        .filter(pk=service_id)
        .first()
    )


def visible_application(user: Any, tracking_number: str) -> Application:
    """The case if ``user`` is its applicant or may view it for its OPD; otherwise 404
    (never confirm that someone else's case exists)."""
    application = (
        Application.objects.select_related("service", "version", "agency__institution", "applicant", "document")
        .filter(tracking_number=tracking_number)
        .first()
    )
    if application is None:
        raise Http404
    if application.applicant_id == getattr(user, "pk", None):
        return application
    if has_perm(user, PERM_VIEW, Scope(application.institution_id, application.agency_id)):
        return application
    raise Http404
