"""Working days in mainland China: the official holidays with their make-up working days.

Three sources, asked in this order:
1. the regulator-maintained override table (core.models.CalendarDay);
2. the `chinese_calendar` package, which carries the State Council's yearly holiday notices
   (it knows only the years published when it was released and raises NotImplementedError
   beyond them);
3. Monday to Friday, with a warning logged once per year and process, so a missing year is
   noticed and entered in the override table before it matters.

Every function loads the overrides it needs in one query; `WorkdayCalendar` lets a caller
that asks about many dates (a list of countdowns) load them once for a whole range.
"""

import datetime
import logging

import chinese_calendar

logger = logging.getLogger(__name__)

_warned_years: set[int] = set()


def _package_says(day: datetime.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "The official holiday calendar has no data for %s: counting Monday to Friday "
                "as working days until regulators enter that year's calendar days.",
                day.year,
            )
        return day.weekday() < 5


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    from core.models import CalendarDay

    return dict(
        CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday")
    )


class WorkdayCalendar:
    """Answers about the dates from `start` to `end` (inclusive) with one database query;
    outside that range it asks the database again, day by day."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.start, self.end = min(start, end), max(start, end)
        self._overrides = _overrides(self.start, self.end)

    def is_workday(self, day: datetime.date) -> bool:
        if self.start <= day <= self.end:
            override = self._overrides.get(day)
        else:
            override = _overrides(day, day).get(day)
        return _package_says(day) if override is None else override

    def add_workdays(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `start` (`start` itself is not counted); n=0 gives
        `start`. A negative n counts backwards."""
        step = datetime.timedelta(days=1 if n >= 0 else -1)
        day, remaining = start, abs(n)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, a: datetime.date, b: datetime.date) -> int:
        """Working days after `a` up to and including `b`; negative when `b` is before `a`."""
        if b < a:
            return -self.workdays_between(b, a)
        count, day = 0, a
        while day < b:
            day += datetime.timedelta(days=1)
            count += self.is_workday(day)
        return count


def _span_for(start: datetime.date, n: int) -> tuple[datetime.date, datetime.date]:
    # The longest run of days off in the official calendar is 9 (Spring Festival with a
    # weekend on each side), so n working days never take more than 2n + 10 calendar days.
    reach = datetime.timedelta(days=2 * abs(n) + 10)
    return (start, start + reach) if n >= 0 else (start - reach, start)


def is_workday(day: datetime.date) -> bool:
    return WorkdayCalendar(day, day).is_workday(day)


def add_workdays(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start`: add_workdays(2026-09-30, 1) is 2026-10-08."""
    return WorkdayCalendar(*_span_for(start, n)).add_workdays(start, n)


def workdays_between(a: datetime.date, b: datetime.date) -> int:
    """Working days after `a` up to and including `b` (0 when a == b); negative if b < a."""
    return WorkdayCalendar(a, b).workdays_between(a, b)
