"""Service statistics: submissions, completed, median completion time, SLA compliance,
per service, OPD and kab/kota; server-rendered SVG bar charts (no JavaScript)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from etam.core.charts import bars
from etam.eservices.models import Application, Service


def service_summary(service: Service, *, days: int = 365) -> dict[str, Any]:
    since = timezone.now() - timedelta(days=days)
    figures = Application.objects.filter(
        service=service, closed_at__isnull=False, closed_at__gte=since, working_days_taken__isnull=False
    ).aggregate(n=Count("id"), avg=Avg("working_days_taken"), met=Count("id", filter=Q(met_sla=True)))
    n = figures["n"] or 0
    return {
        "completed": n,
        "average_days": round(figures["avg"], 1) if n else None,
        "sla_percent": round(100 * figures["met"] / n) if n else None,
    }


@dataclass
class Row:
    key: Any
    label: str
    submitted: int = 0
    completed: int = 0
    open: int = 0
    median_days: float | None = None
    sla_percent: int | None = None


def breakdown(applications: QuerySet[Application], by: str) -> list[Row]:
    """``by`` is ``service``, ``agency`` or ``institution``."""
    field = {"service": "service_id", "agency": "agency_id", "institution": "institution_id"}[by]
    label_field = {"service": "service__name", "agency": "agency__name", "institution": "institution__name"}[by]
    rows: dict[Any, Row] = {}
    for item in (
        applications.values(field, label_field)
        .annotate(
            submitted=Count("id"),
            completed=Count("id", filter=Q(closed_at__isnull=False)),
            open=Count("id", filter=Q(closed_at__isnull=True)),
            met=Count("id", filter=Q(met_sla=True)),
        )
        .order_by(label_field)
    ):
        row = Row(item[field], item[label_field], item["submitted"], item["completed"], item["open"])
        row.sla_percent = round(100 * item["met"] / item["completed"]) if item["completed"] else None
        rows[item[field]] = row
    durations: dict[Any, list[int]] = defaultdict(list)
    for key, days in applications.filter(working_days_taken__isnull=False).values_list(field, "working_days_taken"):
        durations[key].append(days)
    for key, values in durations.items():
        if key in rows:
            rows[key].median_days = statistics.median(values)
    return list(rows.values())


def bar_chart(rows: list[tuple[str, float | None]], *, title: str, unit: str = "", width: int = 560) -> SafeString:
    """A horizontal bar chart as inline SVG (the shared renderer, ADR 0090); the table
    fallback for screen readers is the page's job."""
    markup = bars.horizontal(rows, title=title, unit=unit, width=width, colour="#0b5d57")
    return mark_safe(markup)  # noqa: S308 (bars.horizontal escapes every text it writes)
