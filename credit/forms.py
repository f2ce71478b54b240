from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from credit.models import Rating
from credit.services.ratings import RATER_ASPECTS, poor_reason_message

_LABELS = {
    "quality": _("Quality of the work"),
    "timeliness": _("Timeliness"),
    "attitude": _("Attitude"),
    "fees": _("Fees as agreed"),
    "conduct": _("Conduct"),
}
_SCORES = [(n, str(n)) for n in range(5, 0, -1)]


class RatingForm(forms.Form):
    """The aspects the rater scores (1–5, 5 best), a comment, and the reason a poor score
    needs; the service checks all of it again."""

    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=_("Reason for a score of 2 or less"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A poor rating counts once a regulator has checked its reason."),
    )

    def __init__(self, *args, rater: str, **kwargs):
        super().__init__(*args, **kwargs)
        aspects = {
            aspect: forms.TypedChoiceField(
                label=_LABELS[aspect],
                choices=_SCORES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "inline"}),
            )
            for aspect in RATER_ASPECTS[Rating.Rater(rater)]
        }
        self.aspects = tuple(aspects)
        self.fields = {**aspects, **self.fields}

    def clean(self):
        # Beside a missing score, not after it: the service says the same, with the same words.
        data = super().clean()
        poor = [
            name
            for name in self.aspects
            if self.data.get(name, "").strip().isdigit()
            and int(self.data[name]) <= settings.RATING_POOR_AT
        ]
        if poor and not (data.get("reason") or "").strip():
            self.add_error("reason", poor_reason_message())
        return data


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown with the rating on your agency's page. You may reply once."),
    )
