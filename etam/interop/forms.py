from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etam.interop.models import Consumer, DataService
from etam.interop.services.catalogue import SERVICE_FIELDS


class JSONObjectField(forms.Field):
    """A JSON object typed in a textarea (an OpenAPI schema fragment)."""

    widget = forms.Textarea(attrs={"rows": 5})

    def to_python(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        text = str(value or "").strip()
        if not text:
            return {}
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _('Give a JSON object, e.g. {"type": "object"} (%(error)s).') % {"error": exc}
            ) from None
        if not isinstance(parsed, dict):
            raise forms.ValidationError(_('Give a JSON object, e.g. {"type": "object"}.'))
        return parsed

    def prepare_value(self, value: Any) -> Any:
        return json.dumps(value, indent=2, ensure_ascii=False) if isinstance(value, dict) else value


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]
    input_schema = JSONObjectField(label=_("Input schema (OpenAPI)"), required=False)
    output_schema = JSONObjectField(label=_("Output schema (OpenAPI)"), required=False)

    class Meta:
        model = DataService
        fields = ["agency", "code", *SERVICE_FIELDS]

    def __init__(self, *args: Any, agencies: Any = None, hosts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["host"].queryset = hosts  # type: ignore[attr-defined]
        self.fields["agency"].empty_label = None  # type: ignore[attr-defined]
        self.fields["host"].empty_label = None  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        """The service says when a code is taken (one message, in the service)."""


class ConsumerForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Consumer
        fields = ["agency", "name", "kind", "organisation", "contact_name", "contact_email"]

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["agency"].empty_label = None  # type: ignore[attr-defined]


class AgreementRequestForm(forms.Form):
    service = forms.ModelChoiceField(queryset=DataService.objects.none(), label=_("Service"), empty_label=None)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=300)
    quota_per_day = forms.IntegerField(label=_("Quota per day"), required=False, min_value=1, max_value=10_000_000)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, services: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    quota_per_day = forms.IntegerField(label=_("Quota per day"), required=False, min_value=1, max_value=10_000_000)


class ExchangeFilterForm(forms.Form):
    service = forms.CharField(label=_("Service"), required=False, max_length=100)
    consumer = forms.CharField(label=_("Consumer"), required=False, max_length=100)
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=32)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
