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
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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
    """A horizontal bar chart as inline SVG, readable by screen readers (title + table
    fallback is the page's job)."""
    label_w, bar_h, gap = 210, 18, 8
    values = [v for _l, v in rows if v is not None]
    top = max(values) if values else 1
    top = top or 1
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(short)}</text>')
        if value is None:
            parts.append(f'<text x="{label_w}" y="{y + 13}" font-size="12" fill="#4a5f5c">—</text>')
            continue
        bar = max(1, int((width - label_w - 60) * value / top))
        parts.append(f'<rect x="{label_w}" y="{y}" width="{bar}" height="{bar_h}" fill="#0b5d57"/>')
        shown = f"{value:g}{unit}"
        parts.append(f'<text x="{label_w + bar + 4}" y="{y + 13}" font-size="12">{escape(shown)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text is escaped above)
