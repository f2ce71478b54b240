"""The regulators' forms on violations, the blacklist and credit repair. Each field is
optional here where the service reports its absence, so every problem shows at once, in the
service's words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from agencies.models import Agency, Practitioner
from core.forms import RowChoiceField, RowMultipleChoiceField, decision_field
from core.uploads import validate_upload
from credit.models import Complaint, Violation
from credit.services.blacklist import BANNABLE_ROLES

_TEXT = {"rows": 4}


def _authorities():
    return Organisation.objects.filter(
        kind__in=[Organisation.Kind.REGULATOR, Organisation.Kind.APPROVAL_DEPARTMENT]
    ).order_by("kind", "name")


class ViolationRecordForm(forms.Form):
    agency = RowChoiceField(
        label=_("Agency"), queryset=Agency.objects.select_related("organisation")
    )
    kind = forms.ChoiceField(label=_("Type"), choices=Violation.Kind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Violation.Severity.choices)
    occurred_on = forms.DateField(
        label=_("Occurred on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    facts = forms.CharField(label=_("Facts"), required=False, widget=forms.Textarea(attrs=_TEXT))
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs=_TEXT)
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        validators=[validate_upload],
        help_text=_("Optional. A PDF, JPEG or PNG file of up to 10 MB; only regulators see it."),
    )
    authority = RowChoiceField(
        label=_("Deciding authority"), queryset=_authorities(), required=False
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    complaint = RowChoiceField(
        queryset=Complaint.objects.all(), required=False, widget=forms.HiddenInput
    )


class AppealDecisionForm(forms.Form):
    upheld = decision_field(
        label=_("Decision on the appeal"),
        yes=_("Upheld: the violation stays in force"),
        no=_("Annulled: the violation no longer counts"),
    )
    decision = forms.CharField(
        label=_("Decision"),
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text=_("Published with the violation."),
    )


class BlacklistForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs=_TEXT))
    authority = RowChoiceField(
        label=_("Deciding authority"), queryset=_authorities(), required=False
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_on = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day the agency is no longer on the blacklist."),
    )
    persons = RowMultipleChoiceField(
        label=_("Persons banned from the market with the agency"),
        queryset=Practitioner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        persons = self.fields["persons"]
        persons.queryset = Practitioner.objects.filter(agency=agency, role__in=BANNABLE_ROLES)
        persons.label_from_instance = lambda person: (
            f"{person.name} · {person.get_role_display()} · {person.masked_id_number}"
        )


class RepairDecisionForm(forms.Form):
    granted = decision_field(
        label=_("Decision"),
        yes=_("Grant: the violation stops counting and its blacklisting is lifted"),
        no=_("Refuse"),
    )
    decision = forms.CharField(
        label=_("Reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published on the blacklist page."),
    )
