from django import forms

from accounts.models import Organisation
from accounts.services import ORGANISATION_EDITABLE_FIELDS


class OrganisationContactForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ORGANISATION_EDITABLE_FIELDS
