"""Back-office forms for the marketplace: regional assessments and answers to objections."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from catalogue.models import RegionalAssessmentKind
from core.forms import RegionMultipleChoiceField
from core.uploads import PDF, validate_upload
from market.models import RegionalAssessment


class RegionalAssessmentAdminForm(WagtailAdminModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("assessment kinds covered"),
        choices=RegionalAssessmentKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    areas = RegionMultipleChoiceField(
        label=_("areas covered"),
        help_text=_("Every area inside a chosen area is covered too."),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RegionalAssessment
        fields = [
            "title",
            "areas",
            "kinds",
            "valid_from",
            "valid_to",
            "summary",
            "result_document",
        ]
        # A private file has no address for the "currently" link of the default widget; the
        # assessment's public page links the document through its own view.
        widgets = {"result_document": forms.FileInput}

    def clean_result_document(self):
        document = self.cleaned_data.get("result_document")
        if document and hasattr(document, "content_type"):  # a new upload
            try:
                validate_upload(document, kinds=(PDF,))
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return document

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", gettext("The end of validity cannot be before its start."))
        return cleaned


class ObjectionAnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[
            ("no", _("Dismissed: the award stands")),
            ("yes", _("Upheld: set the award aside")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer (published)"), widget=forms.Textarea(attrs={"rows": 5})
    )
