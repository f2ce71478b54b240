from django import forms
from django.utils.translation import gettext_lazy as _


class _Form(forms.Form):
    """Labels here are sentences ("I have read …"): no colon after them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignForm(_Form):
    """A signature binds the organisation, so the signer proves again who they are: the
    password, and the authenticator's code where they have one (accounts.services
    .user_reauthenticate); and says in so many words what they sign."""

    read = forms.BooleanField(
        label=_("I have read this version of the contract and sign it for my organisation."),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, needs_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]


class AmendForm(_Form):
    text = forms.CharField(
        label=_("New text of the contract"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("The whole text as both parties agreed it; both sign it again."),
    )
    reason = forms.CharField(
        label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 3})
    )


class TerminateForm(_Form):
    reason = forms.CharField(
        label=_("Reason for ending the contract"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept on the contract's record and shown to both parties."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that an ended contract cannot be resumed."),
    )


class DeliverableForm(_Form):
    """One file of the work, against a milestone. The type is checked by the file's content
    in the service (core.uploads), not by its name."""

    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=None, empty_label=None)
    upload = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (.docx), JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones


class AcceptForm(_Form):
    confirm = forms.BooleanField(
        label=_("I have checked the delivered work and accept it for my organisation."),
    )


class ReturnForm(_Form):
    reasons = forms.CharField(
        label=_("What must be reworked"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The agency reads these reasons; the clock runs for it again from tomorrow."),
    )
