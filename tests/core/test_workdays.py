import datetime
import logging

import pytest

from core import workdays
from core.models import CalendarDay
from core.workdays import WorkdayCalendar, add_workdays, is_workday, workdays_between

pytestmark = pytest.mark.django_db

D = datetime.date


def test_national_day_is_a_holiday_and_work_resumes_on_the_eighth():
    assert not is_workday(D(2026, 10, 1))
    assert not is_workday(D(2026, 10, 7))
    assert is_workday(D(2026, 9, 30))
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_workdays(D(2026, 9, 30), 2) == D(2026, 10, 9)


def test_a_make_up_saturday_is_a_working_day():
    # chinese_calendar 2026: Saturday 10 October is worked in exchange for the National Day
    # holiday (also 2026-01-04, 02-14, 02-28, 05-09, 09-20).
    saturday = D(2026, 10, 10)
    assert saturday.weekday() == 5
    assert is_workday(saturday)
    assert add_workdays(D(2026, 10, 9), 1) == saturday
    assert not is_workday(D(2026, 10, 17))  # an ordinary Saturday


def test_an_override_beats_the_package():
    CalendarDay.objects.create(date=D(2026, 10, 1), is_workday=True, note="test")
    CalendarDay.objects.create(date=D(2026, 9, 29), is_workday=False, note="local holiday")
    assert is_workday(D(2026, 10, 1))
    assert not is_workday(D(2026, 9, 29))
    assert add_workdays(D(2026, 9, 28), 2) == D(2026, 10, 1)


def test_years_the_package_does_not_know_fall_back_to_monday_to_friday(caplog, monkeypatch):
    monkeypatch.setattr(workdays, "_warned_years", set())
    with caplog.at_level(logging.WARNING, logger="core.workdays"):
        assert is_workday(D(2027, 1, 4))  # a Monday
        assert not is_workday(D(2027, 1, 2))  # a Saturday
        assert add_workdays(D(2027, 1, 1), 2) == D(2027, 1, 5)
    warnings = [record for record in caplog.records if record.name == "core.workdays"]
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage()


def test_an_override_also_covers_an_unknown_year():
    CalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, note="New Year")
    CalendarDay.objects.create(date=D(2027, 1, 2), is_workday=True, note="make-up day")
    assert not is_workday(D(2027, 1, 1))
    assert is_workday(D(2027, 1, 2))


def test_workdays_between_counts_days_after_the_first_up_to_the_second():
    assert workdays_between(D(2026, 9, 30), D(2026, 9, 30)) == 0
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 9)) == 2
    assert workdays_between(D(2026, 10, 9), D(2026, 9, 30)) == -2
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3


def test_add_workdays_counts_backwards_and_zero_is_the_start():
    assert add_workdays(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 3)


def test_a_calendar_answers_a_range_with_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        calendar = WorkdayCalendar(D(2026, 9, 1), D(2026, 12, 31))
        for day in range(60):
            calendar.is_workday(D(2026, 9, 1) + datetime.timedelta(days=day))
        calendar.workdays_between(D(2026, 9, 1), D(2026, 12, 31))
