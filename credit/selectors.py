import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from credit.complaint_selectors import complaints_overdue
from credit.models import (
    ASPECTS,
    BlacklistEntry,
    Complaint,
    Rating,
    RepairRequest,
    Violation,
)


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


def blacklist_current(*, on: datetime.date | None = None) -> QuerySet[BlacklistEntry]:
    """The blacklist entries in force on `on` (today in Beijing by default): from their first
    day up to the day before `ends_on`, unless lifted early by credit repair. Ending needs no
    task: an entry simply stops matching on its end date."""
    on = on or timezone.localdate()
    return BlacklistEntry.objects.filter(starts_on__lte=on, ends_on__gt=on, lifted_at__isnull=True)


@dataclass(frozen=True)
class RegulatorQueues:
    """What waits for a regulator in the credit system, counted for the workspace."""

    poor_ratings: int
    complaints_open: int
    complaints_overdue: int
    appeals: int
    repairs: int


def regulator_queues(*, today: datetime.date | None = None) -> RegulatorQueues:
    """Five counts, one query each, whatever the size of the records."""
    return RegulatorQueues(
        poor_ratings=Rating.objects.filter(status=Rating.Status.UNDER_REVIEW).count(),
        complaints_open=Complaint.objects.exclude(status=Complaint.Status.ANSWERED).count(),
        complaints_overdue=complaints_overdue(today=today).count(),
        appeals=Violation.objects.filter(status=Violation.Status.APPEALED).count(),
        repairs=RepairRequest.objects.filter(status=RepairRequest.Status.PENDING).count(),
    )
