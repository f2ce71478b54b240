"""Working days in mainland China: the official holidays with their make-up working days.

Three sources, asked in this order:
1. the regulator-maintained override table (core.models.CalendarDay);
2. the `chinese_calendar` package, which carries the State Council's yearly holiday notices
   (it knows only the years published when it was released and raises NotImplementedError
   beyond them);
3. for a year neither covers yet, the national holiday rules themselves (全国年节及纪念日放假
   办法, as amended in 2024): the fixed dates, and the lunar ones (Spring Festival, Dragon
   Boat, Mid-Autumn) through `lunardate`; Qingming by its solar-term formula. Those rules give
   the days off but not the make-up working days, which only the State Council's yearly
   schedule sets: until a regulator enters that schedule (CalendarDay rows) and confirms the
   year (CalendarYear), every deadline falling in it is provisional (暂定), and confirming
   the year recomputes them (core.signals.calendar_year_confirmed).

Every function loads the overrides it needs in one query; `WorkdayCalendar` lets a caller
that asks about many dates (a list of countdowns) load them once for a whole range.
"""

import datetime
import functools
import logging

import chinese_calendar
from lunardate import LunarDate

from core.models import CalendarDay, CalendarYear

logger = logging.getLogger(__name__)

_warned_years: set[int] = set()


def _qingming(year: int) -> datetime.date:
    # The solar term 清明 in the 21st century: day = ⌊Y·0.2422 + 4.81⌋ − ⌊Y/4⌋ of April,
    # where Y is the year's last two digits (gives 4 April 2024–2025, 5 April 2026–2027).
    last_two = year % 100
    return datetime.date(year, 4, int(last_two * 0.2422 + 4.81) - last_two // 4)


@functools.cache
def statutory_holidays(year: int) -> dict[datetime.date, str]:
    """The days off the national holiday rules give in `year`, before the State Council's
    schedule adds the bridging days and make-up working days around them."""
    spring = LunarDate(year, 1, 1).to_solar_date()
    days = {datetime.date(year, 1, 1): "元旦"}
    for offset in range(-1, 3):  # New Year's Eve (除夕) and the first three days
        days[spring + datetime.timedelta(days=offset)] = "春节"
    days[_qingming(year)] = "清明节"
    days[datetime.date(year, 5, 1)] = days[datetime.date(year, 5, 2)] = "劳动节"
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    for day in (1, 2, 3):
        days[datetime.date(year, 10, day)] = "国庆节"
    return days


def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 30))
    except NotImplementedError:
        return False
    return True


def _package_says(day: datetime.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "The official holiday calendar has no data for %s: counting its statutory "
                "holidays from the national rules; its make-up working days wait for a "
                "regulator to enter the State Council's schedule.",
                day.year,
            )
        return day.weekday() < 5 and day not in statutory_holidays(day.year)


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
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


def year_is_provisional(year: int) -> bool:
    """Whether deadlines in `year` are provisional (暂定): neither the package nor a
    regulator's confirmed entry of the State Council's schedule covers it."""
    return not package_covers(year) and not CalendarYear.objects.filter(year=year).exists()
