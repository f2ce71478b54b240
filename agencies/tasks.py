from celery import shared_task

from agencies.services.expiry import qualifications_expiry_run


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def qualifications_expiry_daily() -> None:
    """Mark expired certificates and send the 30- and 7-day notices (safe to run again)."""
    qualifications_expiry_run()
