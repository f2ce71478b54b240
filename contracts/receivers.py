"""What follows, once committed, a purchase request's confirmed award (connected in
ContractsConfig.ready()): its contract is made in the background."""

from contracts import tasks
from core.outbox import enqueue
from market.models import PurchaseRequest


def purchase_request_status_changed(sender, *, instance, to_status, **kwargs) -> None:
    if to_status == PurchaseRequest.Status.CONFIRMED:
        enqueue(tasks.contract_create, instance.pk)


def contract_status_changed(sender, *, instance, to_status, **kwargs) -> None:
    enqueue(tasks.contract_status_notify, instance.pk, to_status)
