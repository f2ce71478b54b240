import datetime
import logging

import pytest

from agencies.models import Agency
from agencies.services.status import agency_submit_for_review
from core import workdays
from core.models import CalendarDay
from core.services import calendar_year_confirm
from core.workdays import WorkdayCalendar, add_workdays, is_workday, workdays_between
from tests.accounts.factories import UserFactory
from tests.agencies.factories import AgencyFactory
from tests.refusals import refused

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


def test_years_the_package_does_not_know_count_monday_to_friday_less_the_holidays(
    caplog, monkeypatch
):
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


def test_2027_new_years_day_is_a_holiday_though_the_package_stops_at_2026():
    # A review started on 2026-12-30 was due on 2027-01-01, New Year's Day.
    assert not is_workday(D(2027, 1, 1))
    assert add_workdays(D(2026, 12, 30), 2) == D(2027, 1, 4)


def test_2027_spring_festival_dragon_boat_and_mid_autumn_come_from_the_lunar_calendar():
    # 除夕 is Friday 5 February 2027, 正月初一 Saturday 6 February; 端午 9 June; 中秋 15 September.
    for day in (D(2027, 2, 5), D(2027, 2, 8), D(2027, 6, 9), D(2027, 9, 15), D(2027, 4, 5)):
        assert not is_workday(day), day
    assert is_workday(D(2027, 2, 9))
    assert workdays.statutory_holidays(2027)[D(2027, 10, 3)] == "国庆节"


def test_a_year_is_provisional_until_a_regulator_confirms_its_schedule(regulator_user):
    assert not workdays.year_is_provisional(2026)  # the package has it
    assert workdays.year_is_provisional(2027)
    with refused("source_required"):
        calendar_year_confirm(actor=regulator_user, year=2027, source=" ")
    calendar_year_confirm(actor=regulator_user, year=2027, source="国办发明电〔2026〕7号")
    assert not workdays.year_is_provisional(2027)
    with refused("already_confirmed"):
        calendar_year_confirm(actor=regulator_user, year=2027, source="again")


def test_confirming_a_year_recomputes_the_provisional_review_deadlines(
    regulator_user, django_capture_on_commit_callbacks, time_machine
):
    # Given an agency submitted on 2026-12-30, due provisionally on 2027-01-04,
    time_machine.move_to(datetime.datetime(2026, 12, 30, 10, 0, tzinfo=datetime.UTC), tick=False)
    agency = AgencyFactory(status=Agency.Status.PENDING)
    agency = agency_submit_for_review(
        agency=agency, actor=UserFactory(organisation=agency.organisation)
    )
    assert agency.review_due == D(2027, 1, 4)
    # when the regulator enters the (here: sample) schedule — 4 January off — and confirms it,
    CalendarDay.objects.create(date=D(2027, 1, 4), is_workday=False, note="示例")
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_confirm(actor=regulator_user, year=2027, source="示例通知")
    # the deadline moves to the next working day.
    agency.refresh_from_db()
    assert agency.review_due == D(2027, 1, 5)


def test_from_october_the_regulator_is_warned_while_next_years_schedule_is_missing(
    client, regulator_user, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 9, 30, 10, 0, tzinfo=datetime.UTC))
    client.force_login(regulator_user)
    assert client.get("/accounts/workspace/").context["calendar_year_missing"] is None
    time_machine.move_to(datetime.datetime(2026, 10, 1, 10, 0, tzinfo=datetime.UTC))
    page = client.get("/accounts/workspace/")
    assert page.context["calendar_year_missing"] == 2027
    assert "2027" in page.content.decode()
