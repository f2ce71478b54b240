from celery import shared_task

from market.services.notifications import award_notify as award_notify_service
from market.services.notifications import invitations_send as invitations_send_service
from market.services.requests import (
    purchase_requests_sync_due as purchase_requests_sync_due_service,
)


@shared_task
def purchase_requests_sync_due() -> int:
    """Every minute: make the moves the clock has made due (quoting opens, the deadline
    passes and quotes are opened). Each request also does this itself when read, so a late
    or doubled run changes nothing."""
    return purchase_requests_sync_due_service()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def invitations_send(request_id: int) -> int:
    return invitations_send_service(request_id=request_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def award_notify(request_id: int) -> int:
    return award_notify_service(request_id=request_id)
