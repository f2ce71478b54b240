"""A contract's working-day clock (R10: service time limits are counted in working days).

Pure functions of a contract's stored fields and a date; nothing here writes. The write
services (contracts/services/delivery.py) move the stored fields, the daily reminder task
reads them, and pages show them.

How the clock counts, with W(a, b) = core.workdays.workdays_between(a, b), the working days
after `a` up to and including `b` (the official calendar: holidays and make-up working days):

- It starts on the local date (Beijing time) the contract came into force. That day is not
  counted: day 1 is the first working day after it, as a period "within N working days of
  coming into force" is read.
- The agency's days run while the contract is in force or returned for rework. The day of a
  delivery is still the agency's, so a delivery on the last day of the limit is on time.
- The delivery pauses the clock from that day (`paused_since`) until the owner answers. The
  working days after the delivery day up to and including the day of the answer,
  W(paused_since, answer day), are the owner's: they are added to `paused_workdays` when the
  answer is given, and the agency's days run again from the next working day.
- After acceptance the count is fixed in `used_workdays`.

So, on a date `today` (never before the start; earlier dates count as none used):

    used = W(start, today) − paused_workdays                 while running
    used = W(start, paused_since) − paused_workdays          while the owner holds a delivery
    used = used_workdays                                     once accepted

Example (tests/contracts/test_clock.py): in force on Tuesday 2026-09-22 with a limit of 10
working days. Day 1 is 09-23; the days off for 中秋 (09-25 to 09-27) and 国庆 (10-01 to
10-07) are skipped and Saturday 10-10 is a make-up working day, so day 6 is 10-08 and day 10
is 10-13: `contract_due_on` is 10-13 and the contract is overdue from 10-14. The agency
delivers on Friday 10-09 (day 7; the clock pauses), the owner returns it on Tuesday 10-13 —
10-10, 10-12 and 10-13 are the owner's three days, so `paused_workdays` becomes 3 — and the
agency has days 8, 9 and 10 on 10-14, 10-15 and 10-16: due on 10-16, overdue from Monday
10-19 unless it has delivered again by then.
"""

import datetime

from django.utils import timezone

from contracts.models import Contract
from core.workdays import add_workdays, workdays_between

Status = Contract.Status


def _today(today: datetime.date | None) -> datetime.date:
    # The default time zone, not a time zone a request may have activated: a contract's day
    # is the same day in Beijing for everyone who looks at it.
    return today or timezone.localdate(timezone=timezone.get_default_timezone())


def contract_started_on(contract: Contract) -> datetime.date | None:
    """The local date (Beijing time) the contract came into force; None before it did. The
    clock counts the working days after this date."""
    if contract.in_force_at is None:
        return None
    return timezone.localdate(contract.in_force_at, timezone=timezone.get_default_timezone())


def open_pause_workdays(contract: Contract, today: datetime.date | None = None) -> int:
    """The working days the owner has held the delivery it has not answered yet: those after
    the delivery day up to and including `today` (0 on the delivery day itself, and when no
    delivery is waiting)."""
    if contract.paused_since is None:
        return 0
    return max(0, workdays_between(contract.paused_since, _today(today)))


def workdays_used(contract: Contract, today: datetime.date | None = None) -> int:
    """The working days the agency has used by the end of `today`: W(start, today) less the
    days the owner held deliveries; while a delivery waits for the owner, counted up to the
    delivery day only; once accepted, the number fixed then. 0 before the contract is in
    force or before its first working day."""
    if contract.used_workdays is not None:
        return contract.used_workdays
    start = contract_started_on(contract)
    if start is None:
        return 0
    end = contract.paused_since or _today(today)
    return max(0, workdays_between(start, end) - contract.paused_workdays)


def contract_due_on(contract: Contract, today: datetime.date | None = None) -> datetime.date | None:
    """The last working day of the committed limit given the pauses so far: the
    (time_limit_days + paused)-th working day after the start, where `paused` is the closed
    pauses plus, while the owner holds a delivery, the days held up to `today` (as if the
    answer came today). None before the contract is in force.

    For a running contract, `is_overdue(contract, day)` is exactly `day > contract_due_on`.
    A pause taken after the limit had already run out moves this date past the day the limit
    really ran out; the number of days (`days_left`) stays right."""
    start = contract_started_on(contract)
    if start is None:
        return None
    paused = contract.paused_workdays + open_pause_workdays(contract, today)
    return add_workdays(start, contract.time_limit_days + paused)


def days_left(contract: Contract, today: datetime.date | None = None) -> int:
    """Working days of the committed limit the agency has left after `today`: 0 on the last
    day, negative once it is overdue (−2 is two working days late)."""
    return contract.time_limit_days - workdays_used(contract, today)


def is_running(contract: Contract) -> bool:
    """Whether the agency's days are being counted: in force or returned for rework."""
    return contract.status in Contract.RUNNING_STATUSES and contract.in_force_at is not None


def is_overdue(contract: Contract, today: datetime.date | None = None) -> bool:
    """Whether the agency has run past its committed limit and the clock is running: it has
    used more working days than it committed to, and no delivery is with the owner. A
    delivery waiting for the owner, or accepted, is never overdue here (an accepted late one
    shows in its fixed `used_workdays`)."""
    return is_running(contract) and workdays_used(contract, today) > contract.time_limit_days
