from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SCORE = [MinValueValidator(1), MaxValueValidator(5)]
ASPECT_LABELS = {
    "quality": _("quality"),
    "timeliness": _("timeliness"),
    "attitude": _("attitude"),
    "fees": _("fees"),
    "conduct": _("conduct"),
}
ASPECTS = tuple(ASPECT_LABELS)


class Rating(models.Model):
    """A rating of one contract's service (好差评, R12): by the project owner on five aspects,
    or by the approval department on quality and timeliness, each from 1 to 5. A poor rating
    (any aspect at 2 or below) needs its reason and counts only once a regulator has upheld it;
    the agency may reply once; the rater may change it for RATING_FROZEN_DAYS, then it is
    frozen."""

    class Rater(models.TextChoices):
        OWNER = "owner", _("Project owner")
        DEPARTMENT = "department", _("Approval department")

    class Status(models.TextChoices):
        COUNTED = "counted", _("Counted")
        UNDER_REVIEW = "under_review", _("Poor rating under review")
        SET_ASIDE = "set_aside", _("Set aside by a regulator")

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    rater = models.CharField(_("rated by"), max_length=16, choices=Rater.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="ratings_given"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    quality = models.PositiveSmallIntegerField(ASPECT_LABELS["quality"], validators=SCORE)
    timeliness = models.PositiveSmallIntegerField(ASPECT_LABELS["timeliness"], validators=SCORE)
    # The department rates only quality and timeliness.
    attitude = models.PositiveSmallIntegerField(
        ASPECT_LABELS["attitude"], validators=SCORE, null=True, blank=True
    )
    fees = models.PositiveSmallIntegerField(
        ASPECT_LABELS["fees"], validators=SCORE, null=True, blank=True
    )
    conduct = models.PositiveSmallIntegerField(
        ASPECT_LABELS["conduct"], validators=SCORE, null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    reason = models.TextField(_("reason for a poor rating"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.COUNTED
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("rated at"))
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("regulator's note"), blank=True)
    reply = models.TextField(_("agency's reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "rater"], name="one_rating_per_rater")
        ]
        indexes = [models.Index(fields=["agency", "status"], name="rating_agency_status")]

    def __str__(self) -> str:
        return f"{self.contract} {self.rater}"

    @property
    def scores(self) -> dict[str, int]:
        return {a: getattr(self, a) for a in ASPECTS if getattr(self, a) is not None}

    @property
    def labelled_scores(self) -> list[tuple[Any, int]]:
        """(aspect's name, score) for the page, in the aspects' order."""
        return [(ASPECT_LABELS[aspect], score) for aspect, score in self.scores.items()]
