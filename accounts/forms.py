from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from accounts.models import Organisation
from accounts.services import ORGANISATION_EDITABLE_FIELDS


class OrganisationContactForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ORGANISATION_EDITABLE_FIELDS


class LoginForm(AuthenticationForm):
    """Django's sign-in form, with the user name's length checked before anyone is asked to
    authenticate it: Django sets the limit on the widget only, and a longer name reached
    django-axes, whose record of the failure cannot hold it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
