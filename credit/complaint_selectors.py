"""Reading complaints (R12): who may open which, the regulators' queue, and whether each step
was on time. The clock's verdict (overdue or not) is computed here from the server's Beijing
date for display; nothing here writes."""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from credit.models import Complaint
from credit.services.complaints import tracking_key_matches

Status = Complaint.Status
OPEN = (Status.ACCEPTED, Status.ACKNOWLEDGED)
# The queue's views: every complaint not yet answered (the default), or one status.
QUEUE_FILTERS = {
    "open": OPEN,
    Status.ACCEPTED.value: (Status.ACCEPTED,),
    Status.ACKNOWLEDGED.value: (Status.ACKNOWLEDGED,),
    Status.ANSWERED.value: (Status.ANSWERED,),
    "all": tuple(Status),
}


def _ack_overdue(today: datetime.date) -> Q:
    return Q(status=Status.ACCEPTED, acknowledge_due__lt=today)


def _answer_overdue(today: datetime.date) -> Q:
    return Q(status__in=OPEN, answer_due__lt=today)


def _with_overdue_flags(complaints: QuerySet[Complaint], today: datetime.date):
    return complaints.annotate(
        ack_overdue=ExpressionWrapper(_ack_overdue(today), output_field=BooleanField()),
        answer_overdue=ExpressionWrapper(_answer_overdue(today), output_field=BooleanField()),
    )


def _with_subject(complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return complaints.select_related(
        "agency__organisation", "purchase_request", "contract", "complainant", "handled_by"
    )


def complaint_for_tracking(number: str, key: str) -> Complaint | None:
    """The complaint a member of the public opens with its number and tracking key, with its
    steps; None when either is wrong, without saying which."""
    complaint = (
        _with_subject(Complaint.objects.prefetch_related("events"))
        .filter(number=(number or "").strip().upper())
        .first()
    )
    return complaint if tracking_key_matches(complaint, key) else None


def complaints_of(user: User) -> QuerySet[Complaint]:
    """The complaints `user` made signed in, newest first."""
    if not user.is_authenticated:
        return Complaint.objects.none()
    return _with_subject(Complaint.objects.filter(complainant=user))


def complaint_of(user: User, number: str) -> Complaint:
    """One of the user's own complaints with its steps. Raises Complaint.DoesNotExist for any
    other, so its existence is not disclosed."""
    return complaints_of(user).prefetch_related("events").get(number=number)


def complaint_queue(
    *,
    status: str = "open",
    category: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Complaint]:
    """The regulators' queue, with `ack_overdue` and `answer_overdue` flags by today's
    Beijing date: open complaints by their next due date, answered ones newest first.
    An unknown status or category filters nothing."""
    today = today or timezone.localdate()
    statuses = QUEUE_FILTERS.get(status, OPEN)
    complaints = Complaint.objects.filter(status__in=statuses)
    if category in Complaint.Category.values:
        complaints = complaints.filter(category=category)
    ordering = ("-answered_at", "-pk") if statuses == (Status.ANSWERED,) else ("answer_due", "pk")
    return _with_overdue_flags(_with_subject(complaints), today).order_by(*ordering)


def complaints_overdue(*, today: datetime.date | None = None) -> QuerySet[Complaint]:
    """Complaints past a due date today: not acknowledged after acknowledge_due, or not
    answered after answer_due."""
    today = today or timezone.localdate()
    return complaint_queue(status="open", today=today).filter(
        _ack_overdue(today) | _answer_overdue(today)
    )


@dataclass(frozen=True)
class StepTiming:
    """Whether a step (acknowledging, answering) was or is on time."""

    due: datetime.date
    done_on: datetime.date | None
    state: str  # "on_time", "late", "waiting", "overdue"

    @property
    def label(self):
        return _STATE_LABELS[self.state]


_STATE_LABELS = {
    "on_time": _("on time"),
    "late": _("late"),
    "waiting": _("in progress"),
    "overdue": _("overdue"),
}


def _step(due: datetime.date, done_at: datetime.datetime | None, today: datetime.date):
    if done_at is not None:
        done_on = timezone.localdate(done_at)
        return StepTiming(due, done_on, "on_time" if done_on <= due else "late")
    return StepTiming(due, None, "overdue" if today > due else "waiting")


def complaint_timing(
    complaint: Complaint, *, today: datetime.date | None = None
) -> dict[str, StepTiming]:
    """The acknowledgement's and the answer's due dates and whether each was kept."""
    today = today or timezone.localdate()
    return {
        "acknowledge": _step(complaint.acknowledge_due, complaint.acknowledged_at, today),
        "answer": _step(complaint.answer_due, complaint.answered_at, today),
    }
