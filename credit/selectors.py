from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, QuerySet

from credit.models import ASPECTS, Rating


@dataclass(frozen=True)
class RatingSummary:
    """The counted ratings of an agency: how many, and the mean of each aspect (None where
    no counted rating scores it)."""

    count: int
    averages: dict[str, float | None]


def agency_rating_summary(*, agency: Any) -> RatingSummary:
    """One query: only ratings that count (a poor one after a regulator upheld it)."""
    row = Rating.objects.filter(agency=agency, status=Rating.Status.COUNTED).aggregate(
        count=Count("pk"), **{aspect: Avg(aspect) for aspect in ASPECTS}
    )
    return RatingSummary(
        count=row["count"],
        averages={aspect: row[aspect] for aspect in ASPECTS},
    )


def agency_ratings_public(*, agency: Any) -> QuerySet[Rating]:
    """The ratings shown on the agency's page, newest first: counted ones, with the rater's
    organisation and the contract's number."""
    return (
        Rating.objects.filter(agency=agency, status=Rating.Status.COUNTED)
        .select_related("organisation", "contract")
        .order_by("-rated_at", "-pk")
    )


def contract_ratings(*, contract: Any) -> dict[str, Rating]:
    """The contract's ratings by rater ("owner", "department")."""
    return {rating.rater: rating for rating in Rating.objects.filter(contract=contract)}
