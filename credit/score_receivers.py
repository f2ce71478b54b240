"""What recomputes an agency's credit score once something it is made of has changed
(connected in CreditConfig.ready()): the work goes through Celery, after the commit, so the
task reads what was committed."""

from contracts.models import Contract
from core.outbox import enqueue
from credit import score_tasks
from market.models import PurchaseRequest

# A contract's moves that change its agency's platform behaviour: finished on time or late,
# or terminated after coming into force (fulfilment).
CONTRACT_MOVES = (Contract.Status.ACCEPTED, Contract.Status.TERMINATED)


def _recompute(agency_id: int | None) -> None:
    if agency_id is not None:
        enqueue(score_tasks.credit_recompute_agencies, [agency_id])


def credit_inputs_changed(sender, *, agency_id, **kwargs) -> None:
    _recompute(agency_id)


def contract_status_changed(sender, *, instance, to_status, **kwargs) -> None:
    if to_status in CONTRACT_MOVES:
        _recompute(instance.agency_id)


def purchase_request_status_changed(sender, *, instance, to_status, **kwargs) -> None:
    """An award counts among the awards the agency won (its response rate)."""
    if to_status == PurchaseRequest.Status.AWARDED:
        _recompute(instance.winner_id)
