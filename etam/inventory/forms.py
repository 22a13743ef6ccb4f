"""Forms of the inventory. Every error message names the field and says what is expected."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etam.core.actors import Actor
from etam.inventory import selectors
from etam.inventory.models import (
    AccessPoint,
    Application,
    ApplicationKind,
    Coverage,
    DataCentre,
    DuplicateStatus,
    NationalApplication,
    NetworkLink,
)
from etam.inventory.reference import rab_code_problem, service_code_problem
from etam.inventory.services import APPLICATION_FIELDS, DATA_CENTRE_FIELDS, NATIONAL_FIELDS, NETWORK_LINK_FIELDS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def _optional_date(label: Any) -> forms.DateField:
    """An optional date with the browser's date picker; typed dates in the local forms are accepted too."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _set_queryset(field: forms.Field, queryset: Any) -> None:
    cast(forms.ModelChoiceField, field).queryset = queryset


class NamedErrorsMixin:
    """Rewrites the stock messages so each one names its field: "Nama: wajib diisi."."""

    fields: dict[str, forms.Field]

    def name_errors(self) -> None:
        for field in self.fields.values():
            label = str(field.label or "")
            messages = {
                "required": _("%(field)s: this field is required.") % {"field": label},
                "invalid": _("%(field)s: the value is not valid.") % {"field": label},
                "invalid_choice": _("%(field)s: choose one of the listed options.") % {"field": label},
                "max_length": _("%(field)s: at most %%(limit_value)d characters (now %%(show_value)d).")
                % {"field": label},
                "min_value": _("%(field)s: must be at least %%(limit_value)s.") % {"field": label},
                "max_value": _("%(field)s: must be at most %%(limit_value)s.") % {"field": label},
            }
            if isinstance(field, forms.URLField):
                messages["invalid"] = _(
                    "%(field)s: enter a full web address starting with https:// or http://, "
                    "e.g. https://aplikasi.kaltimprov.go.id."
                ) % {"field": label}
            if isinstance(field, forms.DateField):
                messages["invalid"] = _("%(field)s: enter a date as YYYY-MM-DD, e.g. 2025-08-31.") % {"field": label}
            if isinstance(field, forms.IntegerField | forms.DecimalField):
                messages["invalid"] = _("%(field)s: enter a whole number, e.g. 120.") % {"field": label}
            field.error_messages.update(messages)


