"""The regulator's complaint forms in the back office; credit/services/complaints.py checks
what they carry and reports every problem at once."""

from django import forms
from django.utils.translation import gettext_lazy as _

from credit.models import Complaint

_STATUS_CHOICES = [
    ("open", _("Not yet answered")),
    *Complaint.Status.choices,
    ("all", _("All")),
]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=_STATUS_CHOICES, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *Complaint.Category.choices], required=False
    )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the complainant (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who handles it and what comes next. The complainant reads it."),
    )


class ProgressNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Progress"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A step the complainant should know of. The complainant reads it."),
    )


class AnswerForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        widget=forms.RadioSelect(choices=Complaint.Outcome.choices),
    )
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What was found and what is done about it. The complainant reads it; "
            "answering closes the handling."
        ),
    )
