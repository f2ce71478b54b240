import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.models import CalendarYear
from core.signals import calendar_year_confirmed
from core.workdays import year_is_provisional

SCHEDULER_HEARTBEAT_KEY = "core:scheduler-heartbeat"


def scheduler_heartbeat_record() -> None:
    """Remember when the beat scheduler and a worker last ran a task together, so that
    /readyz can tell a stalled scheduler from a quiet one."""
    cache.set(SCHEDULER_HEARTBEAT_KEY, timezone.localtime().isoformat(), timeout=None)


@transaction.atomic
def calendar_year_confirm(*, actor, year: int, source: str) -> CalendarYear:
    """Record that the State Council's schedule for `year` is entered (CalendarDay rows), so
    its deadlines stop being provisional; the apps recompute the deadlines they computed for
    it (core.signals.calendar_year_confirmed, after commit).

    Raises ApplicationError without the permission ("not_calendar_keeper"), without the
    notice it comes from ("source_required"), or for a year already confirmed
    ("already_confirmed")."""
    if actor is None or not actor.has_perm("core.add_calendaryear"):
        raise ApplicationError(
            _("You may not confirm the working-day calendar."), code="not_calendar_keeper"
        )
    source = (source or "").strip()
    if not source:
        message = _("Name the notice the schedule comes from.")
        raise ApplicationError(message, code="source_required", extra={"source": [message]})
    if CalendarYear.objects.filter(year=year).exists():
        raise ApplicationError(
            _("The calendar of %(year)d is already confirmed.") % {"year": year},
            code="already_confirmed",
        )
    confirmed = CalendarYear.objects.create(year=year, source=source, confirmed_by=actor)
    transaction.on_commit(
        lambda: calendar_year_confirmed.send(sender=CalendarYear, year=year), robust=True
    )
    return confirmed


def calendar_warning(*, today: datetime.date | None = None) -> int | None:
    """From 1 October, the next year whose schedule is still missing (regulators must enter
    it before deadlines reach it); None otherwise."""
    today = today or timezone.localdate()
    if today.month >= 10 and year_is_provisional(today.year + 1):
        return today.year + 1
    return None
