"""What follows a purchase request's moves once they have committed (connected in
MarketConfig.ready()): the mail goes out through Celery."""

from market import tasks
from market.models import PurchaseRequest

Status = PurchaseRequest.Status


def purchase_request_status_changed(sender, *, instance, to_status, **kwargs) -> None:
    if to_status == Status.PUBLISHED:
        tasks.invitations_send.delay(instance.pk)
    elif to_status == Status.AWARDED:
        tasks.award_notify.delay(instance.pk)
