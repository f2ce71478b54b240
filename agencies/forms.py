"""Forms for registration and the agency's self-service pages. They parse input; the rules
(what is valid, what is refused) live in agencies/services and come back as ApplicationError,
which `apply_error` places at the field, or at the certificate's row."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from agencies.models import Affiliation, Practitioner
from agencies.services.affiliations import DEPARTMENT_KINDS
from agencies.services.registration import CertificateInput, normalise_credit_code
from catalogue.models import QualificationType
from core.exceptions import ApplicationError
from core.forms import apply_application_error
from core.uploads import validate_upload

SCAN_HELP = _("PDF, JPEG or PNG, at most 10 MB.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class NeverShownTextInput(forms.TextInput):
    """A text box that never puts a value back into the page: a national ID number typed in
    is not echoed when the form is shown again with errors."""

    def format_value(self, value):
        return None


class AgencyRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Registered name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        help_text=_(
            "18 characters, exactly as on the business licence: digits and capital letters "
            "except I, O, S, V and Z; the last one is a check character."
        ),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)
    region = forms.CharField(
        label=_("Region"),
        max_length=100,
        required=False,
        help_text=_(
            "Where the agency is registered, e.g. 眉山市彭山区; agencies from anywhere may join."
        ),
    )
    address = forms.CharField(label=_("Address"), max_length=255)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40)
    business_licence = forms.FileField(
        label=_("Business licence scan"), help_text=SCAN_HELP, validators=[validate_upload]
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("You sign in with this; you become the agency's administrator."),
    )
    display_name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The configured rules, in the language of the request: read before they are broken.
        self.fields["password"].help_text = password_validators_help_text_html()

    def service_kwargs(self) -> dict:
        """What agencies.services.registration is given; from a form that failed, the fields
        it could read (the others are already reported on the form)."""
        data = self.cleaned_data
        text = (
            "name",
            "credit_code",
            "legal_representative",
            "region",
            "address",
            "contact_name",
            "contact_phone",
            "username",
            "email",
            "display_name",
            "password",
        )
        return {
            **{field: data.get(field) or "" for field in text},
            "business_licence": data.get("business_licence") or None,
        }

    def clean_credit_code(self) -> str:
        return normalise_credit_code(self.cleaned_data["credit_code"])

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password")
            and cleaned.get("password_again")
            and cleaned["password"] != cleaned["password_again"]
        ):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


class QualificationForm(forms.Form):
    qualification_type = forms.ModelChoiceField(
        label=_("Qualification"), queryset=QualificationType.objects.order_by("name")
    )
    grade = forms.CharField(
        label=_("Grade"),
        max_length=20,
        required=False,
        help_text=_("As on the certificate, e.g. 甲级; empty if the qualification has no grades."),
    )
    number = forms.CharField(label=_("Certificate number"), max_length=64)
    issuer = forms.CharField(label=_("Issued by"), max_length=100)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput)
    scan = forms.FileField(
        label=_("Certificate scan"), help_text=SCAN_HELP, validators=[validate_upload]
    )

    def __init__(self, *args, scan_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].required = scan_required
        if not scan_required:
            self.fields["scan"].help_text = _(
                "Upload a new scan only to replace the one on file. "
                "PDF, JPEG or PNG, at most 10 MB."
            )

    def clean(self):
        cleaned = super().clean()
        valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
        if valid_from and valid_to and valid_to <= valid_from:
            self.add_error("valid_to", _("The end of validity must be after its start."))
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "qualification_type": data["qualification_type"],
            "grade": data.get("grade", ""),
            "number": data["number"],
            "issuer": data["issuer"],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "scan": data.get("scan") or None,
        }

    def partial_service_kwargs(self) -> dict:
        """The same from a row that failed: what could be read, None or "" for the rest."""
        data = self.cleaned_data
        return {
            "qualification_type": data.get("qualification_type"),
            "grade": data.get("grade") or "",
            "number": data.get("number") or "",
            "issuer": data.get("issuer") or "",
            "valid_from": data.get("valid_from"),
            "valid_to": data.get("valid_to"),
            "scan": data.get("scan") or None,
        }


class BaseCertificateFormSet(forms.BaseFormSet):
    def filled_forms(self) -> list[QualificationForm]:
        """The rows the applicant filled in, in order; blank extra rows are left out."""
        return [form for form in self.forms if form.has_changed()]

    def certificates(self) -> list[CertificateInput]:
        return [CertificateInput(**form.service_kwargs()) for form in self.filled_forms()]

    def partial_certificates(self) -> list[CertificateInput]:
        """The filled rows as far as they could be read, valid or not, for the service to
        check alongside the form (`agency_registration_errors`)."""
        return [CertificateInput(**form.partial_service_kwargs()) for form in self.filled_forms()]


CertificateFormSet = forms.formset_factory(
    QualificationForm,
    formset=BaseCertificateFormSet,
    extra=3,
    max_num=20,
    validate_max=True,
    # A forged TOTAL_FORMS builds no more forms than this (Django's default is 1,000).
    absolute_max=20,
)


class AgencyProfileForm(forms.Form):
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=255)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40)
    business_licence = forms.FileField(
        label=_("New business licence scan"),
        required=False,
        help_text=_("Only to replace the one on file. PDF, JPEG or PNG, at most 10 MB."),
        validators=[validate_upload],
    )


class PractitionerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(
        label=_("National ID number"),
        max_length=18,
        widget=NeverShownTextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Checked, then kept only as a keyed fingerprint and its last four characters; "
            "the number itself is never stored or shown."
        ),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Practitioner.Role.choices)
    certificates = forms.CharField(
        label=_("Practising certificates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name and number."),
    )


class AffiliationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of tie"), choices=Affiliation.Kind.choices)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Organisation.objects.filter(kind__in=DEPARTMENT_KINDS).order_by("name"),
    )
    parent_name = forms.CharField(
        label=_("State-owned parent company"),
        max_length=200,
        required=False,
        help_text=_("Only for a tie through a state-owned parent company run by the department."),
    )


class ScopeSettingsForm(forms.Form):
    committed_time_limit_days = forms.IntegerField(
        label=_("Committed time limit (working days)"), min_value=1, required=False
    )
    fee_policy = forms.CharField(
        label=_("Fee policy"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


def apply_error(
    form: forms.BaseForm,
    error: ApplicationError,
    formset: BaseCertificateFormSet | None = None,
) -> None:
    """Show a service's error on the form, certificate errors on their rows of the formset
    (the rows the applicant filled in, in the order the service received them). A field the
    form has already refused keeps the form's error alone: the service says the same thing
    about a field it could not read."""
    rows = error.extra.get("certificates") or []
    if formset is not None:
        for row_form, row_errors in zip(formset.filled_forms(), rows, strict=False):
            for field, messages in (row_errors or {}).items():
                target = field if field in row_form.fields else None
                if target is not None and row_form.has_error(target):
                    continue
                for message in messages:
                    row_form.add_error(target, ValidationError(message))
    field_errors = {
        key: value
        for key, value in error.extra.items()
        if key != "certificates" and not (key in form.fields and form.has_error(key))
    }
    if field_errors:
        apply_application_error(
            form, ApplicationError(error.message, code=error.code, extra=field_errors)
        )
    elif not error.extra:
        form.add_error(None, error.message)
