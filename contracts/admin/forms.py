"""Back-office forms for model contracts (R5): writing a version, answering a finding, and the
regulator's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import ServiceItem
from contracts.models import ContractTemplateVersion
from contracts.services import template_preview
from core.exceptions import ApplicationError


class TemplateVersionForm(forms.Form):
    """The text and the signing order of a new version. The text is filled in with the
    sample facts while the form is checked, so a preview and a save find the same errors,
    all of them beside the other fields' at once; the service checks it again when it
    saves."""

    body = forms.CharField(
        label=_("Text of the model contract"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        help_text=_("Insert a variable as {{ fee }}; if and for are allowed."),
    )
    signing_order = forms.ChoiceField(
        label=_("Signing order"),
        choices=ContractTemplateVersion.SigningOrder.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, service_item: ServiceItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_item = service_item
        self.preview: str | None = None

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            self.preview = template_preview(service_item=self.service_item, body=body)
        except ApplicationError as error:
            raise forms.ValidationError(error.extra.get("body") or [error.message]) from None
        return body


class FindingAnswerForm(forms.Form):
    """The keeper's answer to one finding: why the clause is fair, or how it was handled."""

    index = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    answer = forms.CharField(
        label=_("Answer"),
        required=False,  # the service says "Please write the answer." at the field
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TemplateDecisionForm(forms.Form):
    """The regulator's approval or refusal, confirmed."""

    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,  # a refusal needs one: the service says so at the field
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label=_("I have read the text and its findings, and confirm this decision.")
    )

    def __init__(self, *args, approved: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not approved:
            self.fields["note"].label = _("Why the version is refused")
            self.fields["note"].help_text = _("The department reads it with the version.")
