"""Governance forms: they parse input only; the services decide what is valid and name the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etam.core.models import Agency
from etam.governance.models import (
    AssetKind,
    AuditFinding,
    ControlArea,
    ControlStatus,
    Decision,
    ImpactArea,
    Incident,
    LegalBasis,
    RequestKind,
    RequestStatus,
    RiskCategory,
    Severity,
    Treatment,
)

SCALE = [("", "—"), *[(str(i), str(i)) for i in range(1, 6)]]
TEXT = {"rows": 3}


def _text(label: Any, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs=TEXT))


def _line(label: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=200, required=False)


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _datetime(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


def _choice(label: Any, choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[("", "—"), *choices], required=False)


def _model(label: Any, queryset: Any = None) -> forms.ModelChoiceField:
    # An empty list until the view sets the actor's own choices (ScopedForm).
    return forms.ModelChoiceField(
        label=label, queryset=queryset if queryset is not None else Agency.objects.none(), required=False
    )


class ScopedForm(forms.Form):
    """A form whose choice lists are the actor's own (set by the view from selectors)."""

    def __init__(self, *args: Any, choices: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (choices or {}).items():
            if name in self.fields and hasattr(queryset, "all"):
                self.fields[name].queryset = queryset  # type: ignore[attr-defined]


class RequestForm(ScopedForm):
    agency = _model(_("OPD"))
    kind = _choice(_("Kind of request"), RequestKind.choices)
    title = _line(_("Title"))
    description = _text(_("Description"))
    name = forms.CharField(label=_("Application name"), max_length=150, required=False)
    acronym = forms.CharField(label=_("Acronym"), max_length=40, required=False)
    purpose = _text(_("Purpose"))
    legal_basis = _text(_("Legal basis"))
    problem = _text(_("Problem (including audit findings)"))
    audit_findings = _text(_("Audit findings referred to"))
    scope = _text(_("Scope"))
    cost_benefit = _text(_("Cost-benefit analysis"))
    initial_risk = _text(_("Initial risk analysis"))
    raa_code = forms.ChoiceField(label=_("Application reference code"), required=False, choices=[])
    business_process_code = forms.CharField(label=_("Business process code"), max_length=11, required=False)

    PROPOSAL = [
        "name",
        "acronym",
        "purpose",
        "legal_basis",
        "problem",
        "audit_findings",
        "scope",
        "cost_benefit",
        "initial_risk",
        "raa_code",
        "business_process_code",
    ]

    def __init__(self, *args: Any, reference_codes: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["raa_code"].choices = [("", "—"), *reference_codes]  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    body = _text(_("Comment"), required=False)


class FileForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG, PNG, XLSX, DOCX)"), required=False)


class AssignForm(ScopedForm):
    assignee = _model(_("Assignee"))


class CloseForm(forms.Form):
    status = _choice(_("Status"), [(RequestStatus.DONE, _("Done")), (RequestStatus.REJECTED, _("Rejected"))])
    note = _text(_("Note"))


class MapForm(forms.Form):
    raa_code = forms.ChoiceField(label=_("Application reference code"), required=False, choices=[])
    business_process_code = forms.CharField(label=_("Business process code"), max_length=11, required=False)

    def __init__(self, *args: Any, reference_codes: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["raa_code"].choices = [("", "—"), *reference_codes]  # type: ignore[attr-defined]


class DecisionForm(ScopedForm):
    decision = _choice(_("Decision"), Decision.choices)
    reason = _text(_("Reasons"))
    reuse_application = _model(_("Application to reuse"))


class RiskForm(ScopedForm):
    agency = _model(_("OPD (risk-owning unit)"))
    title = _line(_("Risk"))
    category = _choice(_("Category"), RiskCategory.choices)
    impact_area = _choice(_("Impact area"), ImpactArea.choices)
    positive = forms.BooleanField(label=_("Positive risk (opportunity)"), required=False)
    asset_kind = _choice(_("Linked to"), AssetKind.choices)
    application = _model(_("Application"))
    data_centre = _model(_("Infrastructure"))
    asset_reference = _line(_("Dataset or process"))
    causes = _text(_("Causes"))
    consequences = _text(_("Consequences"))
    owner = _model(_("Risk owner"))
    likelihood = forms.ChoiceField(label=_("Likelihood (1–5)"), choices=SCALE, required=False)
    impact = forms.ChoiceField(label=_("Impact (1–5)"), choices=SCALE, required=False)


class TreatmentForm(ScopedForm):
    action = _text(_("Treatment plan"))
    owner = _model(_("Owner"))
    due_on = _date(_("Due on"))


class TreatmentStatusForm(forms.Form):
    status = _choice(_("Status"), Treatment.Status.choices)


class MonitoringForm(forms.Form):
    period = _date(_("Period"))
    likelihood = forms.ChoiceField(label=_("Likelihood now (1–5)"), choices=SCALE, required=False)
    impact = forms.ChoiceField(label=_("Impact now (1–5)"), choices=SCALE, required=False)
    note = _text(_("Note"))
    close = forms.BooleanField(label=_("Close the risk"), required=False)


class ContextForm(ScopedForm):
    institution = _model(_("Instansi"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    appetite = forms.IntegerField(label=_("Risk appetite (highest accepted magnitude, 1–25)"), required=False)
    appetite_statement = _text(_("Appetite statement"))
    likelihood_criteria = _text(_("Likelihood criteria"))
    impact_criteria = _text(_("Impact criteria"))


class ControlForm(ScopedForm):
    application = _model(_("Application"))
    area = _choice(_("Control area"), ControlArea.choices)
    status = _choice(_("Status"), ControlStatus.choices)
    evidence = _text(_("Evidence"))


class IncidentForm(ScopedForm):
    agency = _model(_("OPD"))
    title = _line(_("Title"))
    description = _text(_("Description"))
    severity = _choice(_("Severity"), Severity.choices)
    application = _model(_("Application"))
    data_centre = _model(_("Infrastructure"))
    detected_at = _datetime(_("Detected at"))
    personal_data = forms.BooleanField(label=_("Personal data involved"), required=False)


class IncidentUpdateForm(forms.Form):
    note = _text(_("Note"))
    status = _choice(_("Status"), Incident.Status.choices)
    notified_at = _datetime(_("Breach notice sent at"))


class AuditForm(ScopedForm):
    institution = _model(_("Instansi"))
    title = _line(_("Title"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    scope = _text(_("Scope"))
    auditor = _line(_("Auditor"))


class AdvanceForm(forms.Form):
    report_summary = _text(_("Report summary"))


class FindingForm(ScopedForm):
    agency = _model(_("Audited OPD"))
    title = _line(_("Finding"))
    recommendation = _text(_("Recommendation"))
    application = _model(_("Application"))
    risk = _model(_("Risk"))
    due_on = _date(_("Due on"))


class FollowUpForm(forms.Form):
    follow_up = _choice(_("Follow-up"), AuditFinding.FollowUp.choices)
    note = _text(_("Follow-up note"))


class ProcessingForm(ScopedForm):
    application = _model(_("Application"))
    name = _line(_("Processing activity"))
    purpose = _text(_("Purpose"))
    legal_basis = _choice(_("Legal basis"), LegalBasis.choices)
    data_categories = _text(_("Data categories"))
    specific_data = forms.BooleanField(label=_("Specific personal data"), required=False)
    recipients = _text(_("Recipients"))
    retention = _line(_("Retention"))


class DpoForm(ScopedForm):
    institution = _model(_("Instansi"))
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
