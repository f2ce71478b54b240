"""What the platform's shared parts announce."""

from core.outbox import DurableSignal

# A regulator confirmed a year's calendar (core.models.CalendarYear): deadlines computed for it
# provisionally are recomputed by the apps that hold them. Sent after commit with `year`.
calendar_year_confirmed = DurableSignal("core.calendar_year_confirmed")
