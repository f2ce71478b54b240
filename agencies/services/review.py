"""Reads for the regulators' review back office: the queue with its working-day countdown and
everything the review page of one agency shows. (Reads, not writes: they may move to
agencies/selectors.py; status changes are in agencies/services/status.py.)"""

import datetime
from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from agencies.models import Agency, AgencyStatusEvent
from agencies.services.staff_register import StaffRegisterConflict, staff_register_conflicts
from core.workdays import WorkdayCalendar


@dataclass(frozen=True)
class ReviewCountdown:
    due: datetime.date
    days_left: int  # working days after today up to the due date; 0 when due today
    days_overdue: int  # working days after the due date up to today

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0


def agencies_for_review(*, status: str = Agency.Status.PENDING) -> QuerySet[Agency]:
    """Agencies in one status for the back office; the review queue (pending) is oldest
    submission first, the others by name."""
    queryset = Agency.objects.filter(status=status).select_related("organisation")
    if status == Agency.Status.PENDING:
        return queryset.order_by(F("submitted_at").asc(nulls_last=True), "organisation__name", "pk")
    return queryset.order_by("organisation__name", "pk")


def review_countdowns(
    agencies: list[Agency], *, today: datetime.date | None = None
) -> dict[int, ReviewCountdown]:
    """The countdown of each agency with a review due date, by agency pk, with one query for
    the whole list however long it is."""
    today = today or timezone.localdate()
    dues = [agency.review_due for agency in agencies if agency.review_due is not None]
    if not dues:
        return {}
    calendar = WorkdayCalendar(min([*dues, today]), max([*dues, today]))
    countdowns = {}
    for agency in agencies:
        if agency.review_due is None:
            continue
        between = calendar.workdays_between(today, agency.review_due)
        countdowns[agency.pk] = ReviewCountdown(
            due=agency.review_due, days_left=max(between, 0), days_overdue=max(-between, 0)
        )
    return countdowns


def review_countdown(
    agency: Agency, *, today: datetime.date | None = None
) -> ReviewCountdown | None:
    return review_countdowns([agency], today=today).get(agency.pk)


@dataclass(frozen=True)
class AgencyReviewFile:
    agency: Agency
    conflicts: list[StaffRegisterConflict]
    countdown: ReviewCountdown | None

    @property
    def conflicting_practitioner_ids(self) -> set[int]:
        return {conflict.practitioner.pk for conflict in self.conflicts}


def agency_review_file(*, pk: int) -> AgencyReviewFile:
    """One agency with its certificates, practitioners, affiliations and status history, and
    any practitioner found on the staff register. Raises Agency.DoesNotExist."""
    agency = (
        Agency.objects.select_related("organisation")
        .prefetch_related(
            "qualifications__qualification_type",
            "practitioners",
            "affiliations__department",
            Prefetch(
                "status_events",
                queryset=AgencyStatusEvent.objects.select_related("actor").prefetch_related(
                    "cited_qualifications"
                ),
            ),
        )
        .get(pk=pk)
    )
    countdown = review_countdown(agency) if agency.status == Agency.Status.PENDING else None
    return AgencyReviewFile(
        agency=agency, conflicts=staff_register_conflicts(agency=agency), countdown=countdown
    )
