from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from contracts.verification import VERIFY_MAX_BYTES
from core.uploads import PDF, validate_upload


class ContractNumberForm(forms.Form):
    """The number printed on a contract, as its QR code gives it (?number=…)."""

    number = forms.CharField(
        label=_("Contract number"), max_length=Contract._meta.get_field("number").max_length
    )


class ContractPdfForm(forms.Form):
    """A contract's PDF to check. It is read in memory and not kept; a file input is never
    filled back, and the file's name is shown nowhere."""

    pdf = forms.FileField(
        label=_("Contract PDF"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pdf"].help_text = gettext(
            "A PDF of at most %(limit)s. It is checked, then forgotten: nothing of it is kept."
        ) % {"limit": filesizeformat(VERIFY_MAX_BYTES)}

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        validate_upload(upload, kinds=(PDF,), max_bytes=VERIFY_MAX_BYTES)
        return upload