class ListField(forms.CharField):
    """One item per line (or separated by semicolons) ↔ a list of strings."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *args: Any, max_items: int = 50, **kwargs: Any) -> None:
        self.max_items = max_items
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def clean(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple):
            items = [str(v).strip() for v in value]
        else:
            text = super().clean(value) or ""
            items = [part.strip() for line in text.splitlines() for part in line.split(";")]
        items = [i for i in items if i]
        if len(items) > self.max_items:
            raise forms.ValidationError(
                _("%(field)s: at most %(n)d items.") % {"field": self.label, "n": self.max_items}
            )
        too_long = [i for i in items if len(i) > 150]
        if too_long:
            raise forms.ValidationError(
                _('%(field)s: each item at most 150 characters ("%(item)s…" is longer).')
                % {"field": self.label, "item": too_long[0][:30]}
            )
        return items


class ApplicationForm(NamedErrorsMixin, forms.ModelForm):
    datasets = ListField(
        label=gettext_lazy("Datasets produced or used"),
        help_text=gettext_lazy("One per line; the Satu Data title where it exists"),
    )
    integrations_provided = ListField(
        label=gettext_lazy("Integrations provided"), help_text=gettext_lazy("APIs or services it offers, one per line")
    )
    integrations_consumed = ListField(
        label=gettext_lazy("Integrations consumed"), help_text=gettext_lazy("APIs or services it uses, one per line")
    )
    last_security_audit = _optional_date(gettext_lazy("Last security audit"))

    class Meta:
        model = Application
        fields = APPLICATION_FIELDS  # one list: the form edits what the service accepts
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, actor: Actor | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        _set_queryset(self.fields["agency"], selectors.agencies_manageable_by(actor))
        self.fields["agency"].label = _("Owner OPD")
        _set_queryset(self.fields["national_application"], NationalApplication.objects.filter(is_active=True))
        _set_queryset(self.fields["data_centre"], selectors.data_centres_visible_to(actor))
        self.fields["business_process_code"].help_text = _("RAB code, e.g. 09.04 or 09.04.01 (T1–T4)")
        self.fields["service_code"].help_text = _("RAL code, e.g. 02.09")
        self.name_errors()

    def clean_business_process_code(self) -> str:
        code = (self.cleaned_data.get("business_process_code") or "").strip()
        if code and (problem := rab_code_problem(code)):
            label = self.fields["business_process_code"].label
            if problem == "shape":
                raise forms.ValidationError(
                    _("%(field)s: write it as two-digit groups separated by dots, e.g. 09.04 or 09.04.01.")
                    % {"field": label}
                )
            raise forms.ValidationError(
                _("%(field)s: %(code)s is not in the SPBE business-process reference (sectors 01–09).")
                % {"field": label, "code": code}
            )
        return code

    def clean_service_code(self) -> str:
        code = (self.cleaned_data.get("service_code") or "").strip()
        if code and service_code_problem(code):
            raise forms.ValidationError(
                _("%(field)s: %(code)s is not an SPBE service reference code (01.01–01.45 or 02.01–02.09).")
                % {"field": self.fields["service_code"].label, "code": code}
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        national = data.get("national_application")
        if kind == ApplicationKind.GENERAL and national is None:
            self.add_error(
                "national_application",
                _("National Aplikasi Umum: an Aplikasi Umum must name the national application it is an instance of."),
            )
        if kind == ApplicationKind.SPECIFIC and national is not None:
            self.add_error(
                "national_application",
                _("National Aplikasi Umum: leave empty for an Aplikasi Khusus (or change the kind to Aplikasi Umum)."),
            )
        return data


class RetireForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


class DuplicateDecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (DuplicateStatus.CONFIRMED, gettext_lazy("Confirm: this is a duplicate")),
            (DuplicateStatus.MERGE_PLANNED, gettext_lazy("Plan a merge")),
            (DuplicateStatus.DISMISSED, gettext_lazy("Dismiss: not a duplicate")),
            (DuplicateStatus.OPEN, gettext_lazy("Reopen")),
        ],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class NationalApplicationForm(NamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = NationalApplication
        fields = list(NATIONAL_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name_errors()


class DataCentreForm(NamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = DataCentre
        fields = list(DATA_CENTRE_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from etam.inventory import permissions as perms

        _set_queryset(self.fields["institution"], selectors.institutions_visible_to(actor, perms.MANAGE_INFRASTRUCTURE))
        _set_queryset(self.fields["agency"], selectors.agencies_manageable_by(actor, perms.MANAGE_INFRASTRUCTURE))
        self.name_errors()

    def clean_region_code(self) -> str:
        from django.core.exceptions import ValidationError

        from etam.core.validators import validate_region_code

        code = (self.cleaned_data.get("region_code") or "").strip()
        if code:
            try:
                validate_region_code(code)
            except ValidationError as exc:
                raise forms.ValidationError(f"{self.fields['region_code'].label}: {exc.messages[0]}") from exc
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, institution = data.get("agency"), data.get("institution")
        if agency and institution and agency.institution_id != institution.pk:
            self.add_error("agency", _("OPD: choose an OPD of the selected instansi."))
        used, capacity = data.get("racks_used"), data.get("rack_capacity")
        if used is not None and capacity is not None and used > capacity:
            self.add_error("racks_used", _("Racks in use: cannot exceed the rack capacity (%(n)d).") % {"n": capacity})
        return data


class NetworkLinkForm(NamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = NetworkLink
        fields = list(NETWORK_LINK_FIELDS)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from etam.inventory import permissions as perms

        _set_queryset(self.fields["institution"], selectors.institutions_visible_to(actor, perms.MANAGE_INFRASTRUCTURE))
        _set_queryset(self.fields["data_centre"], selectors.data_centres_visible_to(actor))
        self.name_errors()

    def clean_bandwidth_mbps(self) -> int:
        value = self.cleaned_data.get("bandwidth_mbps")
        if value is not None and value < 1:
            raise forms.ValidationError(_("Bandwidth (Mbps): must be at least 1."))
        return value  # type: ignore[return-value]


class VillageForm(NamedErrorsMixin, forms.Form):
    coverage = forms.ChoiceField(label=gettext_lazy("Cellular coverage"), choices=Coverage.choices, required=False)
    in_programme = forms.BooleanField(label=gettext_lazy("In the Internet Desa programme"), required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name_errors()


class AccessPointForm(NamedErrorsMixin, forms.ModelForm):
    installed_on = _optional_date(gettext_lazy("Installed on"))

    class Meta:
        model = AccessPoint
        fields = ["site", "programme", "provider", "technology", "bandwidth_mbps", "power", "installed_on", "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name_errors()

    def clean_bandwidth_mbps(self) -> int:
        value = self.cleaned_data.get("bandwidth_mbps")
        if value is not None and not 1 <= value <= 10_000:
            raise forms.ValidationError(_("Bandwidth (Mbps): between 1 and 10000."))
        return value  # type: ignore[return-value]


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("File: upload a .csv or .xlsx file."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("File: at most 5 MB."))
        return upload
