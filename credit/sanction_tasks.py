"""The sanctions' daily runs (imported by CreditConfig.ready(), so the worker knows them).
Each is safe to run twice or late: violations are made once per event, and announcing an
ended blacklist entry again only makes its receivers ask the current state again."""

from celery import shared_task

from credit.services import blacklist, violations


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def contracts_violations_daily() -> list[int]:
    """Contracts finished or running too late, or worked on with an expired certificate."""
    return violations.contracts_violations_sweep()


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def blacklist_ended_sweep() -> list[int]:
    """Blacklist entries that ended lately: their agencies may be eligible again."""
    return blacklist.blacklist_ended_announce()
