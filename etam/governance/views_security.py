"""Security and audit pages (BSSN 4/2021 checklist, incidents, internal ICT audit) and the
personal-data register (processing activities, DPO contact)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from etam.core.actors import PersonRequest
from etam.core.lookups import or_404
from etam.core.permissions import has_perm
from etam.core.staff_access import staff_required
from etam.governance import permissions as perms
from etam.governance import selectors, services
from etam.governance.forms import (
    AdvanceForm,
    AuditForm,
    ControlForm,
    DpoForm,
    FindingForm,
    FollowUpForm,
    IncidentForm,
    IncidentUpdateForm,
    ProcessingForm,
)
from etam.governance.models import ControlArea
from etam.governance.views_common import chosen, form_page, page_of


@staff_required(perms.VIEW)
def security_home(request: HttpRequest) -> HttpResponse:
    controls: dict[int, dict[str, Any]] = {}
    for c in selectors.controls_visible_to(request.user):
        row = controls.setdefault(c.application_id, {"application": c.application, "areas": {}})
        row["areas"][c.area] = c
    rows = [
        {"application": r["application"], "cells": [r["areas"].get(area) for area in ControlArea.values]}
        for r in controls.values()
    ]
    return render(
        request,
        "governance/security_home.html",
        {
            "rows": rows,
            "areas": ControlArea.choices,
            "incidents": selectors.incidents_visible_to(request.user)[:50],
            "can_manage": has_perm(request.user, perms.MANAGE_SECURITY),
        },
    )


@staff_required(perms.MANAGE_SECURITY)
def control_set(request: PersonRequest) -> HttpResponse:
    form = ControlForm(request.POST or None, choices={"application": selectors.applications_for(request.user)})
    return form_page(
        request,
        form,
        lambda d: services.control_set(
            actor=request.user,
            application=chosen(d, "application", _("Application: choose the application.")),
            area=d["area"],
            status=d["status"],
            evidence=d["evidence"],
        ),
        title=_("BSSN 4/2021 control"),
        success=_("Control saved."),
        back=reverse("governance:security_home"),
    )


@staff_required(perms.MANAGE_SECURITY)
def incident_create(request: PersonRequest) -> HttpResponse:
    form = IncidentForm(
        request.POST or None,
        choices=selectors.record_choices(request.user, perms.MANAGE_SECURITY),
    )
    return form_page(
        request,
        form,
        lambda d: services.incident_report(
            actor=request.user, agency=chosen(d, "agency", _("OPD: choose the OPD.")), data=d
        ),
        title=_("Report an incident"),
        success=_("Incident recorded."),
        to=lambda i: reverse("governance:incident_detail", args=[i.pk]),
        back=reverse("governance:security_home"),
    )


@staff_required(perms.VIEW)
def incident_detail(request: PersonRequest, pk: int) -> HttpResponse:
    incident = or_404(selectors.incident_get, request.user, pk)
    can_manage = has_perm(request.user, perms.MANAGE_SECURITY, incident)
    form = IncidentUpdateForm(request.POST or None) if can_manage else None
    if form is not None and request.method == "POST":
        return form_page(
            request,
            form,
            lambda d: services.incident_update(
                actor=request.user, incident=incident, note=d["note"], status=d["status"], notified_at=d["notified_at"]
            ),
            title=incident.title,
            success=_("Incident updated."),
            back=reverse("governance:incident_detail", args=[incident.pk]),
        )
    return render(request, "governance/incident_detail.html", {"incident": incident, "form": form})


@staff_required(perms.VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/audit_list.html",
        {
            "page": page_of(request, selectors.audits_visible_to(request.user)),
            "findings": selectors.findings_visible_to(request.user).exclude(follow_up="selesai")[:50],
            "can_manage": has_perm(request.user, perms.MANAGE_AUDIT),
        },
    )


@staff_required(perms.MANAGE_AUDIT)
def audit_create(request: PersonRequest) -> HttpResponse:
    form = AuditForm(
        request.POST or None, choices={"institution": selectors.institutions_for(request.user, perms.MANAGE_AUDIT)}
    )
    return form_page(
        request,
        form,
        lambda d: services.audit_create(
            actor=request.user, institution=chosen(d, "institution", _("Instansi: choose the instansi.")), data=d
        ),
        title=_("Plan an internal ICT audit"),
        success=_("Audit planned."),
        to=lambda a: reverse("governance:audit_detail", args=[a.pk]),
        back=reverse("governance:audit_list"),
    )


@staff_required(perms.VIEW)
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = or_404(selectors.audit_get, request.user, pk)
    return render(
        request,
        "governance/audit_detail.html",
        {
            "engagement": engagement,
            "findings": selectors.findings_visible_to(request.user).filter(engagement=engagement),
            "can_manage": has_perm(request.user, perms.MANAGE_AUDIT, engagement),
        },
    )


@staff_required(perms.MANAGE_AUDIT)
def audit_advance(request: PersonRequest, pk: int) -> HttpResponse:
    engagement = or_404(selectors.audit_get, request.user, pk)
    return form_page(
        request,
        AdvanceForm(request.POST or None, initial={"report_summary": engagement.report_summary}),
        lambda d: services.audit_advance(actor=request.user, engagement=engagement, report_summary=d["report_summary"]),
        title=_("Next audit stage"),
        success=_("Audit moved to the next stage."),
        back=reverse("governance:audit_detail", args=[engagement.pk]),
    )


@staff_required(perms.MANAGE_AUDIT)
def finding_add(request: PersonRequest, pk: int) -> HttpResponse:
    engagement = or_404(selectors.audit_get, request.user, pk)
    form = FindingForm(
        request.POST or None,
        choices={
            "agency": selectors.agencies_for(request.user, perms.MANAGE_AUDIT).filter(
                institution_id=engagement.institution_id
            ),
            "application": selectors.applications_for(request.user),
            "risk": selectors.risks_visible_to(request.user),
        },
    )
    return form_page(
        request,
        form,
        lambda d: services.finding_add(
            actor=request.user,
            engagement=engagement,
            agency=chosen(d, "agency", _("OPD: choose the audited OPD.")),
            data=d,
        ),
        title=_("Audit finding"),
        success=_("Finding recorded."),
        back=reverse("governance:audit_detail", args=[engagement.pk]),
    )


@staff_required(perms.VIEW)
def finding_follow_up(request: PersonRequest, pk: int) -> HttpResponse:
    finding = or_404(selectors.finding_get, request.user, pk)
    return form_page(
        request,
        FollowUpForm(request.POST or None, initial={"follow_up": finding.follow_up, "note": finding.follow_up_note}),
        lambda d: services.finding_follow_up(
            actor=request.user, finding=finding, follow_up=d["follow_up"], note=d["note"]
        ),
        title=_("Follow-up of a finding"),
        success=_("Follow-up saved."),
        back=reverse("governance:audit_detail", args=[finding.engagement_id]),
    )


@staff_required(perms.VIEW)
def privacy_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/privacy_list.html",
        {
            "page": page_of(request, selectors.processing_visible_to(request.user)),
            "dpos": selectors.dpos_visible_to(request.user),
            "can_manage": has_perm(request.user, perms.MANAGE_PRIVACY),
            "can_dpo": has_perm(request.user, perms.MANAGE_DPO),
        },
    )


@staff_required(perms.MANAGE_PRIVACY)
def processing_create(request: PersonRequest) -> HttpResponse:
    form = ProcessingForm(request.POST or None, choices={"application": selectors.applications_for(request.user)})
    return form_page(
        request,
        form,
        lambda d: services.processing_save(
            actor=request.user,
            application=chosen(d, "application", _("Application: choose the application.")),
            data=d,
        ),
        title=_("Processing activity"),
        success=_("Processing activity saved."),
        back=reverse("governance:privacy_list"),
    )


@staff_required(perms.MANAGE_DPO)
def dpo_edit(request: PersonRequest) -> HttpResponse:
    form = DpoForm(
        request.POST or None, choices={"institution": selectors.institutions_for(request.user, perms.MANAGE_DPO)}
    )
    return form_page(
        request,
        form,
        lambda d: services.dpo_save(
            actor=request.user, institution=chosen(d, "institution", _("Instansi: choose the instansi.")), data=d
        ),
        title=_("Data protection officer"),
        success=_("Data protection officer saved."),
        back=reverse("governance:privacy_list"),
    )
