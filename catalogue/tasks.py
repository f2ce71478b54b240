from celery import shared_task

from catalogue.services import service_item_versions_apply_due


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def catalogue_versions_apply_due() -> int:
    """Daily: apply the catalogue changes whose effective date has come (R1). Safe to run
    twice; returns how many versions it applied."""
    return service_item_versions_apply_due()
