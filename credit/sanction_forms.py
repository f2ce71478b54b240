"""The agency's forms on its violations: the one appeal, and a request for credit repair.
The services check everything again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import validate_upload


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why the violation should be annulled"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A violation can be appealed once; a regulator decides."),
    )


class RepairForm(forms.Form):
    statement = forms.CharField(
        label=_("What the agency has put right"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The regulator's decision is published; this statement and the evidence are not."
        ),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        validators=[validate_upload],
        help_text=_("Optional. A PDF, JPEG or PNG file of up to 10 MB."),
    )
