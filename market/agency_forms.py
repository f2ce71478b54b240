"""Forms for an agency's quoting pages. They parse what was typed; every rule — the fee
standard, the statutory time limit, who may join a consortium — is the services' to check."""

import secrets
from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Practitioner
from catalogue.models import FeeMode
from core.forms import RowChoiceField, RowMultipleChoiceField
from market.models import PurchaseRequest
from market.services.quotes import MemberShare

MEMBER_SLOTS = 3


def new_submission_token() -> str:
    """A one-time token for one rendering of the quote form (the service's idempotency key)."""
    return secrets.token_hex(16)


def quoted_as_discount(purchase_request: PurchaseRequest) -> bool:
    """A government-set price is quoted as a discount on it (the service reads it the same
    way)."""
    item = purchase_request.service_item
    return item.fee_mode == FeeMode.GOVERNMENT_SET and item.fee_amount is not None


NONCE_MISSING = _(
    "Your browser did not make the quote's random number: reload the page with JavaScript on."
)


class QuoteForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Sealed until the deadline: only your agency can see it."),
    )
    discount_rate = forms.CharField(
        label=_("Discount rate (%)"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_(
            "Percent of the government-set price, at most 100. Sealed until the deadline: "
            "only your agency can see it."
        ),
    )
    justification = forms.CharField(
        label=_("Why the amount is outside the reference range"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    committed_time_limit_days = forms.IntegerField(label=_("Committed time limit (working days)"))
    practitioners = RowMultipleChoiceField(
        label=_("Practitioners on the job"),
        queryset=Practitioner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    proposal = forms.FileField(
        label=_("Proposal (PDF, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    # The quote's random number is the bidder's, never ours: the agency's browser makes it with
    # Web Crypto (static/js/quote-nonce.js) and keeps a copy; the receipt is computed from it.
    nonce = forms.RegexField(
        label=_("Your quote's random number"),
        regex=r"\A[0-9a-f]{32}\Z",
        error_messages={"required": NONCE_MISSING, "invalid": NONCE_MISSING},
        help_text=_(
            "Made by your browser, not by the platform; it goes into your receipt and is "
            "revealed only at opening. Your browser keeps a copy on this computer."
        ),
        widget=forms.TextInput(
            attrs={"readonly": True, "data-quote-nonce": "", "autocomplete": "off"}
        ),
    )

    def __init__(
        self,
        *args,
        purchase_request: PurchaseRequest,
        agency: Agency,
        offered_members: Sequence[Agency] = (),
        **kwargs,
    ):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", new_submission_token())
        super().__init__(*args, **kwargs)
        item = purchase_request.service_item
        if quoted_as_discount(purchase_request):
            del self.fields["amount"]
        else:
            del self.fields["discount_rate"]
        if item.reference_price_low and item.reference_price_high:
            self.fields["justification"].help_text = _(
                "Needed only if your amount is outside the published reference range of "
                "%(low)s–%(high)s yuan. Sealed with the quote; published at opening."
            ) % {"low": item.reference_price_low, "high": item.reference_price_high}
        else:
            del self.fields["justification"]
        days = self.fields["committed_time_limit_days"]
        days.widget.attrs.update({"min": 1, "max": item.statutory_time_limit_days})
        days.help_text = _("At most the statutory %(days)d working days.") % {
            "days": item.statutory_time_limit_days
        }
        self.fields["practitioners"].queryset = Practitioner.objects.filter(
            agency=agency, active=True
        ).order_by("role", "name")
        # Consortium members (R7): the choices shown are only the partners the agency has
        # searched for or picked (market.selectors.consortium_member_search), never the whole
        # list of its competitors. Which of them may really join is quote_submit's decision,
        # so any agency id is parsed here and handed to it.
        offered = [("", "—")] + [
            (other.pk, str(other)) for other in offered_members if other.pk != agency.pk
        ]
        for slot in range(1, MEMBER_SLOTS + 1):
            member = RowChoiceField(
                label=_("Consortium member %(slot)d") % {"slot": slot},
                queryset=Agency.objects.select_related("organisation"),
                required=False,
            )
            member.widget.choices = offered
            self.fields[f"member_{slot}"] = member
            self.fields[f"member_{slot}_share"] = forms.CharField(
                label=_("Its share of the work"), max_length=255, required=False
            )
        self.fields["member_1"].help_text = _(
            "Optional: a joint intermediary led by your agency. Find the members by name "
            "above; each must itself be eligible for this request."
        )

    def member_shares(self) -> list[MemberShare]:
        shares = []
        for slot in range(1, MEMBER_SLOTS + 1):
            member = self.cleaned_data.get(f"member_{slot}")
            share = self.cleaned_data.get(f"member_{slot}_share", "")
            if member is not None:
                shares.append(MemberShare(agency=member, share=share))
        return shares

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "amount": data.get("amount") or None,
            "discount_rate": data.get("discount_rate") or None,
            "committed_time_limit_days": data["committed_time_limit_days"],
            "practitioners": list(data["practitioners"]),
            "proposal": data.get("proposal") or None,
            "members": self.member_shares(),
            "idempotency_key": data["idempotency_key"],
            "nonce": data["nonce"],
            "justification": data.get("justification", ""),
        }


class AwardDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why your agency declines"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Declining an award is recorded and counts in the credit evaluation."),
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Objection"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A regulator answers it; the award is held until then."),
    )
