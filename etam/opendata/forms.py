"""Staff forms. They only parse input; the services decide and record."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from etam.core.actors import Actor
from etam.core.models import Agency
from etam.opendata.models import ActivityMetadata, ColumnSpec, Dataset, IndicatorMetadata
from etam.opendata.services import COLUMN_FIELDS, DATASET_FIELDS

DATASET_FORM_FIELDS = list(DATASET_FIELDS)  # one list: the form edits what the service accepts


class DatasetForm(forms.ModelForm):
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate with commas, e.g. penduduk, kabupaten")
    )

    class Meta:
        model = Dataset
        fields = DATASET_FORM_FIELDS
        widgets = {
            "temporal_start": forms.DateInput(attrs={"type": "date"}),
            "temporal_end": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"] = forms.ModelChoiceField(
                queryset=agencies, label=_("Data producer (OPD)"), empty_label=None
            )
            self.order_fields(["agency", *DATASET_FORM_FIELDS])
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())

    def clean_tags(self) -> list[str]:
        return [t.strip().lower() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]

    def _post_clean(self) -> None:
        # The service validates the model (and the region code) itself; avoid a half-built instance here.
        pass

    def dataset_fields(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in DATASET_FORM_FIELDS if f in self.cleaned_data}


class ActivityForm(forms.ModelForm):
    class Meta:
        model = ActivityMetadata
        fields = [f.name for f in ActivityMetadata._meta.fields if f.name not in ("id", "dataset")]
        widgets = {
            "quality_checks": forms.Textarea(attrs={"rows": 2}),
            "processing_stages": forms.Textarea(attrs={"rows": 2}),
        }


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = IndicatorMetadata
        fields = [f.name for f in IndicatorMetadata._meta.fields if f.name not in ("id", "dataset")]
        widgets = {f: forms.Textarea(attrs={"rows": 2}) for f in ("concept", "definition", "interpretation", "method")}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    change_note = forms.CharField(
        label=_("Change note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        required=False,
        choices=[("", _("Detect")), ("utf-8", "UTF-8"), ("cp1252", "Windows-1252")],
    )
    delimiter = forms.ChoiceField(
        label=_("Delimiter"),
        required=False,
        choices=[("", _("Detect")), (",", _("Comma ,")), (";", _("Semicolon ;")), ("tab", _("Tab"))],
    )


COLUMN_FORM_FIELDS = list(COLUMN_FIELDS)


class ColumnForm(forms.ModelForm):
    class Meta:
        model = ColumnSpec
        fields = COLUMN_FORM_FIELDS
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 2}),
            "concept": forms.Textarea(attrs={"rows": 1}),
        }
        help_texts = {
            "selection_reference": _(
                "MS-Var referensi pemilihan: which units the variable covers, e.g. 'active schools'."
            ),
            "time_reference": _(
                "MS-Var referensi waktu: the moment or period the value refers to, e.g. '31 December'."
            ),
            "classification": _("MS-Var klasifikasi isian: the classification the values follow, e.g. 'KBLI 2020'."),
            "question": _("MS-Var kalimat pertanyaan: the question asked to collect the value, if any."),
            "is_public": _("MS-Var aksesibilitas publik: untick if this column may not be published openly."),
        }

    def _post_clean(self) -> None:
        pass


ColumnFormSet = modelformset_factory(ColumnSpec, form=ColumnForm, extra=0, can_delete=False)


class _DecisionForm(forms.Form):
    """A reviewer's decision with a comment that the decision sending the matter back
    (``needs_comment``) requires. The version review and the access review differ only in
    their ``decisions``, that one and the message."""

    decisions: ClassVar[list[tuple[str, Any]]] = []
    needs_comment: ClassVar[str] = ""
    comment_message: ClassVar[Any] = ""

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = self.decisions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.needs_comment and not data.get("comment", "").strip():
            self.add_error("comment", self.comment_message)
        return data


class ReviewForm(_DecisionForm):
    decisions = [("publish", _("Publish")), ("return", _("Return with comments"))]
    needs_comment = "return"
    comment_message = _("Comment: explain what the data producer must fix.")


class AccessReviewForm(_DecisionForm):
    decisions = [("approve", _("Approve the wider access")), ("refuse", _("Refuse"))]
    needs_comment = "refuse"
    comment_message = _("Comment: explain why the access stays as it is.")


def agencies_for(actor: Actor, perm: str) -> Any:
    from etam.core.permissions import scope_q

    return Agency.objects.filter(
        scope_q(actor, perm, institution_field="institution_id", agency_field="id")
    ).select_related("institution")
