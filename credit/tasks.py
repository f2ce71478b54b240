"""The credit system's Celery tasks: thin, ids in, one service call each."""

from celery import shared_task

from core.outbox import outbox_task
from credit.services import complaint_notifications, reminders, violations


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def complaint_event_notify(event_id: int) -> int:
    return complaint_notifications.complaint_event_notify(event_id=event_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def complaints_overdue_remind_daily() -> int:
    """Every morning: one summary to each regulator of the complaints past a due date (R12;
    safe to run again the same day)."""
    return complaint_notifications.complaints_overdue_remind()


@shared_task
def ratings_remind_daily() -> int:
    """Remind owners to rate and parties of deliveries waiting for a decision (safe to run
    twice: each reminder is recorded once)."""
    return reminders.ratings_remind()


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def violation_recorded_notify(violation_id: int) -> int:
    return violations.violation_recorded_notify(violation_id=violation_id)
