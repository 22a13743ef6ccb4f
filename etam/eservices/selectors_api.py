"""Reads of the eservices API (``etam.eservices.api``) that are not catalogue queries."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import Http404

from etam.core import prepared
from etam.core.actors import Actor
from etam.core.models import Agency, Institution
from etam.core.permissions import Scope, has_perm
from etam.eservices import selectors
from etam.eservices.models import Application, Service
from etam.eservices.services import PERM_VIEW

# Open services as this process last loaded them, keyed by id, with the stamp they were
# loaded under. The stamp is checked against the database on EVERY request — read first
# (``open_service``), or as the guard of the statement that takes the number
# (``loaded_service``) — so a copy is used only while the rows it came from are unchanged,
# on any web node (ADR 0093, 0169).
_loaded: dict[int, tuple[tuple[Any, ...], Service]] = {}
_STAMP_SQL: dict[str, tuple[str, str]] = {}


def _stamp_sql() -> tuple[str, str]:
    """``(select, guard)``: one primary-key query (a fixed string from model metadata) of the
    service's status, published version, name and service time, its OPD's and instansi's
    codes, and the ``updated_at`` of service, OPD and both instansi rows — and the same
    rows as an ``EXISTS`` that holds only while every one of those values is unchanged.
    Every field the submit path and the 201 answer read is either in it or covered by an
    ``updated_at``; a published version's form and workflow never change (ADR 0050)."""
    if connection.vendor not in _STAMP_SQL:
        qn = connection.ops.quote_name
        service, agency, institution = Service._meta, Agency._meta, Institution._meta
        columns = [
            f"s.{qn('published_version_id')}",
            f"s.{qn('name')}",
            f"s.{qn('sla_days')}",
            f"s.{qn('updated_at')}",
            f"a.{qn('code')}",
            f"a.{qn('updated_at')}",
            f"i.{qn('updated_at')}",
            f"ai.{qn('region_code')}",
            f"ai.{qn('updated_at')}",
        ]
        rows = (
            f"FROM {qn(service.db_table)} s "
            f"INNER JOIN {qn(agency.db_table)} a ON a.{qn('id')} = s.{qn('agency_id')} "
            f"INNER JOIN {qn(institution.db_table)} i ON i.{qn('id')} = s.{qn('institution_id')} "
            f"INNER JOIN {qn(institution.db_table)} ai ON ai.{qn('id')} = a.{qn('institution_id')} "
            f"WHERE s.{qn('id')} = %s AND s.{qn('status')} = %s AND s.{qn('published_version_id')} IS NOT NULL"
        )
        same = " AND ".join(f"{column} = %s" for column in columns)
        _STAMP_SQL[connection.vendor] = (
            f"SELECT {', '.join(columns)} {rows}",
            f"EXISTS(SELECT 1 {rows} AND {same})",
        )
    return _STAMP_SQL[connection.vendor]


def open_service(service_id: int) -> Service | None:
    """The open service with its published version, OPD and instansi — what the submit
    path reads — or None.

    One small primary-key query per request decides whether the service is open (status
    is in its WHERE clause: closing takes effect at once, on every node) and whether this
    process's copy is current. Only a changed stamp reloads the rows through the ORM,
    which spares compiling a five-table query and decoding the form on every submission
    (≈4 ms of CPU on a loaded worker)."""
    with prepared.cursor() as cursor:
        cursor.execute(_stamp_sql()[0], [service_id, Service.Status.ACTIVE])
        row = cursor.fetchone()
    if row is None:
        _loaded.pop(service_id, None)
        return None
    stamp = tuple(row)
    cached = _loaded.get(service_id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    service = (
        selectors.public_services()
        .select_related("published_version", "agency__institution")
        .filter(pk=service_id)
        .first()
    )
    if service is not None:
        if len(_loaded) > 1000:  # bounded: a process serves a catalogue, not the world
            _loaded.clear()
        _loaded[service_id] = (stamp, service)
    return service


def loaded_service(service_id: int) -> tuple[Service, tuple[str, list[Any]]] | None:
    """This process's copy of the service, without a query, with the guard that holds only
    while it is current (``tracking.reserve`` checks it in the statement that takes the
    number, ADR 0169); None when the process has no copy (then ``open_service``)."""
    cached = _loaded.get(service_id)
    if cached is None:
        return None
    stamp, service = cached
    return service, (_stamp_sql()[1], [service_id, Service.Status.ACTIVE, *stamp])


def visible_application(user: Actor, tracking_number: str) -> Application:
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
