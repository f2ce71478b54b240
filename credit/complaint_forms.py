"""The public's complaint forms (R12). The form only collects: credit/services/complaints.py
checks everything, so that every problem is reported at once, in one wording."""

from django import forms
from django.utils.translation import gettext_lazy as _

from credit.models import Complaint

_CATEGORY_CHOICES = [("", _("Choose…")), *Complaint.Category.choices]


class ComplaintForm(forms.Form):
    # Plain text fields: an unknown category or a blank field is the service's to report,
    # beside every other problem, rather than the form's alone.
    category = forms.CharField(
        label=_("What is it about?"),
        required=False,
        widget=forms.Select(choices=_CATEGORY_CHOICES),
    )
    content = forms.CharField(
        label=_("What happened"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Who, when, what. Only regulators read it; it is never published."),
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("One PDF, JPEG or PNG file of at most 10 MB."),
    )
    name = forms.CharField(label=_("Your name"), required=False)
    contact = forms.CharField(
        label=_("Phone or e-mail"),
        required=False,
        help_text=_(
            "For the regulator to reach you; with an e-mail address you are told of "
            "each step. Never published."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required by the service, which reports them; marked so before anyone is told.
        for name in ("category", "content", "name", "contact"):
            self.fields[name].show_required = True


class TrackForm(forms.Form):
    number = forms.CharField(label=_("Complaint number"), max_length=20)
    key = forms.CharField(
        label=_("Tracking key"),
        max_length=64,
        widget=forms.PasswordInput(render_value=True),
    )
