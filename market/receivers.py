"""What follows, once committed, a purchase request's moves, a change to an agency below, or a
quote that stopped counting (connected in MarketConfig.ready()): the work and the mail go
through Celery."""

from core.outbox import enqueue
from market import tasks
from market.models import PurchaseRequest
from market.services.clock import publicity_ends_recompute

Status = PurchaseRequest.Status


def purchase_request_status_changed(sender, *, instance, to_status, **kwargs) -> None:
    if to_status == Status.PUBLISHED:
        enqueue(tasks.invitations_send, instance.pk)
    elif to_status == Status.AWARDED:
        enqueue(tasks.award_notify, instance.pk)


def agency_eligibility_changed(sender, *, agency_id, **kwargs) -> None:
    enqueue(tasks.quotes_recheck_for_agency, agency_id)


def quote_invalidated(sender, *, quote_id, **kwargs) -> None:
    enqueue(tasks.quote_invalidated_notify, quote_id)


def calendar_year_confirmed(sender, *, year, **kwargs) -> None:
    publicity_ends_recompute(year=year)
