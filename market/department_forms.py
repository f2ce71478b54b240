from django import forms
from django.utils.translation import gettext_lazy as _


class ClassificationDecisionForm(forms.Form):
    confirmed = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[
            ("yes", _("Confirmed: the project is special or major")),
            ("no", _("Refused: the project is an ordinary one")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the owner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when refusing."),
    )
