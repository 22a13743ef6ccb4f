"""Forms for the core pages. They parse what was typed; the services validate and decide.

Fields are mostly ``required=False``: the service names the field and what is expected
in its own message, and ``apply_service_errors`` puts each message on its field, so a
failed submit comes back with every typed value and one error per field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from etam.core.formerrors import apply_service_errors as apply_service_errors  # re-export (shared helper)
from etam.core.models import Agency, Institution, OrgUnit, Role

INSTITUTION_PREFIX = "i"
AGENCY_PREFIX = "a"


def _password(label: Any, autocomplete: str, help_text: Any = "") -> forms.CharField:
    """A password box: never stripped, never re-shown; the service checks it."""
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


def date_input(label: Any, invalid: Any, help_text: Any = "") -> forms.DateField:
    """An optional date box (the browser's date picker; typed 31-01-2025 or 31/01/2025 too),
    whose ``invalid`` message names the field."""
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=DATE_INPUT_FORMATS,
        help_text=help_text,
        error_messages={"invalid": invalid},
    )


def _text(label: Any, *, max_length: int, help_text: Any = "", autocomplete: str | None = None) -> forms.CharField:
    attrs = {"autocomplete": autocomplete} if autocomplete else {}
    return forms.CharField(
        label=label, max_length=max_length, required=False, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


class InstitutionForm(forms.Form):
    region_code = _text(_("Region code (kode wilayah)"), max_length=13, help_text=_("Kemendagri code, e.g. 64.72"))
    name = _text(_("Name"), max_length=200)
    short_name = _text(_("Short name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=Institution.Kind.choices)

    def __init__(self, *args: Any, can_change_region: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_change_region:
            self.fields["region_code"].disabled = True
            self.fields["kind"].disabled = True


class AgencyForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Instansi"),
        queryset=Institution.objects.none(),
        error_messages={"invalid_choice": _("Instansi: choose one of the listed instansi.")},
        required=False,
    )
    code = _text(
        _("OPD code"), max_length=40, help_text=_("Short capital code, unique within the instansi, e.g. DISKOMINFO")
    )
    name = _text(_("Name"), max_length=200)
    short_name = _text(_("Short name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=Agency.Kind.choices, initial=Agency.Kind.DINAS)
    email = _text(_("Email"), max_length=254, autocomplete="email")
    phone = _text(_("Phone"), max_length=40, help_text=_("e.g. (0541) 733333"), autocomplete="tel")
    address = _text(_("Address"), max_length=255)

    def __init__(
        self,
        *args: Any,
        institutions: Iterable[Institution] | None = None,
        restricted: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if institutions is None:
            del self.fields["institution"]
        else:
            self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
            self.fields["institution"].required = True
            self.fields["institution"].error_messages["required"] = _("Instansi: choose the instansi of the OPD.")
        if restricted:
            # An admin OPD keeps contact details current; code and kind are the instansi's.
            self.fields["code"].disabled = True
            self.fields["kind"].disabled = True


class UnitForm(forms.Form):
    code = _text(_("Unit code"), max_length=40, help_text=_("e.g. APTIKA"))
    name = _text(_("Name"), max_length=200)
    parent = forms.ModelChoiceField(
        label=_("Parent unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("(none: directly under the OPD)"),
        error_messages={"invalid_choice": _("Parent unit: choose one of the listed units.")},
    )

    def __init__(self, *args: Any, agency: Agency, exclude: OrgUnit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(agency=agency).order_by("code")
        if exclude is not None:
            units = units.exclude(pk=exclude.pk)
        self.fields["parent"].queryset = units  # type: ignore[attr-defined]


def scope_choices(institutions: Iterable[Institution], agencies: Iterable[Agency]) -> list[tuple[Any, Any]]:
    """One select for the scope of a grant: instansi first, then OPDs grouped by instansi."""
    choices: list[tuple[Any, Any]] = [("", _("(none: super admin covers everything)"))]
    institutions = list(institutions)
    if institutions:
        choices.append(
            (_("Whole instansi"), [(f"{INSTITUTION_PREFIX}{i.pk}", i.short_name or i.name) for i in institutions])
        )
    groups: dict[str, list[tuple[str, str]]] = {}
    for agency in agencies:
        groups.setdefault(agency.institution.short_name, []).append(
            (f"{AGENCY_PREFIX}{agency.pk}", f"{agency.code} — {agency.name}")
        )
    for label, items in groups.items():
        choices.append((_("OPD in %(institution)s") % {"institution": label}, items))
    return choices


class GrantForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=(),
        required=False,
        error_messages={"invalid_choice": _("Role: choose one of the listed roles.")},
    )
    scope = forms.ChoiceField(
        label=_("Scope (instansi or OPD)"),
        choices=(),
        required=False,
        error_messages={"invalid_choice": _("Scope: choose one of the listed instansi or OPD.")},
    )

    def __init__(
        self,
        *args: Any,
        roles: Iterable[str],
        institutions: Iterable[Institution],
        agencies: Iterable[Agency],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        self.fields["role"].choices = [("", _("(choose a role)"))] + [(r, labels[r]) for r in roles]  # type: ignore[attr-defined]
        self._institutions = {f"{INSTITUTION_PREFIX}{i.pk}": i for i in institutions}
        self._agencies = {f"{AGENCY_PREFIX}{a.pk}": a for a in agencies}
        self.fields["scope"].choices = scope_choices(self._institutions.values(), self._agencies.values())  # type: ignore[attr-defined]

    def clean_role(self) -> str:
        role = self.cleaned_data.get("role") or ""
        if not role:
            raise ValidationError(_("Role: choose the role to grant."), code="required")
        return role

    def scope_objects(self) -> tuple[Institution | None, Agency | None]:
        key = self.cleaned_data.get("scope") or ""
        if key in self._agencies:
            agency = self._agencies[key]
            return agency.institution, agency
        return self._institutions.get(key), None


class StaffCreateForm(GrantForm):
    full_name = _text(_("Full name"), max_length=150, autocomplete="name")
    email = _text(_("Email"), max_length=254, autocomplete="email")
    phone = _text(_("Phone number (optional)"), max_length=40, help_text=_("e.g. 0812 3456 7890"), autocomplete="tel")
    password = _password(
        _("Initial password"),
        "new-password",
        help_text=_(
            "At least 12 characters with upper-case and lower-case letters, digits and symbols; give it to the "
            "person privately. They can change it after signing in."
        ),
    )

    field_order = ["full_name", "email", "phone", "password", "role", "scope"]


class StaffEditForm(forms.Form):
    """A staff member's contact details; the service checks them and names each problem."""

    full_name = _text(_("Full name"), max_length=150, autocomplete="off")
    email = _text(_("Email"), max_length=254, autocomplete="off")
    phone = _text(_("Phone number (optional)"), max_length=40, help_text=_("e.g. 0812 3456 7890"), autocomplete="off")


# --- sign-in and accounts -----------------------------------------------------------


class LoginForm(forms.Form):
    # Named "username" so django-axes counts attempts per typed identifier.
    username = forms.CharField(
        label=_("Email or mobile number"),
        max_length=254,
        error_messages={"required": _("Email or mobile number: enter the email or number you registered with.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=pgettext_lazy("etam", "Password"),
        strip=False,
        error_messages={"required": _("Password: enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=10,
        error_messages={"required": _("Code: enter the 6-digit code shown in your authenticator app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}),
    )


class SignInCodeForm(forms.Form):
    """The second sign-in step: the authenticator's 6-digit code or one recovery code."""

    code = forms.CharField(
        label=_("6-digit code from your authenticator app, or a recovery code"),
        max_length=20,
        error_messages={
            "required": _("Code: enter the 6-digit code shown in your authenticator app, or one recovery code."),
            "max_length": _("Code: enter 6 digits, or a recovery code like abcd-efgh."),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class RegisterForm(forms.Form):
    full_name = _text(_("Full name"), max_length=150, autocomplete="name")
    email = _text(
        _("Email"), max_length=254, autocomplete="email", help_text=_("Email or mobile number: fill in at least one.")
    )
    phone = _text(_("Mobile number"), max_length=40, autocomplete="tel", help_text=_("e.g. 0812 3456 7890"))
    password1 = _password(
        pgettext_lazy("etam", "Password"),
        "new-password",
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    password2 = _password(_("Password again"), "new-password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Password again: the two passwords do not match."))
        return data


class NewPasswordPairForm(forms.Form):
    """A new password typed twice (`new_password1`, `new_password2`); the second must match the first.

    Subclasses add their own fields and put them first with `field_order`."""

    new_password1 = _password(
        pgettext_lazy("etam", "New password"),
        "new-password",
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    new_password2 = _password(_("New password again"), "new-password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("New password again: the two passwords do not match."))
        return data


class PasswordChangeForm(NewPasswordPairForm):
    field_order = ["old_password", "new_password1", "new_password2"]

    old_password = _password(_("Current password"), "current-password")


# --- password recovery and profile (issue 15, docs/adr/0131) -------------------------------


class PasswordRecoveryRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Email or mobile number"),
        max_length=254,
        help_text=_("The email or mobile number of your account. We send the code there."),
        error_messages={"required": _("Email or mobile number: enter the email or number you registered with.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )


class PasswordRecoveryCodeForm(NewPasswordPairForm):
    field_order = ["code", "new_password1", "new_password2"]

    code = forms.CharField(
        label=_("6-digit code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ProfileForm(forms.Form):
    full_name = _text(_("Full name"), max_length=150, autocomplete="name")
    email = _text(
        _("Email"), max_length=254, autocomplete="email", help_text=_("Fill in email, mobile number or both.")
    )
    phone = _text(_("Mobile number"), max_length=40, autocomplete="tel", help_text=_("e.g. 0812 3456 7890"))
