from celery import shared_task

from agencies.services.expiry import qualifications_expiry_run
from agencies.services.notifications import agency_status_notify as agency_status_notify_service
from agencies.services.notifications import (
    qualification_expiry_notify as qualification_expiry_notify_service,
)
from core.outbox import outbox_task


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def qualifications_expiry_daily() -> None:
    """Mark expired certificates and send the 30- and 7-day notices (safe to run again)."""
    qualifications_expiry_run()


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def agency_status_notify(event_id: int) -> int:
    return agency_status_notify_service(event_id=event_id)


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def qualification_expiry_notify(qualification_pk: int, threshold: int, days_left: int) -> int:
    return qualification_expiry_notify_service(
        qualification_pk=qualification_pk, threshold=threshold, days_left=days_left
    )
