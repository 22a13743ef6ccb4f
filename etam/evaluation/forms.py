"""Forms of the staff pages: they only carry input; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from etam.evaluation.models import Framework

PERIOD_MESSAGE = _("Period: a year between 2018 and 2100 is expected.")
PERIOD_ERRORS = {key: PERIOD_MESSAGE for key in ("required", "invalid", "min_value", "max_value")}
INSTITUTION_ERRORS = {
    "required": _("Instansi: choose the instansi."),
    "invalid_choice": _("Instansi: choose one of the listed instansi."),
}
FRAMEWORK_ERRORS = {
    "required": _("Framework: choose a framework."),
    "invalid_choice": _("Framework: choose one of the listed frameworks."),
}


class OpenEvaluationForm(forms.Form):
    institution: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[arg-type]
        queryset=None, label=_("Instansi"), error_messages=INSTITUTION_ERRORS
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.exclude(status=Framework.Status.DRAFT),
        label=_("Framework"),
        error_messages=FRAMEWORK_ERRORS,
    )
    period = forms.IntegerField(label=_("Period (year)"), min_value=2018, max_value=2100, error_messages=PERIOD_ERRORS)

    def __init__(self, *args: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]


class ClaimForm(forms.Form):
    level = forms.CharField(label=_("Claimed level"), max_length=3)
    fact = forms.CharField(
        label=_("Fact sentence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What exists, e.g. 'Perda SPBE Nomor 4 Tahun 2023 has been enacted and covers …'"),
    )
    analysis = forms.CharField(
        label=_("Analysis sentence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Why this meets the claimed level, proven by which evidence"),
    )


class EvidenceForm(forms.Form):
    level = forms.CharField(label=_("Supports level"), max_length=3)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    file = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, JPEG, PNG, XLSX or DOCX; checked by its content")
    )
    url = forms.CharField(label=_("or a link"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Shares the indicator page with ClaimForm: its own ids, so each label points
        # at its own input (both have a "level" field).
        kwargs.setdefault("auto_id", "evidence_%s")
        super().__init__(*args, **kwargs)


class AssessmentForm(forms.Form):
    level = forms.CharField(label=_("Assessed level"), max_length=3)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "assessment_%s")
        super().__init__(*args, **kwargs)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SubmitForm(forms.Form):
    acknowledge_gaps = forms.BooleanField(
        label=_("I submit the claims whose evidence does not reach the claimed level as they are"), required=False
    )


class ImportResultsForm(OpenEvaluationForm):
    """Opening an evaluation from a file: the same instansi, framework and period, plus the results file."""

    file = forms.FileField(
        label=_("XLSX file"), help_text=_("Columns: Nomor Indikator, Tingkat Mandiri, Tingkat Akhir")
    )


class FrameworkImportForm(forms.Form):
    file = forms.FileField(label=_("Framework JSON file"))


def posted_pk(value: str | None) -> int:
    """An id taken from the query string or a form field; anything but digits is a 404
    (not a 500 from the database lookup)."""
    if not value or not value.isdigit():
        raise Http404
    return int(value)
