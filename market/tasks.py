from celery import shared_task

from core.outbox import outbox_task
from market.services.clock import purchase_requests_advance_due as advance_due
from market.services.eligibility import quotes_recheck_for_agency as recheck_for_agency
from market.services.notifications import award_notify as award_notify_service
from market.services.notifications import invitations_send as invitations_send_service
from market.services.notifications import quote_invalidated_notify as quote_invalidated_service


@shared_task
def purchase_requests_advance_due() -> int:
    """Every minute: make the moves the clock has made due (quoting opens, the deadline
    passes and the quotes are opened, the publicity period ends). A late or doubled run
    changes nothing more."""
    return advance_due()


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def invitations_send(purchase_request_id: int) -> int:
    return invitations_send_service(purchase_request_id=purchase_request_id)


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def award_notify(purchase_request_id: int) -> int:
    return award_notify_service(purchase_request_id=purchase_request_id)


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def quotes_recheck_for_agency(agency_id: int) -> int:
    """An agency changed: its open quotes are asked about again (safe to run twice)."""
    return recheck_for_agency(agency_id=agency_id)


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def quote_invalidated_notify(quote_id: int) -> int:
    return quote_invalidated_service(quote_id=quote_id)
