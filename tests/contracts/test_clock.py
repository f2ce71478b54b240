"""The contract's working-day clock (R10, contracts/clock.py), across 中秋 and 国庆 2026.

The official 2026 calendar (core.workdays): 中秋 Fri 25 – Sun 27 September and 国庆 Thu 1 –
Wed 7 October are days off; Sunday 20 September and Saturday 10 October are make-up working
days. A contract in force on Tuesday 22 September has its ten working days on 23, 24, 28, 29,
30 September and 8, 9, 10, 12, 13 October.
"""

import datetime
import zoneinfo

import pytest

from contracts.clock import (
    contract_due_on,
    contract_started_on,
    days_left,
    is_overdue,
    open_pause_workdays,
    workdays_used,
)
from contracts.models import Contract
from core.models import CalendarDay
from core.workdays import is_workday

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
Status = Contract.Status


def day(month: int, dom: int) -> datetime.date:
    return datetime.date(2026, month, dom)


def contract(**fields) -> Contract:
    # The clock reads only these fields: an unsaved contract is enough.
    defaults = {
        "status": Status.IN_FORCE,
        "in_force_at": datetime.datetime(2026, 9, 22, 10, 0, tzinfo=BEIJING),
        "time_limit_days": 10,
    }
    return Contract(**{**defaults, **fields})


def test_r10_the_calendar_these_tests_rely_on():
    assert not any(is_workday(day(9, d)) for d in (25, 26, 27))
    assert not any(is_workday(day(10, d)) for d in range(1, 8))
    assert is_workday(day(9, 20)) and is_workday(day(10, 10))  # Sunday, Saturday: make-up
    assert not is_workday(day(10, 11))


def test_r10_the_day_of_coming_into_force_is_not_counted():
    running = contract()
    assert contract_started_on(running) == day(9, 22)
    assert workdays_used(running, day(9, 22)) == 0
    assert workdays_used(running, day(9, 23)) == 1
    assert workdays_used(running, day(9, 21)) == 0  # before the start: nothing used


def test_r10_the_start_is_the_date_in_beijing_not_in_utc():
    # 00:30 on 23 September in Beijing is still 22 September in UTC.
    late = contract(in_force_at=datetime.datetime(2026, 9, 22, 16, 30, tzinfo=datetime.UTC))
    assert contract_started_on(late) == day(9, 23)
    assert workdays_used(late, day(9, 23)) == 0


def test_r10_holidays_are_not_counted_and_make_up_days_are():
    running = contract()
    used = {d: workdays_used(running, d) for d in (day(9, 24), day(9, 27), day(9, 30))}
    assert used == {day(9, 24): 2, day(9, 27): 2, day(9, 30): 5}  # 中秋 skipped
    assert workdays_used(running, day(10, 7)) == 5  # the whole of 国庆 skipped
    assert workdays_used(running, day(10, 8)) == 6
    assert workdays_used(running, day(10, 10)) == 8  # Saturday, a make-up working day
    assert workdays_used(running, day(10, 11)) == 8
    assert workdays_used(running, day(10, 13)) == 10


def test_r10_a_make_up_sunday_counts_from_the_start():
    running = contract(in_force_at=datetime.datetime(2026, 9, 18, 9, 0, tzinfo=BEIJING))
    assert workdays_used(running, day(9, 19)) == 0  # Saturday
    assert workdays_used(running, day(9, 20)) == 1  # Sunday worked for 国庆


def test_r10_overdue_only_after_the_last_committed_working_day():
    running = contract()
    assert contract_due_on(running) == day(10, 13)
    assert days_left(running, day(10, 13)) == 0
    assert not is_overdue(running, day(10, 13))
    assert is_overdue(running, day(10, 14))
    assert days_left(running, day(10, 14)) == -1
    # For a running contract, overdue is exactly "after the due date".
    for offset in range(40):
        date = day(9, 20) + datetime.timedelta(days=offset)
        assert is_overdue(running, date) == (date > contract_due_on(running, date))


def test_r10_a_regulators_calendar_entry_moves_the_clock():
    CalendarDay.objects.create(date=day(9, 24), is_workday=False, note="地方安排")
    running = contract()
    assert workdays_used(running, day(9, 24)) == 1
    assert contract_due_on(running) == day(10, 14)


def test_r10_the_days_the_owner_holds_a_delivery_are_not_the_agencys():
    # Delivered on Friday 9 October, the agency's seventh working day.
    delivered = contract(status=Status.DELIVERED, paused_since=day(10, 9))
    assert workdays_used(delivered, day(10, 9)) == 7
    assert workdays_used(delivered, day(10, 30)) == 7
    assert not is_overdue(delivered, day(10, 30))  # with the owner, however long
    # Held on the 10th (make-up Saturday), the 12th and the 13th: the due date moves with them.
    assert open_pause_workdays(delivered, day(10, 9)) == 0
    assert open_pause_workdays(delivered, day(10, 13)) == 3
    assert contract_due_on(delivered, day(10, 13)) == day(10, 16)

    # Returned on Tuesday 13 October: those three days are the owner's, the agency's days
    # run again from Wednesday 14th.
    returned = contract(status=Status.RETURNED, paused_workdays=3)
    assert workdays_used(returned, day(10, 13)) == 7
    assert workdays_used(returned, day(10, 14)) == 8
    assert workdays_used(returned, day(10, 16)) == 10
    assert contract_due_on(returned) == day(10, 16)
    assert not is_overdue(returned, day(10, 16))
    assert not is_overdue(returned, day(10, 18))  # the weekend after: no working day passed
    assert is_overdue(returned, day(10, 19))
    assert days_left(returned, day(10, 19)) == -1


def test_r10_an_accepted_contract_keeps_the_days_fixed_at_acceptance():
    accepted = contract(status=Status.ACCEPTED, used_workdays=12, paused_workdays=2)
    assert workdays_used(accepted, day(12, 31)) == 12
    assert days_left(accepted, day(12, 31)) == -2
    assert not is_overdue(accepted, day(12, 31))  # finished late, but no longer running


def test_a_contract_not_yet_in_force_has_no_clock():
    signing = contract(status=Status.AWAITING_OWNER, in_force_at=None)
    assert contract_started_on(signing) is None
    assert contract_due_on(signing) is None
    assert workdays_used(signing, day(10, 30)) == 0
    assert not is_overdue(signing, day(10, 30))
